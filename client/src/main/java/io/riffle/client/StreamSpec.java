package io.riffle.client;

import java.util.Objects;
import java.util.Optional;

/**
 * A stream to create.
 *
 * @param mode                  PROVISIONED or ON_DEMAND
 * @param writeRecordsPerSecond this stream's per-shard write limit in records/s (0 turns it off); empty
 *                              takes the node's default
 * @param writeBytesPerSecond   this stream's per-shard write limit in bytes/s (0 turns it off); empty takes
 *                              the node's default
 */
public record StreamSpec(String name, int shardCount, int retentionHours, String mode,
                         Optional<Long> writeRecordsPerSecond, Optional<Long> writeBytesPerSecond) {
    public StreamSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(writeRecordsPerSecond, "writeRecordsPerSecond");
        Objects.requireNonNull(writeBytesPerSecond, "writeBytesPerSecond");
    }

    /** A provisioned stream with 24 h retention and the node's default limits. */
    public static StreamSpec of(String name, int shardCount) {
        return new StreamSpec(name, shardCount, 24, "PROVISIONED", Optional.empty(), Optional.empty());
    }

    /** The same stream with its own per-shard write limits (0 turns one off); the node's other limits stay. */
    public StreamSpec withWriteLimits(long recordsPerSecond, long bytesPerSecond) {
        return new StreamSpec(name, shardCount, retentionHours, mode, Optional.of(recordsPerSecond),
                Optional.of(bytesPerSecond));
    }
}
