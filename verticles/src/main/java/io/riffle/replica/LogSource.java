package io.riffle.replica;

import io.riffle.log.ShardLog;
import io.riffle.model.Record;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.util.List;
import java.util.function.Supplier;

/**
 * A leader's shard log as its {@link Replicator} reads it: the log and the leader-epoch history are looked
 * up on each call (a log is opened anew after a truncation; the history grows with each new epoch), and
 * reads run on {@code reads}, off the event loop and unordered, so catch-up never waits for a group commit.
 */
public final class LogSource implements Replicator.Log {
    private final Supplier<ShardLog> log;
    private final Supplier<LeaderEpochs> history;
    private final WorkerExecutor reads;

    public LogSource(Supplier<ShardLog> log, Supplier<LeaderEpochs> history, WorkerExecutor reads) {
        this.log = log;
        this.history = history;
        this.reads = reads;
    }

    @Override
    public long end() {
        return log.get().endOffset();
    }

    @Override
    public LeaderEpochs history() {
        return history.get();
    }

    @Override
    public Future<Replicator.Batch> read(long from, int maxRecords, long maxBytes) {
        return reads.executeBlocking(() -> {
            ShardLog l = log.get();
            // Before the read, which starts at the start then or later: never above the first record it returns.
            long start = l.startOffset();
            List<Record> records = l.read(from, maxRecords, maxBytes);
            return new Replicator.Batch(records.isEmpty() ? start : records.get(0).offset(), records);
        }, false);
    }
}
