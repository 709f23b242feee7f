package io.riffle.replica;

import io.riffle.bus.Failures;
import io.riffle.log.AppendRecord;
import io.riffle.model.Record;
import io.riffle.stream.ShardRecords;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A follower's side of a shard's replication: takes the batches its leader sends, one after the other,
 * and appends them to its own log (durable under the node's fsync policy) before answering with its end.
 *
 * <ul>
 *   <li><b>Fencing</b>: a batch from an epoch below the highest this follower accepted is refused with that
 *       epoch, which deposes its sender. A higher epoch is accepted (its leader exists by the catalog).</li>
 *   <li><b>Reconciling</b>: the first batch of an epoch carries the leader's epoch history; the follower cuts
 *       its log back to where it stops agreeing with it ({@link LeaderEpochs#divergence}): an uncommitted
 *       tail the new leader does not have is dropped, as Kafka's followers truncate on a new epoch.</li>
 *   <li><b>Gaps</b>: a batch that does not start at this log's end is not applied; the answer tells the
 *       leader where to continue.</li>
 *   <li><b>Expired</b>: a batch may carry the leader's log start ({@code logStart}, where retention moved it);
 *       a log ending below it can never continue from the leader's, so it restarts empty there (every record
 *       it drops is expired on the leader too) and takes the leader's log from its start, as a Kafka follower
 *       truncates fully to the leader's log start offset when it is out of range.</li>
 * </ul>
 * Runs on the shard verticle's context.
 */
public final class Follower {
    private static final Logger LOG = LoggerFactory.getLogger(Follower.class);

    /** What the follower does to its log, each off the event loop and in order with the other writes. */
    public interface Log {
        long end();

        Future<Long> append(List<AppendRecord> records);

        Future<Void> truncate(long offset);

        /** Empties the log, durably, to continue at {@code offset} (its start and end from then on). */
        Future<Void> restartAt(long offset);

        Future<Void> saveHistory(LeaderEpochs history);
    }

    private final String name;
    private final Log log;
    private long epoch;
    private LeaderEpochs history;
    /** The epoch whose leader's history this log was reconciled with. */
    private long reconciledEpoch = -1;
    /** The last commit point the leader told. */
    private long commit = -1;
    private Future<?> last = Future.succeededFuture();

    public Follower(String name, long epoch, LeaderEpochs history, Log log) {
        this.name = name;
        this.epoch = Math.max(epoch, history.lastEpoch());
        this.history = history;
        this.log = log;
    }

    /** Completes once the batch being taken (if any) is done: the shard's stop waits for it before closing the log. */
    public Future<Void> idle() {
        return last.transform(ar -> Future.<Void>succeededFuture());
    }

    /** The state a catalog leader compares to pick a new leader: the last epoch taken, then the end. */
    public JsonObject state() {
        return new JsonObject().put("lastEpoch", history.lastEpoch()).put("end", log.end()).put("commit", commit);
    }

    /**
     * Answers a catalog leader electing the leader of {@code proposed} and, as a Raft voter that grants a
     * vote, from now on refuses every batch of an older epoch, including one being written now (its answer
     * becomes a refusal): the old leader can count nothing this replica did not report here, so the replica
     * elected (the one that reported the most) holds everything the old leader could acknowledge.
     */
    public JsonObject promise(long proposed) {
        epoch = Math.max(epoch, proposed);
        return state();
    }

    public void onReplicate(Message<ShardRecords> message) {
        Future<JsonObject> answer = last.transform(ar -> handle(message));
        last = answer;
        answer.onSuccess(message::reply).onFailure(err -> {
            LOG.error("Replica {}: taking a batch failed: {}", name, err.toString());
            Failures.fail(message, err);
        });
    }

    private Future<JsonObject> handle(Message<ShardRecords> message) {
        long from = Long.parseLong(message.headers().get("epoch"));
        if (from < epoch) {
            return Future.succeededFuture(new JsonObject().put("ok", false).put("epoch", epoch));
        }
        // Epochs only grow here: a leader raises it only by an election the catalog committed.
        epoch = from;
        LeaderEpochs leaderHistory = LeaderEpochs.decode(message.headers().get("history"));
        long leaderEnd = Long.parseLong(message.headers().get("leaderEnd"));
        commit = Math.max(commit, Long.parseLong(message.headers().get("commit")));
        Future<Void> ready = Future.succeededFuture();
        if (reconciledEpoch != from) {
            long agreed = LeaderEpochs.divergence(leaderHistory, leaderEnd, history, log.end());
            if (agreed < log.end()) {
                LOG.warn("Replica {}: its log ends at {} but agrees with leader epoch {} only up to {}: truncating",
                        name, log.end(), from, agreed);
                // The log first: a history that outlives its records only names an epoch this replica saw.
                ready = log.truncate(agreed).compose(v -> {
                    history = history.upTo(agreed);
                    return log.saveHistory(history);
                });
            }
            ready = ready.onSuccess(v -> reconciledEpoch = from);
        }
        String leaderStart = message.headers().get("logStart");
        long restartAt = leaderStart == null ? -1 : Long.parseLong(leaderStart);
        ready = ready.compose(v -> {
            if (restartAt <= log.end()) {
                return Future.succeededFuture();
            }
            LOG.warn("Replica {}: its log ends at {}, below its leader's log start {}: restarting it empty there",
                    name, log.end(), restartAt);
            // The history is taken up to the new end below, with the batch: until then it names epochs this log saw.
            return log.restartAt(restartAt);
        });
        List<Record> records = message.body().records();
        return ready.compose(v -> {
            if (records.isEmpty() || records.get(0).offset() != log.end()) {
                return Future.succeededFuture(log.end());
            }
            List<AppendRecord> batch = new ArrayList<>(records.size());
            records.forEach(r -> batch.add(new AppendRecord(r.partitionKey(), r.data(), r.arrivalMillis())));
            return log.append(batch).map(first -> {
                if (first != records.get(0).offset()) {
                    throw new IllegalStateException("Replica " + name + " appended at " + first + ", not " + records.get(0).offset());
                }
                return log.end();
            });
        }).compose(end -> {
            // This log agrees with the leader's up to its end now: take the leader's epochs up to there.
            LeaderEpochs taken = leaderHistory.through(end);
            if (taken.equals(history)) {
                return Future.succeededFuture(end);
            }
            history = taken;
            return log.saveHistory(taken).map(end);
        }).map(end -> epoch > from
                // A newer epoch was promised while this batch was written: it is not acknowledged to its sender.
                ? new JsonObject().put("ok", false).put("epoch", epoch)
                : new JsonObject().put("ok", true).put("end", end));
    }
}
