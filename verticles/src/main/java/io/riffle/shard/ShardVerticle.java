package io.riffle.shard;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.riffle.bus.Addresses;
import io.riffle.bus.Failures;
import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.log.AppendRecord;
import io.riffle.log.CorruptLogException;
import io.riffle.log.FsyncPolicy;
import io.riffle.log.KeyUnavailableException;
import io.riffle.log.LogConfig;
import io.riffle.log.LogTruncation;
import io.riffle.log.ShardLog;
import io.riffle.log.crypto.Keyring;
import io.riffle.model.DamagedRecords;
import io.riffle.model.Limits;
import io.riffle.model.Record;
import io.riffle.model.ShardDescription;
import io.riffle.model.StreamName;
import io.riffle.replica.Follower;
import io.riffle.replica.LeaderEpochs;
import io.riffle.replica.LogSource;
import io.riffle.replica.ReplicaRole;
import io.riffle.replica.Replicator;
import io.riffle.stream.ReadBatch;
import io.riffle.stream.ShardRecords;
import io.riffle.stream.StreamJson;
import io.riffle.throttle.ThroughputLimits;
import io.riffle.throttle.TokenBucket;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shard: the single writer of its {@link ShardLog}, owner of its token buckets, and the server of
 * its reads. Runs on an event loop and never touches a file there: appends, flushes, retention and the
 * write probe run on the node's {@value LogPools#WRITE_POOL} pool in one ordered queue per shard (so the
 * log sees one writer), reads and position lookups on the {@value LogPools#READ_POOL} pool, unordered (the
 * log allows concurrent readers), so catch-up reads cannot delay a group commit.
 *
 * <p>Group commit: while one append batch is being written (and fsynced), newly arriving appends wait
 * in {@link #pending}; when the write completes, all of them go to disk as the next batch, sharing one
 * write and one fsync. Each request is answered only once its batch is durable.
 *
 * <p>Disk errors are logged here with stream, shard and cause; clients get an {@code InternalFailure} that
 * names the shard but no file or exception. While writes fail, {@link WriteHealth} reports the shard on
 * the event bus, so the node's {@code /health} turns degraded.
 *
 * <p><b>Replicas</b> (clustered, with a {@link ReplicaRole}): the leader takes puts, writes them to its own
 * log and has its {@link Replicator} copy the log to the followers; a put is answered, and its records are
 * readable and pushed, only once they are below the commit point (durable on a majority of the replicas).
 * A follower registers none of the shard's addresses: its {@link Follower} only takes the leader's batches.
 * A change of the replica set under the same leader and epoch (a replica move adding a learner, making it a
 * replica, removing another) is applied in place: the leader keeps running, with its committed records and
 * puts in flight, and its replicator starts or stops links. Without a role (standalone) the shard is its only
 * replica and answers once its own write is durable.
 */
public final class ShardVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(ShardVerticle.class);
    /** Upper bound of one combined write, so a burst cannot build an unbounded batch. */
    private static final long MAX_GROUP_BYTES = 32L * Limits.MIB;
    private static final long RETENTION_CHECK_MILLIS = 30_000;
    private static final long REELECT_MILLIS = 2_000;
    /**
     * How long a leader's change of replica set waits for the new voters to hold its commit point before it
     * answers anyway: well below the catalog's apply timeout, so the catalog change never fails for it.
     */
    private static final long SETTLE_MILLIS = 2_000;

    private final StreamName stream;
    private final ShardDescription shard;
    private final Path dir;
    private final LogConfig logConfig;
    private final Clock clock;
    private final MeterRegistry metrics;
    /**
     * This node's part in the shard's replica set; null standalone. Its replica set and learners may change in
     * place ({@link #changeReplicas}); its leader and epoch never do (a new leader is a new verticle).
     */
    private volatile ReplicaRole role;
    private final Supplier<Keyring> keyring;
    private ShardSettings settings;

    private volatile ShardLog log;
    private LeaderEpochs history = LeaderEpochs.NONE;
    private Replicator replicator;
    private Follower follower;
    /** Batches written here that wait for the commit point to pass them (leader only). */
    private final ArrayDeque<Written> uncommitted = new ArrayDeque<>();
    /** Seals waiting for the commit point to reach the log's end (leader only). */
    private final List<Promise<Void>> commitWaiters = new ArrayList<>();
    /** Offsets below this are committed: the log's end standalone, the commit point with replicas (-1: unknown yet). */
    private volatile long visibleEnd;
    /** A follower knew a newer leader epoch: this replica takes no more puts or reads. */
    private boolean deposed;
    private TokenBucket writeBytes;
    private TokenBucket writeRecords;
    private TokenBucket readBytes;
    private TokenBucket readCalls;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private boolean writing;
    private boolean stopping;
    /** A reshard sealed this shard: it takes no writes (until reopened if the reshard fails). */
    private boolean sealed;
    /** The catalog knows this shard closed: readers at its end are told so (see {@link #onSeal}). */
    private boolean closed;
    private Promise<Void> drained;
    private long lastArrivalMillis;
    private final List<MessageConsumer<?>> consumers = new ArrayList<>();
    private final List<Meter> meters = new ArrayList<>();
    private Counter incomingRecords;
    private Counter incomingBytes;
    private Counter throttledPuts;
    private Counter throttledReads;
    private Counter outgoingRecords;
    private Counter outgoingBytes;
    private LogMeters logMeters;
    private WorkerExecutor writes;
    private WorkerExecutor reads;
    private WriteHealth writeHealth;

    /** Bytes per second a leader sends each learner (a replica being added) at most; 0: no limit. */
    private long catchUpBytesPerSecond;

    /** Bounds a leader's sends to each learner to {@code bytesPerSecond} (0: no limit); before deploying. */
    public ShardVerticle withCatchUpBytesPerSecond(long bytesPerSecond) {
        this.catchUpBytesPerSecond = bytesPerSecond;
        return this;
    }

    public ShardVerticle(StreamName stream, ShardDescription shard, Path dir, LogConfig logConfig,
                         ShardSettings settings, Clock clock, MeterRegistry metrics, Supplier<Keyring> keyring) {
        this(stream, shard, dir, logConfig, settings, clock, metrics, keyring, null);
    }

    /** A replica of the shard with {@code role} in its replica set (null: standalone, no replicas). */
    public ShardVerticle(StreamName stream, ShardDescription shard, Path dir, LogConfig logConfig, ShardSettings settings,
                         Clock clock, MeterRegistry metrics, Supplier<Keyring> keyring, ReplicaRole role) {
        this.role = role;
        this.stream = stream;
        this.shard = shard;
        this.dir = dir;
        this.logConfig = logConfig;
        this.settings = settings;
        this.clock = clock;
        this.metrics = metrics;
        this.keyring = keyring;
    }

    /**
     * Changes this replica's replica set and learners in place, as the catalog did under the same leader and
     * epoch: a leader's {@link Replicator} starts and stops links and counts the new voters from now on; a
     * follower has nothing to change (it only takes its leader's batches). Callable from any thread; the
     * stage completes once the change is applied on this verticle's context and, on a leader, a majority of
     * the new voters holds its commit point (see {@link Replicator#reconfigure}), with true, or after
     * {@value #SETTLE_MILLIS} ms without that, with false. It fails for another leader or epoch (that is a new
     * verticle).
     */
    public CompletionStage<Boolean> changeReplicas(ReplicaRole next) {
        CompletableFuture<Boolean> applied = new CompletableFuture<>();
        context.runOnContext(v -> {
            if (role == null || !role.sameLeadership(next)) {
                applied.completeExceptionally(new IllegalArgumentException(shardName() + ": " + next
                        + " is not a change in place of " + role));
                return;
            }
            Future<Void> settled = replicator == null ? Future.succeededFuture() : replicator.reconfigure(next);
            role = next;
            LOG.info("Shard {} of stream {}: replicas {} (learners {}) at leader epoch {}, in place", shard.shardId(),
                    stream, next.replicas(), next.learners(), next.epoch());
            long timer = vertx.setTimer(SETTLE_MILLIS, t -> {
                LOG.warn("Shard {} of stream {}: the new replicas {} do not hold the commit point after {} ms; answering "
                        + "the catalog anyway", shard.shardId(), stream, next.replicas(), SETTLE_MILLIS);
                applied.complete(false);
            });
            settled.onComplete(ar -> {
                vertx.cancelTimer(timer);
                applied.complete(true);
            });
        });
        return applied;
    }

    /** Bytes the log's recovery CRC-checked when this shard opened (0 before it is open). */
    public long bytesVerifiedAtOpen() {
        ShardLog l = log;
        return l == null ? 0 : l.recovery().bytesVerified();
    }

    @Override
    public Future<?> start() {
        ThroughputLimits l = settings.limits();
        writeBytes = new TokenBucket(l.writeBytesPerSecond(), clock);
        writeRecords = new TokenBucket(l.writeRecordsPerSecond(), clock);
        readBytes = new TokenBucket(l.readBytesPerSecond(), clock);
        readCalls = new TokenBucket(l.readCallsPerSecond(), clock);
        registerMeters();
        // The Engine opened both pools first, with the configured sizes; these handles share them by name.
        writes = LogPools.defaults().openWrites(vertx);
        reads = LogPools.defaults().openReads(vertx);
        writeHealth = new WriteHealth(vertx, stream, shard.shardId(), () -> writes.executeBlocking(() -> {
            WriteProbe.run(dir, log);
            return null;
        }));
        long retention = settings.retentionMillis();
        String encryptionKeyId = settings.encryptionKeyId();
        return writes.executeBlocking(() -> {
            ShardLog opened = ShardLog.open(dir, logConfig, clock, keyring);
            try {
                opened.setRetentionMillis(retention);
                opened.setEncryption(encryptionKeyId);
                history = startHistory(LeaderEpochs.read(dir), opened.endOffset());
                // The start offset is looked up in the time index: on this worker, like all file access.
                LOG.info("Shard {} of stream {} open at offsets [{}, {})", shard.shardId(), stream,
                        opened.startOffset(), opened.endOffset());
                return opened;
            } catch (RuntimeException e) {
                opened.close();
                throw e;
            }
        })
                .compose(opened -> {
                    log = opened;
                    lastArrivalMillis = log.lastArrivalMillis();
                    EventBus bus = vertx.eventBus();
                    if (role != null) {
                        consumers.add(bus.consumer(Addresses.replicaState(role.nodeId(), stream, shard.shardId()), this::onReplicaState));
                    }
                    if (role != null && !role.leads()) {
                        follower = new Follower(shardName() + " on " + role.nodeId(), role.epoch(), history, new FollowerLog());
                        consumers.add(bus.consumer(Addresses.replicaAppend(role.nodeId(), stream, shard.shardId()), follower::onReplicate));
                        startTimers();
                        return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
                    }
                    visibleEnd = role == null ? log.endOffset() : -1;
                    if (role != null) {
                        replicator = new Replicator(vertx, stream, shard.shardId(), role, new LogSource(() -> log, () -> history, reads), log.endOffset(),
                                this::committed, this::depose, catchUpBytesPerSecond);
                    }
                    consumers.add(bus.consumer(Addresses.shardAppend(stream, shard.shardId()), this::onAppend));
                    consumers.add(bus.consumer(Addresses.shardRead(stream, shard.shardId()), this::onRead));
                    consumers.add(bus.consumer(Addresses.shardResolve(stream, shard.shardId()), this::onResolve));
                    consumers.add(bus.consumer(Addresses.shardConfigure(stream, shard.shardId()), this::onConfigure));
                    consumers.add(bus.consumer(Addresses.shardStatus(stream, shard.shardId()), this::onStatus));
                    if (shard.isOpen()) {
                        consumers.add(bus.consumer(Addresses.shardSeal(stream, shard.shardId()), this::onSeal));
                    }
                    startTimers();
                    return Future.all(consumers.stream().map(MessageConsumer::completion).toList())
                            .onSuccess(v -> {
                                if (replicator != null) {
                                    replicator.start();
                                }
                            });
                });
    }

    private void startTimers() {
        if (logConfig.fsyncPolicy() == FsyncPolicy.INTERVAL) {
            vertx.setPeriodic(logConfig.fsyncIntervalMillis(), id -> flushInBackground());
        }
        vertx.setPeriodic(RETENTION_CHECK_MILLIS, id -> enforceRetention());
    }

    /**
     * The leader-epoch history to run with, made durable before the shard takes anything: a leader adds its
     * epoch at the log's end (its epoch's records start there); a follower keeps what it has.
     */
    private LeaderEpochs startHistory(LeaderEpochs stored, long end) throws IOException {
        if (role == null || !role.leads()) {
            return stored;
        }
        LeaderEpochs led = stored.with(role.epoch(), end);
        if (!led.equals(stored)) {
            led.write(dir);
        }
        return led;
    }

    /** Stops taking requests, waits for queued appends to become durable, then closes the log. */
    @Override
    public Future<?> stop() {
        stopping = true;
        meters.forEach(metrics::remove);
        if (replicator != null) {
            replicator.close();
            failUncommitted(shardName() + " is shutting down; the put may or may not be stored, retry it");
            failCommitWaiters(shardName() + " is shutting down");
        }
        return idle()
                .compose(v -> Future.all(consumers.stream().map(MessageConsumer::unregister).toList()))
                .compose(v -> follower == null ? Future.succeededFuture() : follower.idle())
                .compose(v -> log == null ? Future.succeededFuture() : writes.executeBlocking(() -> {
                    log.close();
                    return null;
                }))
                .eventually(() -> {
                    writeHealth.close();
                    return Future.join(writes.close(), reads.close());
                });
    }

    private void onAppend(Message<AppendRequest> message) {
        if (stopping) {
            message.fail(ErrorCode.SERVICE_UNAVAILABLE.failureCode(), shardName() + " is shutting down");
            return;
        }
        if (deposed) {
            message.fail(ErrorCode.SERVICE_UNAVAILABLE.failureCode(), shardName() + " has a new leader; retry");
            return;
        }
        if (!shard.isOpen() || sealed) {
            message.fail(ErrorCode.RESOURCE_IN_USE.failureCode(), shardName() + " is closed to writes");
            return;
        }
        List<AppendRequest.Entry> entries = message.body().entries();
        long now = Math.max(clock.millis(), lastArrivalMillis);
        lastArrivalMillis = now;
        long[] offsets = new long[entries.size()];
        List<AppendRecord> accepted = new ArrayList<>(entries.size());
        long acceptedBytes = 0;
        boolean throttling = false;
        for (AppendRequest.Entry e : entries) {
            if (e.data().length > settings.maxRecordBytes()) {
                message.fail(ErrorCode.PAYLOAD_TOO_LARGE.failureCode(), "Record of " + e.data().length
                        + " bytes exceeds the " + settings.maxRecordBytes() + " byte limit of stream " + stream);
                return;
            }
        }
        for (int i = 0; i < entries.size(); i++) {
            AppendRequest.Entry e = entries.get(i);
            int billed = Limits.billedBytes(e.partitionKey(), e.data().length);
            // Once one record does not fit, none after it in this request is written either: a smaller
            // later record of the same key must not overtake one the producer will retry.
            throttling = throttling || !(writeRecords.canTake(1) && writeBytes.canTake(billed));
            if (!throttling) {
                writeRecords.tryTake(1);
                writeBytes.tryTake(billed);
                accepted.add(new AppendRecord(e.partitionKey(), e.data(), now));
                acceptedBytes += billed;
            } else {
                offsets[i] = AppendReply.THROTTLED;
            }
        }
        int throttled = entries.size() - accepted.size();
        if (throttled > 0) {
            throttledPuts.increment(throttled);
        }
        long retryAfter = throttled == 0 ? 0 : Math.max(writeRecords.millisUntil(1), writeBytes.millisUntil(1));
        if (accepted.isEmpty()) {
            message.reply(new AppendReply(offsets, retryAfter));
            return;
        }
        pending.add(new Pending(message, offsets, accepted, acceptedBytes, retryAfter));
        writeNext();
    }

    /** Writes everything pending as one batch, unless a write is already running (group commit). */
    private void writeNext() {
        if (writing || pending.isEmpty()) {
            if (!writing && drained != null) {
                drained.tryComplete();
            }
            return;
        }
        writing = true;
        List<Pending> group = new ArrayList<>();
        List<AppendRecord> batch = new ArrayList<>();
        long bytes = 0;
        while (!pending.isEmpty() && (group.isEmpty() || bytes + pending.peek().bytes <= MAX_GROUP_BYTES)) {
            Pending p = pending.poll();
            group.add(p);
            batch.addAll(p.records);
            bytes += p.bytes;
        }
        long groupBytes = bytes;
        writes.executeBlocking(() -> logMeters.append().recordCallable(() -> log.append(batch)))
                .onSuccess(firstOffset -> {
                    writeHealth.succeeded();
                    logMeters.batchRecords().record(batch.size());
                    logMeters.batchBytes().record(groupBytes);
                    List<Record> records = written(batch, firstOffset);
                    if (deposed || stopping && replicator != null) {
                        // Written after this leader stepped down: nobody will commit it here.
                        group.forEach(p -> p.message.fail(ErrorCode.SERVICE_UNAVAILABLE.failureCode(), maybeStored()));
                    } else if (replicator == null) {
                        visibleEnd = firstOffset + batch.size();
                        acknowledge(group, records, groupBytes);
                    } else {
                        uncommitted.add(new Written(group, records, groupBytes));
                        replicator.appended(records);
                    }
                })
                .onFailure(err -> {
                    if (err instanceof KeyUnavailableException k) {
                        // The stream's KMS key is missing or disabled: the caller's problem, the log is fine.
                        group.forEach(p -> Failures.fail(p.message, kmsFailure(k)));
                        return;
                    }
                    LOG.error("Append of {} records to shard {} of stream {} failed: {}", batch.size(),
                            shard.shardId(), stream, err.toString());
                    if (err instanceof IOException) {
                        writeHealth.failed(err);
                    }
                    // The log's message names the segment file and the OS error: for the log only.
                    RiffleException e = new RiffleException(ErrorCode.INTERNAL_FAILURE, "Write to " + shardName()
                            + " failed; nothing of this request was written");
                    group.forEach(p -> Failures.fail(p.message, e));
                })
                .onComplete(ar -> {
                    writing = false;
                    writeNext();
                });
    }

    /** The batch as the log now holds it, from {@code firstOffset} on. */
    private List<Record> written(List<AppendRecord> batch, long firstOffset) {
        boolean encrypted = log.encrypted(firstOffset); // one batch, one segment
        List<Record> written = new ArrayList<>(batch.size());
        long o = firstOffset;
        for (AppendRecord r : batch) {
            written.add(new Record(o++, r.arrivalMillis(), r.partitionKey(), r.data(), encrypted));
        }
        return written;
    }

    private void acknowledge(List<Pending> group, List<Record> written, long bytes) {
        long offset = written.get(0).offset();
        boolean encrypted = written.get(0).encrypted();
        for (Pending p : group) {
            for (int i = 0; i < p.offsets.length; i++) {
                if (p.offsets[i] != AppendReply.THROTTLED) {
                    p.offsets[i] = offset++;
                }
            }
            p.message.reply(new AppendReply(p.offsets, p.retryAfterMillis, encrypted));
        }
        incomingRecords.increment(written.size());
        incomingBytes.increment(bytes);
        vertx.eventBus().publish(Addresses.shardAppended(stream, shard.shardId()),
                new ShardRecords(stream, shard.shardId(), written));
    }

    /** The commit point passed these batches: answer their puts and push their records, in log order. */
    private void committed(long commit) {
        visibleEnd = commit;
        while (!uncommitted.isEmpty() && uncommitted.peek().end() <= commit) {
            Written w = uncommitted.poll();
            acknowledge(w.group, w.records, w.bytes);
        }
        if (commit >= log.endOffset()) {
            commitWaiters.forEach(Promise::tryComplete);
            commitWaiters.clear();
        }
    }

    /** A newer leader exists: answer nothing more as leader; the catalog soon makes this replica a follower. */
    private void depose() {
        if (deposed) {
            return;
        }
        deposed = true;
        // If the catalog moved the leadership, this verticle is replaced in a moment and the request is ignored
        // (it names this epoch). If an election promised a newer epoch but never committed, nobody leads: ask
        // the catalog leader to elect again, until it has.
        JsonObject reelect = new JsonObject().put("stream", stream.value()).put("shard", shard.shardId().index())
                .put("epoch", role.epoch());
        vertx.eventBus().send(Addresses.shardReelect(), reelect);
        vertx.setPeriodic(REELECT_MILLIS, t -> vertx.eventBus().send(Addresses.shardReelect(), reelect));
        failUncommitted(maybeStored());
        failCommitWaiters(maybeStored());
        pending.forEach(p -> p.message.fail(ErrorCode.SERVICE_UNAVAILABLE.failureCode(), shardName() + " has a new leader; retry"));
        pending.clear();
    }

    /** Why a put written here but not committed fails: the next leader may or may not hold it. */
    private String maybeStored() {
        return shardName() + " has a new leader; the put may or may not be stored, retry it";
    }

    private void failUncommitted(String why) {
        uncommitted.forEach(w -> w.group.forEach(p -> p.message.fail(ErrorCode.SERVICE_UNAVAILABLE.failureCode(), why)));
        uncommitted.clear();
    }

    /** Whether reads must wait: stopping, deposed, or a new leader that does not know its commit point yet. */
    private String unreadable() {
        if (stopping) {
            return shardName() + " is shutting down";
        }
        if (deposed) {
            return shardName() + " has a new leader; retry";
        }
        return visibleEnd < 0 ? shardName() + " has a new leader that is catching its replicas up; retry" : null;
    }

    /**
     * A catalog leader electing this shard's leader for {@code epoch}: a follower promises to refuse older
     * epochs from now on; a leader of an older epoch is deposed (another node is about to lead).
     */
    private void onReplicaState(Message<JsonObject> message) {
        long proposed = message.body().getLong("epoch", 0L);
        if (follower != null) {
            message.reply(follower.promise(proposed));
            return;
        }
        if (role != null && proposed > role.epoch() && !deposed) {
            LOG.warn("Shard {} of stream {}: an election for leader epoch {} is running; this leader of epoch {} steps down",
                    shard.shardId(), stream, proposed, role.epoch());
            replicator.close();
            depose();
        }
        message.reply(new JsonObject().put("lastEpoch", history.lastEpoch()).put("end", log.endOffset())
                .put("commit", visibleEnd).put("leader", true));
    }

    private void onRead(Message<ReadRequest> message) {
        ReadRequest r = message.body();
        String unreadable = unreadable();
        if (unreadable != null) {
            message.fail(ErrorCode.SERVICE_UNAVAILABLE.failureCode(), unreadable);
            return;
        }
        if (r.sharedQuota() && !(readBytes.hasTokens() && readCalls.tryTake(1))) {
            throttledReads.increment();
            message.fail(ErrorCode.PROVISIONED_THROUGHPUT_EXCEEDED.failureCode(), "Rate exceeded for "
                    + shardName() + ": the shared read limit is " + settings.limits().readCallsPerSecond()
                    + " reads/s and " + settings.limits().readBytesPerSecond() + " bytes/s");
            return;
        }
        long endBefore = visibleEnd;
        int maxRecords = Math.max(1, Math.min(r.maxRecords(), Limits.GET_RECORDS_MAX_RECORDS));
        int maxBytes = Math.max(1, Math.min(r.maxBytes(), Limits.GET_RECORDS_MAX_BYTES));
        reads.executeBlocking(() -> committedOnly(log.read(r.offset(), maxRecords, maxBytes), endBefore), false)
                .onSuccess(records -> message.reply(toBatch(r, records, endBefore)))
                // A read the stop overtook (the log closed under it) is no failure of the log: ask for a retry,
                // which finds the shard again or learns that it is gone.
                .onFailure(err -> Failures.fail(message, stopping
                        ? new RiffleException(ErrorCode.SERVICE_UNAVAILABLE, shardName() + " is shutting down")
                        : err instanceof KeyUnavailableException k ? kmsFailure(k)
                        : internalFailure("Read from " + shardName() + " at offset " + r.offset(), err)));
    }

    /** The records below {@code end}: a leader's log holds records not yet committed, which no reader may see. */
    private static List<Record> committedOnly(List<Record> records, long end) {
        if (records.isEmpty() || records.get(records.size() - 1).offset() < end) {
            return records;
        }
        int n = 0;
        while (n < records.size() && records.get(n).offset() < end) {
            n++;
        }
        return records.subList(0, n);
    }

    private ReadBatch toBatch(ReadRequest r, List<Record> records, long endBefore) {
        long bytes = 0;
        for (Record rec : records) {
            bytes += rec.data().length;
        }
        if (r.sharedQuota()) {
            readBytes.charge(bytes);
            outgoingRecords.increment(records.size());
            outgoingBytes.increment(bytes);
        }
        long next;
        long behind;
        if (records.isEmpty()) {
            // Nothing readable between the request and the end seen before reading: all of it expired.
            next = Math.max(r.offset(), endBefore);
            behind = 0;
        } else {
            Record last = records.get(records.size() - 1);
            next = last.offset() + 1;
            behind = next >= visibleEnd ? 0 : Math.max(0, clock.millis() - last.arrivalMillis());
        }
        boolean end = (!shard.isOpen() || closed) && next >= visibleEnd;
        return new ReadBatch(records, next, behind, end);
    }

    /**
     * The shard's part in a reshard, in two steps so that a reader never meets the end of a shard whose
     * children the catalog does not know yet: {@code seal} stops writes and answers the offset of the last
     * record ({@code lastOffset}, absent if the log never had one) once every accepted append is durable;
     * {@code close} (the catalog now has the children) lets reads report the end of the shard;
     * {@code reopen} undoes a seal when the reshard failed.
     */
    private void onSeal(Message<JsonObject> message) {
        switch (message.body().getString("phase")) {
            case "seal" -> {
                sealed = true;
                idle().compose(v -> allCommitted()).onComplete(ar -> {
                    if (ar.failed()) {
                        Failures.fail(message, ar.cause());
                        return;
                    }
                    long end = log.endOffset();
                    JsonObject sealedAt = end == 0 ? new JsonObject() : new JsonObject().put("lastOffset", end - 1);
                    // The reshard's persist is fenced on the epoch this leader sealed the shard in.
                    message.reply(role == null ? sealedAt : sealedAt.put("epoch", role.epoch()));
                });
            }
            case "close" -> {
                closed = true;
                LOG.info("Shard {} of stream {} closed at offset {}", shard.shardId(), stream, log.endOffset());
                // An empty batch tells live subscribers to look at the log once more, where they find the end.
                vertx.eventBus().publish(Addresses.shardAppended(stream, shard.shardId()),
                        new ShardRecords(stream, shard.shardId(), List.of()));
                message.reply(new JsonObject());
            }
            case "reopen" -> {
                sealed = false;
                message.reply(new JsonObject());
            }
            default -> message.fail(ErrorCode.INVALID_ARGUMENT.failureCode(), "Unknown seal phase " + message.body());
        }
    }

    /**
     * Completes once every record of the log is below the commit point (at once standalone): the ending
     * sequence number of a sealed parent never covers a record a failover could lose. Fails if this leader is
     * deposed or stops first.
     */
    private Future<Void> allCommitted() {
        String unavailable = deposed || stopping ? shardName() + " has a new leader or is stopping; retry" : null;
        if (unavailable != null) {
            return Future.failedFuture(new RiffleException(ErrorCode.SERVICE_UNAVAILABLE, unavailable));
        }
        if (replicator == null || visibleEnd >= log.endOffset()) {
            return Future.succeededFuture();
        }
        Promise<Void> p = Promise.promise();
        commitWaiters.add(p);
        return p.future();
    }

    private void failCommitWaiters(String why) {
        commitWaiters.forEach(p -> p.tryFail(new RiffleException(ErrorCode.SERVICE_UNAVAILABLE, why)));
        commitWaiters.clear();
    }

    /** Completes once no append is being written or waiting. */
    private Future<Void> idle() {
        if (!writing && pending.isEmpty()) {
            return Future.succeededFuture();
        }
        if (drained == null || drained.future().isComplete()) {
            drained = Promise.promise();
        }
        return drained.future();
    }

    /** Resolves on the read pool: the start offset and AT_TIMESTAMP look into the time index and segments. */
    private void onResolve(Message<JsonObject> message) {
        String type = message.body().getString("type");
        long value = message.body().getLong("value", 0L);
        String unreadable = unreadable();
        if (unreadable != null) {
            message.fail(ErrorCode.SERVICE_UNAVAILABLE.failureCode(), unreadable);
            return;
        }
        reads.executeBlocking(() -> resolve(type, value), false)
                .onSuccess(message::reply)
                .onFailure(err -> Failures.fail(message, err instanceof RiffleException
                        ? err : internalFailure("Resolving " + type + " in " + shardName(), err)));
    }

    /** Resolves an iterator type to the offset of the next record to read. Runs on the read pool. */
    private long resolve(String type, long value) {
        long end = visibleEnd;
        long start = Math.min(log.startOffset(), end);
        return switch (type) {
            case "TRIM_HORIZON" -> start;
            case "LATEST" -> end;
            // AT the end offset is "the next record to be written": where a caught-up reader continues.
            case "AT_SEQUENCE_NUMBER" -> Math.max(start, requireIssued(value, end + 1));
            case "AFTER_SEQUENCE_NUMBER" -> Math.max(start, requireIssued(value, end) + 1);
            case "AT_TIMESTAMP" -> Math.min(log.offsetForTimestamp(value), end);
            default -> throw RiffleException.invalidArgument("Unknown position type " + type);
        };
    }

    /** Checks that {@code offset} is below {@code limit}, else the sequence number is from the future. */
    private long requireIssued(long offset, long limit) {
        if (offset >= limit) {
            throw RiffleException.invalidArgument("Sequence number with offset " + offset + " has not been issued in "
                    + shardName() + " (next offset is " + visibleEnd + ")");
        }
        return offset;
    }

    private void onConfigure(Message<JsonObject> message) {
        JsonObject body = message.body();
        ThroughputLimits limits = StreamJson.limitsFromJson(body.getJsonObject("limits"));
        if (!limits.equals(settings.limits())) {
            writeBytes.setRate(limits.writeBytesPerSecond());
            writeRecords.setRate(limits.writeRecordsPerSecond());
            readBytes.setRate(limits.readBytesPerSecond());
            readCalls.setRate(limits.readCallsPerSecond());
        }
        settings = new ShardSettings(limits, body.getLong("retentionMillis"), body.getInteger("maxRecordBytes"),
                body.getString("encryptionKeyId"));
        long retention = settings.retentionMillis();
        String encryptionKeyId = settings.encryptionKeyId();
        writes.executeBlocking(() -> {
            log.setEncryption(encryptionKeyId);
            log.setRetentionMillis(retention);
            return log.enforceRetention();
        }).onSuccess(deleted -> message.reply(null))
                .onFailure(err -> Failures.fail(message, internalFailure("Applying the retention period of "
                        + Math.floorDiv(retention, 3_600_000L) + " hours to " + shardName(), err)));
    }

    /**
     * Reports the log's damaged records (the start offset behind them may read an index file: off the event
     * loop), what this leader wrote and throttled since it started, for ON_DEMAND scaling, which runs on
     * the catalog leader's node, not necessarily this one, and, replicated, the followers and learners in
     * sync (the catalog leader's replica moves wait for them).
     */
    private void onStatus(Message<JsonObject> message) {
        JsonArray inSync = new JsonArray(replicator == null ? List.of() : new ArrayList<>(replicator.inSyncNodes()));
        if (log.corruptRecordsFound() == 0) {
            message.reply(status(List.of(), inSync));
            return;
        }
        reads.executeBlocking(() -> log.damaged().stream()
                        .map(d -> new DamagedRecords(d.fromOffset(), d.toOffset(), d.location(), d.reason())).toList(), false)
                .onSuccess(damaged -> message.reply(status(damaged, inSync)))
                .onFailure(err -> Failures.fail(message, err));
    }

    private JsonObject status(List<DamagedRecords> damaged, JsonArray inSync) {
        return new JsonObject().put("damaged", StreamJson.toJson(damaged)).put("inSync", inSync)
                .put("written", new JsonObject().put("records", (long) incomingRecords.count())
                        .put("bytes", (long) incomingBytes.count()).put("throttled", (long) throttledPuts.count()));
    }

    private void flushInBackground() {
        writes.executeBlocking(() -> {
            logMeters.flush().recordCallable(() -> {
                log.flush();
                return null;
            });
            return null;
        }).onFailure(err -> {
            // Once the log refuses writes every interval fails the same way: say it once. (A good fsync proves
            // nothing about free space, so only a write or the probe clears the failure.)
            if (writeHealth.failed(err)) {
                LOG.error("Interval fsync of shard {} of stream {} failed: {}", shard.shardId(), stream, err.toString());
            }
        });
    }

    /**
     * Logs a failure with its detail (file names, OS error) and returns what the client may see: what failed,
     * naming the shard, without the cause's text.
     */
    private RiffleException internalFailure(String what, Throwable err) {
        LOG.error("{} failed: {}", what, err.toString());
        // Damage is described without file paths, and the offsets tell a reader where to resume.
        return new RiffleException(ErrorCode.INTERNAL_FAILURE, what + " failed"
                + (err instanceof CorruptLogException c ? ": " + c.getMessage() : ""));
    }

    private static RiffleException kmsFailure(KeyUnavailableException e) {
        return new RiffleException(ErrorCode.ofKms(e.errorType()), e.getMessage());
    }

    private void enforceRetention() {
        writes.executeBlocking(() -> log.enforceRetention())
                .onSuccess(n -> {
                    if (n > 0) {
                        LOG.info("Retention deleted {} segments of shard {} of stream {}", n, shard.shardId(), stream);
                    }
                })
                .onFailure(err -> LOG.error("Retention on shard {} of stream {} failed: {}", shard.shardId(), stream,
                        err.toString()));
    }

    private void registerMeters() {
        Tags tags = Tags.of("stream", stream.value(), "shard", shard.shardId().toString());
        incomingRecords = counter("riffle.shard.incoming.records", tags, "Records written");
        incomingBytes = counter("riffle.shard.incoming.bytes", tags, "Partition key and data bytes written");
        throttledPuts = counter("riffle.shard.throttled.puts", tags, "Records refused by the write limits");
        throttledReads = counter("riffle.shard.throttled.reads", tags, "Polling reads refused by the read limits");
        outgoingRecords = counter("riffle.shard.outgoing.records", tags.and("consumer", "shared"), "Records read by polling");
        outgoingBytes = counter("riffle.shard.outgoing.bytes", tags.and("consumer", "shared"), "Data bytes read by polling");
        logMeters = LogMeters.of(metrics);
        // Kafka's under-replicated partitions: a leader's shard with fewer replicas in sync than it has.
        // Standalone a shard is its one replica, always in sync; followers report nothing (their leader does).
        if (role == null || role.leads()) {
            meters.add(Gauge.builder("riffle.shard.replicas", this, v -> v.role == null ? 1 : v.role.replicas().size())
                    .tags(tags).description("Replicas the shard has, its leader included").register(metrics));
            meters.add(Gauge.builder("riffle.shard.replicas.in.sync", this, v -> v.replicator == null ? 1 : v.replicator.inSync())
                    .tags(tags).description("Replicas holding the leader's log now, the leader included").register(metrics));
        }
        meters.add(FunctionCounter.builder("riffle.log.corrupt.frames", this, v -> v.log == null ? 0 : v.log.corruptRecordsFound())
                .tags(tags).description("Unreadable records found in the shard's log: damaged frames, missing or cut segment files")
                .register(metrics));
    }

    private Counter counter(String name, Tags tags, String help) {
        Counter c = Counter.builder(name).tags(tags).description(help).register(metrics);
        meters.add(c);
        return c;
    }

    private String shardName() {
        return shard.shardId() + " of stream " + stream;
    }

    /** A group of puts written to this replica's log, waiting for the commit point. */
    private record Written(List<Pending> group, List<Record> records, long bytes) {
        long end() {
            return records.get(records.size() - 1).offset() + 1;
        }
    }

    /** The follower's log: every change on the write pool, in order with retention and flushes. */
    private final class FollowerLog implements Follower.Log {
        @Override
        public long end() {
            return log.endOffset();
        }

        @Override
        public Future<Long> append(List<AppendRecord> records) {
            return writes.executeBlocking(() -> logMeters.append().recordCallable(() -> log.append(records)))
                    .onSuccess(first -> writeHealth.succeeded())
                    .onFailure(err -> {
                        if (err instanceof IOException) {
                            writeHealth.failed(err);
                        }
                    });
        }

        @Override
        public Future<Void> truncate(long offset) {
            return reopenAfter(() -> LogTruncation.truncate(dir, offset));
        }

        @Override
        public Future<Void> restartAt(long offset) {
            return reopenAfter(() -> LogTruncation.restartAt(dir, offset));
        }

        /** Closes the log, changes its files and opens it again, on the write pool. */
        private Future<Void> reopenAfter(FileChange change) {
            long retention = settings.retentionMillis();
            return writes.executeBlocking(() -> {
                log.close();
                change.apply();
                ShardLog reopened = ShardLog.open(dir, logConfig, clock, keyring);
                reopened.setRetentionMillis(retention);
                reopened.setEncryption(settings.encryptionKeyId());
                log = reopened;
                return null;
            });
        }

        @Override
        public Future<Void> saveHistory(LeaderEpochs h) {
            return writes.executeBlocking(() -> {
                h.write(dir);
                return null;
            });
        }
    }

    /** A change of a closed log's files. */
    private interface FileChange {
        void apply() throws IOException;
    }

    /** An append request waiting for its batch to be written. */
    private record Pending(Message<AppendRequest> message, long[] offsets, List<AppendRecord> records, long bytes,
                           long retryAfterMillis) {
    }
}
