package io.riffle.stream;

import io.riffle.throttle.ThroughputLimits;

/**
 * What DescribeLimits reports: the node's shard limit, its open shards and its on-demand streams, plus
 * the per-shard throughput limits a stream gets unless it sets its own.
 */
public record NodeLimits(int maxShards, int openShards, int onDemandStreams, ThroughputLimits defaultShardLimits) {
}
