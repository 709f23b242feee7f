package io.riffle.model;

/** Open shards take writes; closed shards (parents of a split or merge) are read-only until retention. */
public enum ShardState {
    OPEN, CLOSED
}
