package io.riffle.log;

/** When appended records are forced to disk. */
public enum FsyncPolicy {
    /** Every append batch is fsynced before it is acknowledged (group commit). */
    PER_BATCH,
    /** Appends are acknowledged once written; the log is fsynced on an interval. */
    INTERVAL
}
