package io.riffle.stream;

/** What DescribeLimits reports: the node's shard limit, its open shards, and its on-demand streams. */
public record NodeLimits(int maxShards, int openShards, int onDemandStreams) {
}
