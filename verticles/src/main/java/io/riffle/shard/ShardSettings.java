package io.riffle.shard;

import io.riffle.throttle.ThroughputLimits;

/**
 * What a shard verticle enforces that the control plane may change while it runs.
 *
 * @param retentionMillis records older than this are never returned and their segments are deleted
 * @param maxRecordBytes  the largest data blob the stream takes
 */
public record ShardSettings(ThroughputLimits limits, long retentionMillis, int maxRecordBytes) {
}
