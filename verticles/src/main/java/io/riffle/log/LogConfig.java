package io.riffle.log;

import java.util.Objects;

/**
 * Settings of one {@link ShardLog}.
 *
 * @param segmentBytes        a segment is rolled before a batch would make it bigger than this (a single
 *                            batch larger than this still goes into one segment); 1 KiB .. 1 GiB
 * @param segmentMaxAgeMillis a segment whose first record is older than this is rolled at the next append
 * @param indexIntervalBytes  bytes of frames between two sparse index entries (bounds the scan of a lookup)
 * @param fsyncPolicy         when appends are forced to disk
 * @param fsyncIntervalMillis under {@link FsyncPolicy#INTERVAL}, how often the owner calls {@link ShardLog#flush}
 * @param retentionMillis     records older than this are never returned and their segments are deleted
 */
public record LogConfig(long segmentBytes, long segmentMaxAgeMillis, int indexIntervalBytes,
                        FsyncPolicy fsyncPolicy, long fsyncIntervalMillis, long retentionMillis) {
    /** Positions inside a segment are stored as 32-bit ints: keep segments, even with one big batch, far below 2 GiB. */
    static final long MAX_SEGMENT_BYTES = 1L << 30;

    public LogConfig {
        Objects.requireNonNull(fsyncPolicy, "fsyncPolicy");
        if (segmentBytes < 1024 || segmentBytes > MAX_SEGMENT_BYTES) {
            throw new IllegalArgumentException("segmentBytes must be within 1024.." + MAX_SEGMENT_BYTES + ": " + segmentBytes);
        }
        if (segmentMaxAgeMillis <= 0) {
            throw new IllegalArgumentException("segmentMaxAgeMillis must be positive: " + segmentMaxAgeMillis);
        }
        if (indexIntervalBytes <= 0) {
            throw new IllegalArgumentException("indexIntervalBytes must be positive: " + indexIntervalBytes);
        }
        if (fsyncIntervalMillis <= 0) {
            throw new IllegalArgumentException("fsyncIntervalMillis must be positive: " + fsyncIntervalMillis);
        }
        if (retentionMillis <= 0) {
            throw new IllegalArgumentException("retentionMillis must be positive: " + retentionMillis);
        }
    }

    /** 64 MiB segments, rolled after 1 h, an index entry every 4 KiB, fsync per batch (or every 1 s), 24 h retention. */
    public static LogConfig defaults() {
        return new LogConfig(64L << 20, 3_600_000L, 4096, FsyncPolicy.PER_BATCH, 1000L, 86_400_000L);
    }

    public LogConfig withSegmentBytes(long b) {
        return new LogConfig(b, segmentMaxAgeMillis, indexIntervalBytes, fsyncPolicy, fsyncIntervalMillis, retentionMillis);
    }

    public LogConfig withSegmentMaxAgeMillis(long ms) {
        return new LogConfig(segmentBytes, ms, indexIntervalBytes, fsyncPolicy, fsyncIntervalMillis, retentionMillis);
    }

    public LogConfig withIndexIntervalBytes(int b) {
        return new LogConfig(segmentBytes, segmentMaxAgeMillis, b, fsyncPolicy, fsyncIntervalMillis, retentionMillis);
    }

    public LogConfig withFsyncPolicy(FsyncPolicy p) {
        return new LogConfig(segmentBytes, segmentMaxAgeMillis, indexIntervalBytes, p, fsyncIntervalMillis, retentionMillis);
    }

    public LogConfig withFsyncIntervalMillis(long ms) {
        return new LogConfig(segmentBytes, segmentMaxAgeMillis, indexIntervalBytes, fsyncPolicy, ms, retentionMillis);
    }

    public LogConfig withRetentionMillis(long ms) {
        return new LogConfig(segmentBytes, segmentMaxAgeMillis, indexIntervalBytes, fsyncPolicy, fsyncIntervalMillis, ms);
    }
}
