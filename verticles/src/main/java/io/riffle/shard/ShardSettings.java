package io.riffle.shard;

import io.riffle.throttle.ThroughputLimits;

/**
 * What a shard verticle enforces that the control plane may change while it runs.
 *
 * @param retentionMillis records older than this are never returned and their segments are deleted
 * @param maxRecordBytes  the largest data blob the stream takes
 * @param encryptionKeyId the KMS KeyId new records are sealed under, or null: stored in clear
 */
public record ShardSettings(ThroughputLimits limits, long retentionMillis, int maxRecordBytes, String encryptionKeyId) {
    /** What a stream's description says its shards enforce. */
    public static ShardSettings of(io.riffle.model.StreamDescription d) {
        return new ShardSettings(d.limits(), d.retentionHours() * 3_600_000L, d.maxRecordSizeKiB() * 1024,
                d.encryptionKeyId().orElse(null));
    }
}
