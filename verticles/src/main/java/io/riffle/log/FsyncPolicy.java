package io.riffle.log;

/** When a {@link ShardLog} forces appended bytes to disk. */
public enum FsyncPolicy {
    /** Every {@link ShardLog#append} fsyncs before it returns: an acknowledged batch survives a power loss. */
    PER_BATCH,
    /**
     * {@link ShardLog#append} only writes; the owner calls {@link ShardLog#flush} every
     * {@link LogConfig#fsyncIntervalMillis()}. A process crash loses nothing (the page cache survives it),
     * a power loss may lose up to one interval of acknowledged records.
     */
    INTERVAL
}
