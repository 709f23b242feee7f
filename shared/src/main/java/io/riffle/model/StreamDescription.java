package io.riffle.model;

import java.util.List;
import java.util.Map;
import java.util.Set;
import io.riffle.throttle.ThroughputLimits;

/**
 * A stream as the control plane knows it. ARNs are not here: they depend on the node's configured
 * region and account, so the gateway builds them.
 *
 * @param createdMillis     creation time, epoch milliseconds
 * @param maxRecordSizeKiB  the largest record the stream takes (1024..10240)
 * @param consumers         registered enhanced fan-out consumers, by name
 * @param tags              the stream's tags
 * @param shardLevelMetrics enhanced monitoring metrics enabled (Kinesis's ShardLevelMetrics names)
 * @param limits            the per-shard throughput limits in force: the stream's own, else the node's
 * @param resourcePolicies  resource policies (IAM JSON text) of the stream and its consumers, by resource ARN
 * @param dailyChanges      the stream's recent rate-limited changes (UpdateShardCount, UpdateStreamMode)
 * @param encryptionKeyId   the KMS KeyId records are encrypted under since StartStreamEncryption, as the caller
 *                          gave it (AWS shows it back so); empty while the stream is not encrypted
 */
public record StreamDescription(
        StreamName name,
        StreamStatus status,
        StreamMode mode,
        int retentionHours,
        long createdMillis,
        int maxRecordSizeKiB,
        List<ShardDescription> shards,
        List<ConsumerDescription> consumers,
        Map<String, String> tags,
        Set<String> shardLevelMetrics,
        ThroughputLimits limits,
        Map<String, String> resourcePolicies,
        DailyChanges dailyChanges,
        java.util.Optional<String> encryptionKeyId) {

    public StreamDescription {
        java.util.Objects.requireNonNull(encryptionKeyId, "encryptionKeyId");
        resourcePolicies = Map.copyOf(resourcePolicies);
        shards = List.copyOf(shards);
        consumers = List.copyOf(consumers);
        tags = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(tags));
        shardLevelMetrics = Set.copyOf(shardLevelMetrics);
    }

    /** A stream without resource policies. */
    public StreamDescription(StreamName name, StreamStatus status, StreamMode mode, int retentionHours, long createdMillis,
                             int maxRecordSizeKiB, List<ShardDescription> shards, List<ConsumerDescription> consumers,
                             Map<String, String> tags, Set<String> shardLevelMetrics, ThroughputLimits limits) {
        this(name, status, mode, retentionHours, createdMillis, maxRecordSizeKiB, shards, consumers, tags,
                shardLevelMetrics, limits, Map.of());
    }

    /** An unencrypted stream without recent rate-limited changes. */
    public StreamDescription(StreamName name, StreamStatus status, StreamMode mode, int retentionHours, long createdMillis,
                             int maxRecordSizeKiB, List<ShardDescription> shards, List<ConsumerDescription> consumers,
                             Map<String, String> tags, Set<String> shardLevelMetrics, ThroughputLimits limits,
                             Map<String, String> resourcePolicies) {
        this(name, status, mode, retentionHours, createdMillis, maxRecordSizeKiB, shards, consumers, tags,
                shardLevelMetrics, limits, resourcePolicies, DailyChanges.NONE, java.util.Optional.empty());
    }

    /** With records from now on encrypted under {@code keyId}, or not encrypted when it is empty. */
    public StreamDescription withEncryptionKeyId(java.util.Optional<String> keyId) {
        return new StreamDescription(name, status, mode, retentionHours, createdMillis, maxRecordSizeKiB, shards,
                consumers, tags, shardLevelMetrics, limits, resourcePolicies, dailyChanges, keyId);
    }

    /** With the resource policy of {@code resourceArn} set to {@code policy}, or removed when it is null. */
    public StreamDescription withResourcePolicy(String resourceArn, String policy) {
        Map<String, String> p = new java.util.HashMap<>(resourcePolicies);
        if (policy == null) {
            p.remove(resourceArn);
        } else {
            p.put(resourceArn, policy);
        }
        return new StreamDescription(name, status, mode, retentionHours, createdMillis, maxRecordSizeKiB, shards,
                consumers, tags, shardLevelMetrics, limits, p, dailyChanges, encryptionKeyId);
    }

    public StreamDescription withStatus(StreamStatus s) {
        return new StreamDescription(name, s, mode, retentionHours, createdMillis, maxRecordSizeKiB, shards,
                consumers, tags, shardLevelMetrics, limits, resourcePolicies, dailyChanges, encryptionKeyId);
    }

    public StreamDescription withRetentionHours(int hours) {
        return new StreamDescription(name, status, mode, hours, createdMillis, maxRecordSizeKiB, shards,
                consumers, tags, shardLevelMetrics, limits, resourcePolicies, dailyChanges, encryptionKeyId);
    }

    public StreamDescription withMaxRecordSizeKiB(int kib) {
        return new StreamDescription(name, status, mode, retentionHours, createdMillis, kib, shards,
                consumers, tags, shardLevelMetrics, limits, resourcePolicies, dailyChanges, encryptionKeyId);
    }

    public StreamDescription withTags(Map<String, String> newTags) {
        return new StreamDescription(name, status, mode, retentionHours, createdMillis, maxRecordSizeKiB, shards,
                consumers, newTags, shardLevelMetrics, limits, resourcePolicies, dailyChanges, encryptionKeyId);
    }

    public StreamDescription withConsumers(List<ConsumerDescription> newConsumers) {
        return new StreamDescription(name, status, mode, retentionHours, createdMillis, maxRecordSizeKiB, shards,
                newConsumers, tags, shardLevelMetrics, limits, resourcePolicies, dailyChanges, encryptionKeyId);
    }

    public StreamDescription withLimits(ThroughputLimits newLimits) {
        return new StreamDescription(name, status, mode, retentionHours, createdMillis, maxRecordSizeKiB, shards,
                consumers, tags, shardLevelMetrics, newLimits, resourcePolicies, dailyChanges, encryptionKeyId);
    }

    public StreamDescription withShardLevelMetrics(Set<String> metrics) {
        return new StreamDescription(name, status, mode, retentionHours, createdMillis, maxRecordSizeKiB, shards,
                consumers, tags, metrics, limits, resourcePolicies, dailyChanges, encryptionKeyId);
    }

    public StreamDescription withShards(List<ShardDescription> newShards) {
        return new StreamDescription(name, status, mode, retentionHours, createdMillis, maxRecordSizeKiB, newShards,
                consumers, tags, shardLevelMetrics, limits, resourcePolicies, dailyChanges, encryptionKeyId);
    }

    public StreamDescription withMode(StreamMode m) {
        return new StreamDescription(name, status, m, retentionHours, createdMillis, maxRecordSizeKiB, shards,
                consumers, tags, shardLevelMetrics, limits, resourcePolicies, dailyChanges, encryptionKeyId);
    }

    public StreamDescription withDailyChanges(DailyChanges changes) {
        return new StreamDescription(name, status, mode, retentionHours, createdMillis, maxRecordSizeKiB, shards,
                consumers, tags, shardLevelMetrics, limits, resourcePolicies, changes, encryptionKeyId);
    }

    public List<ShardDescription> openShards() {
        return shards.stream().filter(ShardDescription::isOpen).toList();
    }
}
