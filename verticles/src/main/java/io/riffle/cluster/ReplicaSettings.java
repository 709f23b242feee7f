package io.riffle.cluster;

/**
 * A clustered node's settings for its replicas: its {@code zone} (a failure domain, such as an availability
 * zone; empty for none), which placement spreads each shard's replicas over, and, for when it leads the
 * catalog, how long a shard may stay under-replicated before it gets a new replica elsewhere.
 *
 * @param zone                 this node's zone, empty for none
 * @param replicaRepairSeconds seconds a shard may have fewer live replicas than its replication factor
 *                             before the catalog leader repairs it ({@value #MIN_REPAIR_SECONDS}..{@value #MAX_REPAIR_SECONDS})
 * @param catchUpBytesPerSecond bytes per second a leader on this node sends each replica being added (0: no
 *                             limit, else up to {@value #MAX_CATCH_UP_BYTES_PER_SECOND})
 */
public record ReplicaSettings(String zone, int replicaRepairSeconds, long catchUpBytesPerSecond) {
    public static final int MIN_REPAIR_SECONDS = 1;
    public static final int MAX_REPAIR_SECONDS = 86_400;
    public static final long MAX_CATCH_UP_BYTES_PER_SECOND = 1L << 40;
    public static final ReplicaSettings DEFAULTS = new ReplicaSettings("", 300, 32L << 20);

    public ReplicaSettings {
        if (zone == null || !zone.matches("[A-Za-z0-9._-]{0,64}")) {
            throw new IllegalArgumentException("zone must be up to 64 letters, digits, '.', '_' or '-': " + zone);
        }
        if (replicaRepairSeconds < MIN_REPAIR_SECONDS || replicaRepairSeconds > MAX_REPAIR_SECONDS) {
            throw new IllegalArgumentException("replicaRepairSeconds must be within " + MIN_REPAIR_SECONDS + ".."
                    + MAX_REPAIR_SECONDS + ": " + replicaRepairSeconds);
        }
        if (catchUpBytesPerSecond < 0 || catchUpBytesPerSecond > MAX_CATCH_UP_BYTES_PER_SECOND) {
            throw new IllegalArgumentException("catchUpBytesPerSecond must be within 0.." + MAX_CATCH_UP_BYTES_PER_SECOND
                    + ": " + catchUpBytesPerSecond);
        }
    }
}
