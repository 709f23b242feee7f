package io.riffle.shard;

import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

/**
 * The sizes of the two named worker pools all shards of a node share: {@value #WRITE_POOL} for appends,
 * fsyncs, retention and opening logs, and {@value #READ_POOL} for reads and position lookups. Separate so
 * catch-up readers cannot hold every thread while a group commit waits (as they could in Vert.x's
 * default worker pool). Vert.x shares a pool by name: the {@link io.riffle.stream.Engine} opens both
 * first with these sizes and keeps them until it stops; each shard then opens its own handles by name.
 *
 * @param writeThreads threads of {@value #WRITE_POOL}; one append is in flight per shard, so more threads
 *                     let more shards fsync at once
 * @param readThreads  threads of {@value #READ_POOL}
 */
public record LogPools(int writeThreads, int readThreads) {
    public static final String WRITE_POOL = "riffle-log-write";
    public static final String READ_POOL = "riffle-log-read";

    public LogPools {
        if (writeThreads < 1 || readThreads < 1) {
            throw new IllegalArgumentException("Pool sizes must be positive: " + writeThreads + ", " + readThreads);
        }
    }

    /** writes = max(2, cores), reads = max(4, 2 * cores). */
    public static LogPools defaults() {
        return of(0, 0);
    }

    /** The given sizes, where 0 stands for the default of {@link #defaults()}. */
    public static LogPools of(int writeThreads, int readThreads) {
        int cores = Runtime.getRuntime().availableProcessors();
        return new LogPools(writeThreads > 0 ? writeThreads : Math.max(2, cores),
                readThreads > 0 ? readThreads : Math.max(4, 2 * cores));
    }

    /** A handle on the shared write pool (created with this size if nobody holds it yet); close it when done. */
    public WorkerExecutor openWrites(Vertx vertx) {
        return vertx.createSharedWorkerExecutor(WRITE_POOL, writeThreads);
    }

    /** A handle on the shared read pool (created with this size if nobody holds it yet); close it when done. */
    public WorkerExecutor openReads(Vertx vertx) {
        return vertx.createSharedWorkerExecutor(READ_POOL, readThreads);
    }
}
