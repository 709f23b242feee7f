package io.riffle.gateway.subscription;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.model.ConsumerDescription;
import io.riffle.model.ConsumerName;
import io.riffle.model.Record;
import io.riffle.model.SequenceNumber;
import io.riffle.model.ShardId;
import io.riffle.model.StreamName;
import io.riffle.stream.ReadBatch;
import io.riffle.stream.ReadFrom;
import io.riffle.stream.ShardRecords;
import io.riffle.stream.StreamClient;
import io.riffle.throttle.TokenBucket;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes every record of one shard to one {@link SubscriptionSink}, from a starting position onward, in
 * offset order, without gaps or duplicates: the engine of enhanced fan-out, shared by the WebSocket API and
 * Kinesis SubscribeToShard.
 *
 * <h2>How it works</h2>
 * <ol>
 *   <li>{@link #start} first takes over any other subscription of the same stream, shard and consumer
 *       (on any gateway verticle or node, through the event bus), then registers for live records
 *       ({@link StreamClient#onAppended}) BEFORE resolving the starting position, so no record acknowledged
 *       after the position was resolved can be missed.</li>
 *   <li>Catch-up: while the log holds records past the next offset, it reads them with
 *       {@link StreamClient#read} ({@code sharedQuota=false}: enhanced fan-out does not use the shard's
 *       shared polling quota).</li>
 *   <li>Live: once a read comes back empty, records pushed by the shard are delivered from a small buffer.
 *       Records at offsets already delivered are dropped, so the switch never duplicates.</li>
 *   <li>It ends with {@link SubscriptionEnd.Failed} (RESOURCE_NOT_FOUND) once its stream is deleted or its
 *       consumer registration is gone ({@link RegistrationWatch}).</li>
 * </ol>
 *
 * <h2>Pace and memory</h2>
 * Pull-based: one {@link ShardEvent} per unit of demand from {@link #request(long)}; with no demand it
 * reads nothing. Live records arriving meanwhile are buffered up to
 * {@link SubscriptionOptions#maxBufferedBytes()}; past that they are not kept (they are read back from the
 * log once the sink asks again), so a slow sink never grows memory beyond one batch plus that bound.
 * Delivery is limited to {@link SubscriptionOptions#bytesPerSecond()} by a token bucket owned by this
 * subscription (per consumer and shard, independent of other consumers). While the sink has demand and
 * nothing happens, a heartbeat (an event without records) goes out every
 * {@link SubscriptionOptions#heartbeatMillis()}, after one look at the log (so a deleted stream ends the
 * subscription with {@link SubscriptionEnd.Failed}, and no record can be missed for good).
 *
 * <h2>Threading</h2>
 * Everything runs on the Vert.x context that called {@link #start}; call {@link #request} and
 * {@link #cancel} from that context too. Sink callbacks come on it.
 */
public final class ShardSubscription {
    private static final Logger LOG = LoggerFactory.getLogger(ShardSubscription.class);
    private static final long RETRY_MILLIS = 100;

    private final Vertx vertx;
    private final StreamClient client;
    private final StreamName stream;
    private final ShardId shard;
    private final ConsumerDescription registration;
    private final ConsumerName consumer;
    private final SubscriptionOptions options;
    private final SubscriptionSink sink;
    private final SubscriptionMetrics.Slot metrics;
    private final TokenBucket bucket;
    private final SubscriptionResources resources;
    private final String id = UUID.randomUUID().toString();

    private final ArrayDeque<Record> liveBuffer = new ArrayDeque<>();
    private long bufferedBytes;
    /** Offset of the next record to deliver; -1 until the starting position is resolved. */
    private long nextOffset = -1;
    /** Highest offset announced live; the log holds everything up to it. */
    private long highestSeen = -1;
    private long newestArrivalMillis;
    /** The last log read found nothing past nextOffset. */
    private boolean caughtUp;
    private boolean reading;
    /** The current log read was started by an idle heartbeat: if it finds nothing, the heartbeat goes out. */
    private boolean heartbeatDue;
    private long waitTimer = -1;
    private long demand;
    private long lastEventMillis;
    private boolean ended;

    private ShardSubscription(Vertx vertx, StreamClient client, StreamName stream, ShardId shard,
                              ConsumerDescription registration, SubscriptionOptions options, SubscriptionMetrics metrics,
                              SubscriptionSink sink) {
        this.vertx = vertx;
        this.client = client;
        this.stream = stream;
        this.shard = shard;
        this.registration = registration;
        this.consumer = registration.name();
        this.options = options;
        this.sink = sink;
        this.metrics = metrics.slot(stream, shard, consumer);
        this.resources = new SubscriptionResources(vertx, metrics.timers);
        this.bucket = new TokenBucket(options.bytesPerSecond(), options.clock());
    }

    /**
     * Starts a subscription on the current Vert.x context (it must be called on one). Demand starts at 0:
     * call {@link #request(long)} to receive events.
     *
     * @param consumer the registration subscribing (ends the subscription when it is gone)
     * @return the running subscription once its position is resolved; fails with the
     *         {@link RiffleException} of the engine (RESOURCE_NOT_FOUND for an unknown stream or shard,
     *         INVALID_ARGUMENT for a bad position, ...), in which case the sink hears nothing
     */
    public static Future<ShardSubscription> start(Vertx vertx, StreamClient client, StreamName stream, ShardId shard,
                                                  ConsumerDescription consumer, ReadFrom from, SubscriptionOptions options,
                                                  SubscriptionMetrics metrics, SubscriptionSink sink) {
        Context context = Vertx.currentContext();
        if (context == null) {
            throw new IllegalStateException("ShardSubscription.start must be called on a Vert.x context");
        }
        ShardSubscription s = new ShardSubscription(vertx, client, stream, shard, consumer, options, metrics, sink);
        return s.open(from).map(s);
    }

    /** The event bus address on which subscriptions of one stream, shard and consumer announce themselves. */
    static String takeoverAddress(StreamName stream, ShardId shard, ConsumerName consumer) {
        // ':' cannot occur in stream or consumer names, so the address is unambiguous.
        return "riffle.subscription.takeover:" + stream.value() + ":" + shard.index() + ":" + consumer.value();
    }

    private Future<Void> open(ReadFrom from) {
        String address = takeoverAddress(stream, shard, consumer);
        vertx.eventBus().publish(address, id);
        MessageConsumer<String> takeover = resources.consumer(vertx.eventBus().consumer(address, m -> {
            if (!id.equals(m.body())) {
                end(new SubscriptionEnd.TakenOver());
            }
        }));
        MessageConsumer<ShardRecords> live = resources.consumer(client.onAppended(stream, shard, this::onLive));
        Future<Void> watch = RegistrationWatch.start(vertx, client, stream, registration, resources, () -> ended,
                e -> end(new SubscriptionEnd.Failed(e)));
        metrics.subscribers.incrementAndGet();
        lastEventMillis = options.clock().millis();
        return Future.all(takeover.completion(), live.completion(), watch)
                .compose(v -> client.resolve(stream, shard, from))
                .<Void>map(offset -> {
                    if (ended) {
                        return null; // taken over or cancelled while the position was being resolved
                    }
                    nextOffset = offset;
                    dropDelivered();
                    long period = Math.max(10, Math.min(1000, options.heartbeatMillis() / 2));
                    resources.setPeriodic(period, t -> heartbeatIfIdle());
                    if (options.maxDurationMillis() > 0) {
                        resources.setTimer(options.maxDurationMillis(), t -> end(new SubscriptionEnd.Expired()));
                    }
                    LOG.debug("Subscription {} of consumer {} to {}/{} starts at offset {}", id, consumer, stream,
                            shard, offset);
                    pump();
                    return null;
                })
                .onFailure(e -> release());
    }

    public StreamName stream() {
        return stream;
    }

    public ShardId shardId() {
        return shard;
    }

    public ConsumerName consumer() {
        return consumer;
    }

    /**
     * The timers and event bus registrations of this subscription, released on every ending before the sink
     * hears {@link SubscriptionSink#onEnd}: a sink sets its own timers and consumers through it too.
     */
    public SubscriptionResources resources() {
        return resources;
    }

    /** Live-record bytes held in memory right now (at most {@link SubscriptionOptions#maxBufferedBytes()}). */
    public long bufferedBytes() {
        return bufferedBytes;
    }

    /** The offset of the next record this subscription will deliver. */
    public long nextOffset() {
        return nextOffset;
    }

    /** Grants demand for {@code n} more events. */
    public void request(long n) {
        if (n <= 0 || ended) {
            return;
        }
        demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
        pump();
    }

    /** Ends the subscription; the sink hears {@link SubscriptionEnd.Cancelled} unless it already ended. */
    public void cancel() {
        end(new SubscriptionEnd.Cancelled());
    }

    private void onLive(ShardRecords batch) {
        if (ended) {
            return;
        }
        if (batch.records().isEmpty()) {
            caughtUp = false; // the shard closed: the next read finds its end
        }
        for (Record r : batch.records()) {
            highestSeen = Math.max(highestSeen, r.offset());
            newestArrivalMillis = Math.max(newestArrivalMillis, r.arrivalMillis());
            if (nextOffset >= 0 && r.offset() < nextOffset) {
                continue; // already delivered (or about to be, from the log read in flight)
            }
            Record last = liveBuffer.peekLast();
            boolean contiguous = last == null || r.offset() == last.offset() + 1;
            if (contiguous && bufferedBytes + r.billedBytes() <= options.maxBufferedBytes()) {
                liveBuffer.addLast(r);
                bufferedBytes += r.billedBytes();
                metrics.buffered.addAndGet(r.billedBytes());
            }
            // Otherwise the record stays only in the log; highestSeen makes pump() read it from there.
        }
        pump();
    }

    /** Delivers what it can: the one place that decides between the buffer, the log and waiting. */
    private void pump() {
        if (ended || nextOffset < 0 || demand == 0 || reading || waitTimer >= 0) {
            return;
        }
        if (!bucket.hasTokens()) {
            waitFor(Math.max(1, bucket.millisUntil(1)));
            return;
        }
        if (bufferStartsAtNext()) {
            deliverFromBuffer();
        } else if (!caughtUp || highestSeen >= nextOffset) {
            readLog();
        }
    }

    private void deliverFromBuffer() {
        List<Record> out = new ArrayList<>();
        long bytes = 0;
        while (!liveBuffer.isEmpty() && out.size() < options.maxBatchRecords()) {
            Record r = liveBuffer.peekFirst();
            if (r.offset() != nextOffset + out.size() || (!out.isEmpty() && bytes + r.billedBytes() > options.maxBatchBytes())) {
                break;
            }
            liveBuffer.removeFirst();
            bytes += r.billedBytes();
            out.add(r);
        }
        bufferedBytes -= bytes;
        metrics.buffered.addAndGet(-bytes);
        Record last = out.get(out.size() - 1);
        nextOffset = last.offset() + 1;
        long behind = highestSeen < nextOffset ? 0 : Math.max(0, newestArrivalMillis - last.arrivalMillis());
        emit(out, behind);
    }

    private void readLog() {
        reading = true;
        client.read(stream, shard, nextOffset, options.maxBatchRecords(), options.maxBatchBytes(), false)
                .onComplete(ar -> {
                    reading = false;
                    if (ended) {
                        return;
                    }
                    if (ar.succeeded()) {
                        onRead(ar.result());
                    } else {
                        onReadFailed(RiffleException.of(ar.cause()));
                    }
                });
    }

    private void onRead(ReadBatch batch) {
        List<Record> fresh = batch.records().stream().filter(r -> r.offset() >= nextOffset).toList();
        if (fresh.isEmpty()) {
            nextOffset = Math.max(nextOffset, batch.nextOffset()); // records past retention are skipped
            caughtUp = true;
            if (batch.endOfShard()) {
                end(new SubscriptionEnd.EndOfShard());
            } else if (heartbeatDue) {
                heartbeatDue = false;
                emitHeartbeat();
            } else if (highestSeen >= nextOffset && !bufferStartsAtNext()) {
                waitFor(RETRY_MILLIS); // announced but not yet readable: try again shortly, not in a hot loop
            } else {
                pump();
            }
            return;
        }
        caughtUp = false;
        heartbeatDue = false;
        Record last = fresh.get(fresh.size() - 1);
        nextOffset = Math.max(batch.nextOffset(), last.offset() + 1);
        emit(fresh, batch.millisBehindLatest());
        if (batch.endOfShard() && !ended) {
            end(new SubscriptionEnd.EndOfShard());
        }
    }

    private void onReadFailed(RiffleException e) {
        heartbeatDue = false;
        if (e.code() == ErrorCode.PROVISIONED_THROUGHPUT_EXCEEDED || e.code() == ErrorCode.SERVICE_UNAVAILABLE) {
            LOG.debug("Read for subscription {} to {}/{} refused ({}), retrying", id, stream, shard, e.code());
            waitFor(RETRY_MILLIS * 5);
            return;
        }
        LOG.info("Subscription of consumer {} to {}/{} ends: {}", consumer, stream, shard, e.getMessage());
        end(new SubscriptionEnd.Failed(e));
    }

    private void emit(List<Record> records, long millisBehind) {
        demand--;
        lastEventMillis = options.clock().millis();
        ShardEvent event = new ShardEvent(shard, records, millisBehind, continuation());
        long bytes = event.billedBytes();
        bucket.charge(bytes);
        metrics.records.increment(records.size());
        metrics.bytes.increment(bytes);
        metrics.lagMillis.set(millisBehind);
        sink.onEvent(event);
        pump();
    }

    private void heartbeatIfIdle() {
        if (ended || demand == 0 || reading || options.clock().millis() - lastEventMillis < options.heartbeatMillis()) {
            return;
        }
        if (waitTimer >= 0) {
            emitHeartbeat(); // throttled or backing off: no read now
            return;
        }
        // Idle: look at the log once before the heartbeat. That notices a deleted stream or shard, and picks up
        // any record whose live notification never arrived.
        heartbeatDue = true;
        readLog();
    }

    private void emitHeartbeat() {
        long behind = highestSeen >= nextOffset ? Math.max(0, options.clock().millis() - newestArrivalMillis) : 0;
        emit(List.of(), behind);
    }

    private Optional<SequenceNumber> continuation() {
        return nextOffset > 0 ? Optional.of(new SequenceNumber(shard.index(), nextOffset - 1)) : Optional.empty();
    }

    private void waitFor(long millis) {
        waitTimer = resources.setTimer(millis, t -> {
            waitTimer = -1;
            pump();
        });
    }

    private boolean bufferStartsAtNext() {
        dropDelivered();
        Record head = liveBuffer.peekFirst();
        return head != null && head.offset() == nextOffset;
    }

    private void dropDelivered() {
        while (!liveBuffer.isEmpty() && liveBuffer.peekFirst().offset() < nextOffset) {
            Record r = liveBuffer.removeFirst();
            bufferedBytes -= r.billedBytes();
            metrics.buffered.addAndGet(-r.billedBytes());
        }
    }

    private void end(SubscriptionEnd reason) {
        if (ended) {
            return;
        }
        release();
        LOG.debug("Subscription {} of consumer {} to {}/{} ended: {}", id, consumer, stream, shard, reason);
        sink.onEnd(reason);
    }

    private void release() {
        if (ended) {
            return;
        }
        ended = true;
        resources.releaseAll();
        metrics.buffered.addAndGet(-bufferedBytes);
        bufferedBytes = 0;
        liveBuffer.clear();
        metrics.subscribers.decrementAndGet();
    }
}
