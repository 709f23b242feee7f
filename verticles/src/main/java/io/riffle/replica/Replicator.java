package io.riffle.replica;

import io.riffle.bus.Addresses;
import io.riffle.model.Record;
import io.riffle.model.ShardId;
import io.riffle.model.StreamName;
import io.riffle.stream.ShardRecords;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's side of a shard's replication: one {@link Link} per follower pushes the leader's log to it,
 * batch after batch, from where the follower's log ends; the commit point is the highest offset a majority
 * of the replicas (the leader included) hold durably, and only grows. The shard acknowledges puts and
 * serves reads below it. A follower that answers with a newer epoch proves that a newer leader exists: this
 * one is deposed and must take no more puts.
 *
 * <p>Until the first majority answered, the commit point is unknown ({@code -1}): a new leader does not
 * know how far the previous one committed, so it serves nothing until its followers hold its log.
 *
 * <p>The replica set may change under the same leader and epoch ({@link #reconfigure}): links start and stop,
 * a learner made a replica counts from then on, and the commit point is the majority's of the new set.
 *
 * <p>Runs on the shard verticle's context; every callback comes back on it.
 */
public final class Replicator {
    private static final Logger LOG = LoggerFactory.getLogger(Replicator.class);
    static final long SEND_TIMEOUT_MILLIS = 2_000;
    static final long RETRY_MILLIS = 100;
    private static final int BATCH_RECORDS = 2_000;
    static final long IN_SYNC_MILLIS = 10_000;
    static final long HEARTBEAT_MILLIS = 2_000;
    private static final long BATCH_BYTES = 4L << 20;
    /** How long a learner link out of catch-up bandwidth waits before it looks again. */
    private static final long THROTTLE_MILLIS = 50;

    /** What the replicator reads of the leader's log. */
    public interface Log {
        long end();

        LeaderEpochs history();

        /**
         * Records from {@code from} or, where retention moved the log's start past it, from that start (at most
         * maxRecords / maxBytes), read off the event loop.
         */
        Future<Batch> read(long from, int maxRecords, long maxBytes);
    }

    /**
     * Records to send and where they start: the offset asked for, or above it the leader's log start (no
     * record between them is left to send, and none above it is skipped).
     */
    public record Batch(long start, List<Record> records) {
    }

    private final Vertx vertx;
    private final StreamName stream;
    private final ShardId shard;
    private ReplicaRole role;
    private final Log log;
    private final LongConsumer committed;
    private final Runnable deposed;
    private final long epochStart;
    /** Bytes per second each learner link may send (0: no limit); followers are never held back. */
    private final long catchUpBytesPerSecond;
    private final List<Link> links = new ArrayList<>();
    /** The newest batch written, handed to followers that miss only it. */
    private List<Record> newest;
    private long commit = -1;
    private boolean closed;
    private boolean started;
    private long heartbeats = -1;
    /** Changes of the replica set whose new voters do not hold a majority copy of the commit point yet. */
    private final List<Settling> settling = new ArrayList<>();

    /** A change waiting for a majority of the new voters to hold {@code commit}, the commit point before it. */
    private record Settling(long commit, Promise<Void> settled) {
    }

    /**
     * @param epochStart the leader's log end when its epoch began
     * @param committed  hears each new commit point
     * @param deposed   hears once that a follower knows a newer epoch
     */
    public Replicator(Vertx vertx, StreamName stream, ShardId shard, ReplicaRole role, Log log,
                      long epochStart, LongConsumer committed, Runnable deposed) {
        this(vertx, stream, shard, role, log, epochStart, committed, deposed, 0);
    }

    /**
     * As above, each learner's catch-up bounded to {@code catchUpBytesPerSecond} of record data (0: no
     * limit), as Kafka throttles reassignment traffic: a replica being added copies the whole log, and must
     * not take the disk and network from the puts. A follower catching up after a restart is not limited:
     * it counts for the commit point.
     */
    public Replicator(Vertx vertx, StreamName stream, ShardId shard, ReplicaRole role, Log log,
                      long epochStart, LongConsumer committed, Runnable deposed, long catchUpBytesPerSecond) {
        if (catchUpBytesPerSecond < 0) {
            throw new IllegalArgumentException("catchUpBytesPerSecond must be >= 0: " + catchUpBytesPerSecond);
        }
        this.catchUpBytesPerSecond = catchUpBytesPerSecond;
        this.vertx = vertx;
        this.stream = stream;
        this.shard = shard;
        this.role = role;
        this.log = log;
        this.committed = committed;
        this.deposed = deposed;
        this.epochStart = epochStart;
        role.followers().forEach(f -> links.add(new Link(f, true)));
        role.learners().forEach(l -> links.add(new Link(l, false)));
    }

    public void start() {
        started = true;
        if (links.isEmpty()) {
            advance();
        }
        links.forEach(Link::push);
        startHeartbeats();
    }

    private void startHeartbeats() {
        if (heartbeats < 0 && !links.isEmpty()) {
            // An idle shard sends nothing: a heartbeat keeps followers that hold everything counted in sync
            // and tells them the commit point.
            heartbeats = vertx.setPeriodic(HEARTBEAT_MILLIS, t -> links.forEach(Link::heartbeat));
        }
    }

    /**
     * The catalog changed the shard's replica set or learners under this same leader and epoch (one replica
     * added or removed at a time, so any majority of the new set overlaps one of the old): links to nodes that
     * left stop (an answer in flight is ignored), new nodes get one, a learner made a replica keeps its link and
     * counts for the commit point from now on, and the commit point is computed over the new voters at once (a
     * removed replica that held puts back no longer does). Records committed stay committed.
     *
     * <p>The returned future completes once a majority of the new voters holds every record committed before
     * the change (at once, typically: a learner is made a replica, and a replica removed, only while in sync;
     * and at once when only the learners changed).
     * Until then an election among the new set alone could miss such a record (a set of four elects from two
     * answers, but two of the old three sufficed to commit), so the node answers the catalog change, which
     * counts as committed only once the leader's node applied it, after that.
     *
     * @throws IllegalArgumentException for another leader or epoch: that is a new leader, never a change in place
     */
    public Future<Void> reconfigure(ReplicaRole next) {
        if (!role.sameLeadership(next)) {
            throw new IllegalArgumentException("Shard " + shard + " of stream " + stream + ": role " + next
                    + " is not the replica set of this leader " + role);
        }
        boolean votersChanged = !java.util.Set.copyOf(role.replicas()).equals(java.util.Set.copyOf(next.replicas()));
        role = next;
        List<String> voters = next.followers();
        List<String> learners = next.learners();
        links.removeIf(l -> {
            boolean gone = !voters.contains(l.node) && !learners.contains(l.node);
            l.removed = gone;
            return gone;
        });
        List<String> nodes = new ArrayList<>(voters);
        nodes.addAll(learners);
        for (String node : nodes) {
            Link link = links.stream().filter(l -> l.node.equals(node)).findFirst().orElse(null);
            if (link == null) {
                link = new Link(node, voters.contains(node));
                links.add(link);
            }
            link.voter = voters.contains(node);
        }
        if (closed || !started) {
            return Future.succeededFuture();
        }
        // Only other voters can leave a committed record on too few of them (a learner added or dropped cannot).
        Settling change = new Settling(votersChanged ? commit : -1, Promise.promise());
        settling.add(change);
        advance();
        links.forEach(Link::push);
        startHeartbeats();
        return change.settled().future();
    }

    /**
     * The leader's log grew by {@code batch}: push it to the followers that are caught up (the others are
     * still busy). A follower that misses only this batch gets it from memory, not from a read of the log.
     */
    public void appended(List<Record> batch) {
        newest = batch;
        if (links.isEmpty()) {
            advance();
        }
        links.forEach(Link::push);
    }

    /** The commit point, or -1 while no majority answered yet. */
    public long commit() {
        return commit;
    }

    public void close() {
        closed = true;
        vertx.cancelTimer(heartbeats);
        // A closed (deposed or stopping) leader commits nothing more: a change waits for nothing here any more.
        settling.forEach(w -> w.settled().tryComplete());
        settling.clear();
    }

    /**
     * Replicas in sync, the leader included: a follower is when it answered in this epoch and held the whole
     * log at some answer within the last {@value #IN_SYNC_MILLIS} ms (Kafka's replica.lag.time.max.ms rule).
     */
    public int inSync() {
        return 1 + (int) links.stream().filter(l -> l.voter && l.inSync()).count();
    }

    /** The followers and learners in sync (as {@link #inSync()} counts them), by node id. */
    public List<String> inSyncNodes() {
        return links.stream().filter(Link::inSync).map(l -> l.node).toList();
    }

    /** Every replica's durable end, the leader's first: -1 for a follower not heard from. Learners are not replicas yet. */
    public List<Long> ends() {
        List<Long> ends = new ArrayList<>();
        ends.add(log.end());
        links.stream().filter(l -> l.voter).forEach(l -> ends.add(l.matched));
        return ends;
    }

    private void advance() {
        List<Long> ends = ends();
        ends.sort(java.util.Comparator.reverseOrder());
        long quorumEnd = ends.get(role.quorum() - 1);
        // As Raft commits an earlier term's entries only through one of its own term: until a majority holds
        // this leader's log up to where its epoch began (and so took the epoch), nothing counts.
        if (quorumEnd >= epochStart && quorumEnd > commit) {
            commit = quorumEnd;
            committed.accept(commit);
        }
        settle(quorumEnd);
    }

    /** Completes the changes whose new voters' majority now holds what was committed before them. */
    private void settle(long quorumEnd) {
        settling.removeIf(w -> {
            if (w.commit() <= quorumEnd) {
                w.settled().tryComplete();
                return true;
            }
            return false;
        });
    }

    private void depose(long newer) {
        if (closed) {
            return;
        }
        close();
        LOG.warn("Shard {} of stream {}: a follower knows leader epoch {}, above this leader's {}: stepping down",
                shard, stream, newer, role.epoch());
        deposed.run();
    }

    /** Pushes the log to one follower (or learner), one batch in flight at a time. */
    private final class Link {
        private final String node;
        /** Whether the follower counts for the commit point (a learner does not, until the catalog makes it a replica). */
        private boolean voter;
        /** The node left the replica set: this link sends nothing more and ignores answers still in flight. */
        private boolean removed;
        private final String address;
        /** The follower's durable end as it last answered; -1 before it answered in this epoch. */
        private long matched = -1;
        private boolean inFlight;
        private boolean waiting;
        /** When the follower last held the leader's whole log (System.nanoTime). */
        private long caughtUpNanos = System.nanoTime() - IN_SYNC_MILLIS * 2_000_000;
        /** A learner's catch-up bandwidth (not used once it is a replica: followers are never held back). */
        private final io.riffle.throttle.TokenBucket bandwidth;
        /** A timer waits for {@link #bandwidth} to refill. */
        private boolean throttled;

        Link(String node, boolean voter) {
            this.node = node;
            this.voter = voter;
            this.address = Addresses.replicaAppend(node, stream, shard);
            this.bandwidth = new io.riffle.throttle.TokenBucket(voter ? 0 : catchUpBytesPerSecond, java.time.Clock.systemUTC());
        }

        /**
         * Whether the bandwidth allows a send now; if not, pushes again once it may. A send may overdraw the
         * bucket by one batch, which {@link #readBytes()} keeps to a quarter of a second's worth.
         */
        private boolean mayCatchUp() {
            if (voter || bandwidth.hasTokens()) {
                return true;
            }
            if (!throttled) {
                throttled = true;
                vertx.setTimer(THROTTLE_MILLIS, t -> {
                    throttled = false;
                    push();
                });
            }
            return false;
        }

        /** The most record bytes one read for this link takes. */
        private long readBytes() {
            return voter || bandwidth.isUnlimited() ? BATCH_BYTES : Math.max(1, Math.min(BATCH_BYTES, catchUpBytesPerSecond / 4));
        }

        boolean inSync() {
            return matched >= 0 && System.nanoTime() - caughtUpNanos < IN_SYNC_MILLIS * 1_000_000;
        }

        void push() {
            if (closed || removed || inFlight || waiting) {
                return;
            }
            long end = log.end();
            if (matched >= 0 && (matched >= end || !mayCatchUp())) {
                return;
            }
            // Unknown end: an empty batch, which makes the follower reconcile its tail and say where it ends.
            send(matched < 0 ? Future.succeededFuture(new Batch(-1, List.of())) : batchFrom(matched));
        }

        /**
         * The records from {@code offset}: the batch just written if it is all that is missing, else a read of
         * the log, which also combines several batches into one send for a follower that fell behind.
         */
        private Future<Batch> batchFrom(long offset) {
            if (newest != null && newest.get(0).offset() == offset) {
                return Future.succeededFuture(new Batch(offset, newest));
            }
            return log.read(offset, BATCH_RECORDS, readBytes());
        }

        /** An empty batch to a follower that holds everything (one that does not is being sent to anyway). */
        void heartbeat() {
            if (!closed && !removed && !inFlight && !waiting && matched >= log.end()) {
                send(Future.succeededFuture(new Batch(-1, List.of())));
            }
        }

        private void send(Future<Batch> batch) {
            inFlight = true;
            batch.compose(this::request).onComplete(ar -> {
                inFlight = false;
                if (closed || removed) {
                    return;
                }
                if (ar.failed()) {
                    LOG.debug("Replicating shard {} of stream {} to {} failed: {}", shard, stream, node, ar.cause().toString());
                    retryLater();
                    return;
                }
                JsonObject reply = ar.result();
                if (!reply.getBoolean("ok")) {
                    depose(reply.getLong("epoch"));
                    return;
                }
                matched = reply.getLong("end");
                if (matched >= log.end()) {
                    caughtUpNanos = System.nanoTime();
                }
                advance();
                push();
            });
        }

        private Future<JsonObject> request(Batch batch) {
            if (!bandwidth.isUnlimited()) { // followers' links: no byte sum on the replication hot path
                bandwidth.charge(batch.records().stream().mapToLong(r -> r.data().length).sum());
            }
            DeliveryOptions options = new DeliveryOptions().setSendTimeout(SEND_TIMEOUT_MILLIS)
                    .addHeader("epoch", Long.toString(role.epoch()))
                    .addHeader("leaderEnd", Long.toString(log.end()))
                    .addHeader("commit", Long.toString(commit))
                    .addHeader("history", log.history().encode());
            if (matched >= 0 && batch.start() > matched) {
                // The follower's end is below this log's start (retention moved it): it restarts its log there.
                options.addHeader("logStart", Long.toString(batch.start()));
            }
            return vertx.eventBus().<JsonObject>request(address, new ShardRecords(stream, shard, batch.records()), options)
                    .map(m -> m.body());
        }

        private void retryLater() {
            waiting = true;
            vertx.setTimer(RETRY_MILLIS, t -> {
                waiting = false;
                // A follower that was away may have restarted with another log: learn its end again.
                matched = -1;
                push();
            });
        }
    }
}
