package io.riffle.client;

import java.util.Objects;

/**
 * A stream to create. Throughput limits are the node's settings (per shard, for every stream), not part
 * of the stream.
 *
 * @param mode PROVISIONED or ON_DEMAND
 */
public record StreamSpec(String name, int shardCount, int retentionHours, String mode) {
    public StreamSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(mode, "mode");
    }

    /** A provisioned stream with 24 h retention. */
    public static StreamSpec of(String name, int shardCount) {
        return new StreamSpec(name, shardCount, 24, "PROVISIONED");
    }
}
