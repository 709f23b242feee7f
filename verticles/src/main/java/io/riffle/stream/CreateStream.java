package io.riffle.stream;

import io.riffle.error.RiffleException;
import io.riffle.model.Limits;
import io.riffle.model.StreamMode;
import io.riffle.model.StreamName;
import io.riffle.throttle.ThroughputLimits;
import java.util.Map;
import java.util.Optional;

/**
 * A request to create a stream. Validates what does not depend on the node; the control plane checks the
 * node's shard limit and name clashes.
 *
 * @param limits           per-stream throughput limits; empty takes the node's defaults
 * @param maxRecordSizeKiB the largest record the stream takes; empty is Kinesis's default (1 MiB)
 * @param replicationFactor replicas per shard ({@value #MIN_REPLICATION_FACTOR}..{@value #MAX_REPLICATION_FACTOR},
 *                         at most the live nodes, which the hosting checks); empty is min(3, live nodes)
 */
public record CreateStream(StreamName name, int shardCount, int retentionHours, StreamMode mode,
                           Map<String, String> tags, Optional<ThroughputLimits> limits,
                           Optional<Integer> maxRecordSizeKiB, Optional<Integer> replicationFactor) {
    public static final int MIN_REPLICATION_FACTOR = 1;
    public static final int MAX_REPLICATION_FACTOR = 5;

    public CreateStream {
        if (shardCount < 1) {
            throw RiffleException.constraint("shardCount", shardCount, "have value greater than or equal to 1");
        }
        if (retentionHours < Limits.RETENTION_HOURS_MIN || retentionHours > Limits.RETENTION_HOURS_MAX) {
            throw RiffleException.invalidArgument("Retention period hours " + retentionHours
                    + " must be between " + Limits.RETENTION_HOURS_MIN + " and " + Limits.RETENTION_HOURS_MAX);
        }
        maxRecordSizeKiB.ifPresent(StreamChanges::requireMaxRecordSize);
        replicationFactor.ifPresent(f -> {
            if (f < MIN_REPLICATION_FACTOR || f > MAX_REPLICATION_FACTOR) {
                throw RiffleException.constraint("replicationFactor", f, "have value between "
                        + MIN_REPLICATION_FACTOR + " and " + MAX_REPLICATION_FACTOR);
            }
        });
        tags = Map.copyOf(tags);
    }

    public CreateStream(StreamName name, int shardCount, int retentionHours, StreamMode mode,
                        Map<String, String> tags, Optional<ThroughputLimits> limits, Optional<Integer> maxRecordSizeKiB) {
        this(name, shardCount, retentionHours, mode, tags, limits, maxRecordSizeKiB, Optional.empty());
    }

    /** A request with Kinesis's default record size limit. */
    public CreateStream(StreamName name, int shardCount, int retentionHours, StreamMode mode,
                        Map<String, String> tags, Optional<ThroughputLimits> limits) {
        this(name, shardCount, retentionHours, mode, tags, limits, Optional.empty());
    }

    public static CreateStream of(String name, int shardCount) {
        return new CreateStream(StreamName.of(name), shardCount, Limits.RETENTION_HOURS_DEFAULT,
                StreamMode.PROVISIONED, Map.of(), Optional.empty());
    }

    public CreateStream withMaxRecordSizeKiB(int kib) {
        return new CreateStream(name, shardCount, retentionHours, mode, tags, limits, Optional.of(kib), replicationFactor);
    }
}
