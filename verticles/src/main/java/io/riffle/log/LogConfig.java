package io.riffle.log;

/** Placeholder until the storage branch lands; see the storage task for the real record. */
public record LogConfig(long segmentBytes, long segmentMaxAgeMillis, int indexIntervalBytes,
                        FsyncPolicy fsyncPolicy, long fsyncIntervalMillis, long retentionMillis) {
    public static LogConfig defaults() {
        return new LogConfig(64L << 20, 3_600_000L, 4096, FsyncPolicy.PER_BATCH, 1000, 24 * 3_600_000L);
    }
}
