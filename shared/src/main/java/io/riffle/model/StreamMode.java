package io.riffle.model;

/** Capacity mode: the user sets the shard count, or Riffle scales shards itself. */
public enum StreamMode {
    PROVISIONED, ON_DEMAND
}
