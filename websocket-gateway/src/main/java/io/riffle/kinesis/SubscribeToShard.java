package io.riffle.kinesis;

import static io.riffle.kinesis.Shapes.obj;

import io.riffle.error.RiffleException;
import io.riffle.model.Limits;
import io.riffle.model.Record;
import io.riffle.model.SequenceNumber;
import io.riffle.model.ShardId;
import io.riffle.model.StreamName;
import io.riffle.stream.ReadBatch;
import io.riffle.stream.ReadFrom;
import io.riffle.stream.ShardRecords;
import io.riffle.stream.StreamClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SubscribeToShard: enhanced fan-out push over one HTTP response in the AWS event stream format. Works on
 * HTTP/2 (h2c with prior knowledge, as the AWS SDK's async client sends it) and chunked HTTP/1.1.
 *
 * <p>A subscription first catches up from the log, then goes live: records the shard publishes
 * ({@link StreamClient#onAppended}) are pushed at once when they continue exactly where the subscription
 * stands, otherwise it reads the gap from the log, so there is neither a gap nor a duplicate at the switch.
 * It sends an event at least every 5 s, ends after 5 minutes, is limited to the configured bytes per second
 * per consumer and shard, follows HTTP back-pressure, and is taken over by a newer subscription of the same
 * consumer and shard (on any node: the takeover is a published event bus message).
 *
 * <p>The gateway's subscription component is not on main yet, so this is the Kinesis API's own minimal
 * catch-up-then-live loop.
 */
final class SubscribeToShard {
    /** What a successful subscribe answers to KinesisApi: the response is already being streamed. */
    static final Object STREAMING = new Object();
    private static final Logger LOG = LoggerFactory.getLogger(SubscribeToShard.class);
    private static final long SUBSCRIPTION_MILLIS = 300_000;
    private static final long HEARTBEAT_MILLIS = 4_000;
    private static final int EVENT_MAX_RECORDS = 10_000;
    private static final int EVENT_MAX_BYTES = Limits.MIB;
    private static final String TAKEOVER_PREFIX = "riffle.kinesis.subscription.";

    private final Vertx vertx;
    private final StreamClient streams;
    private final ConsumerOperations consumers;
    private final RecordOperations records;
    private final KinesisSettings settings;

    SubscribeToShard(Vertx vertx, StreamClient streams, ConsumerOperations consumers, RecordOperations records,
                     KinesisSettings settings) {
        this.vertx = vertx;
        this.streams = streams;
        this.consumers = consumers;
        this.records = records;
        this.settings = settings;
    }

    /**
     * Validates the request, finds the consumer and the start position, then starts streaming. The future
     * fails (and the caller answers an ordinary error) only before the response has started.
     */
    Future<Void> subscribe(KinesisRequest r, RoutingContext ctx) {
        if (!r.has("ConsumerARN")) {
            throw r.member("ConsumerARN").missing();
        }
        String shardWire = r.member("ShardId").requiredString();
        if (!r.has("StartingPosition")) {
            throw r.member("StartingPosition").missing();
        }
        KinesisRequest position = r.nested("StartingPosition");
        String type = position.member("Type").requiredString();
        if (!List.of("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP").contains(type)) {
            throw RiffleException.constraint("startingPosition.type", type, "satisfy enum value set: "
                    + "[AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST, AT_TIMESTAMP]");
        }
        String consumerArn = r.member("ConsumerARN").requiredString();
        return consumers.consumerOf(r).compose(found -> {
            ShardId shard = records.shardOf(found.stream(), shardWire);
            ReadFrom from = RecordOperations.readFrom(type, shard, position.member("SequenceNumber"),
                    position.member("Timestamp"));
            return streams.resolve(found.stream(), shard, from)
                    .map(offset -> {
                        new Subscription(found.stream(), shard, consumerArn, offset, ctx.response(),
                                ctx.request().version()).start();
                        return null;
                    });
        });
    }

    /** One live subscription; all its state is touched only on the request's event loop. */
    private final class Subscription {
        private final StreamName stream;
        private final ShardId shard;
        private final String takeoverAddress;
        private final String id = UUID.randomUUID().toString();
        private final HttpServerResponse response;
        private final HttpVersion version;
        private final long rate = settings.consumerBytesPerSecond();
        private long nextOffset;
        private double tokens;
        private long refilledNanos = System.nanoTime();
        private long lastEventMillis;
        private boolean reading;
        private boolean behind = true;
        private boolean ended;
        private long heartbeatTimer = -1;
        private long endTimer = -1;
        private long refillTimer = -1;
        private MessageConsumer<ShardRecords> appended;
        private MessageConsumer<String> takeover;

        Subscription(StreamName stream, ShardId shard, String consumerArn, long offset, HttpServerResponse response,
                     HttpVersion version) {
            this.stream = stream;
            this.shard = shard;
            this.takeoverAddress = TAKEOVER_PREFIX + consumerArn + "." + shard.index();
            this.nextOffset = offset;
            this.response = response;
            this.version = version;
            this.tokens = rate;
        }

        void start() {
            response.setStatusCode(200).putHeader("Content-Type", "application/vnd.amazon.eventstream");
            if (version != HttpVersion.HTTP_2) {
                response.setChunked(true);
            }
            response.closeHandler(v -> end(null));
            response.exceptionHandler(t -> end(null));
            response.drainHandler(v -> pump());
            takeover = vertx.eventBus().consumer(takeoverAddress, m -> {
                if (!id.equals(m.body())) {
                    end(RiffleException.inUse("Another subscription took over consumer and shard " + shard + "."));
                }
            });
            takeover.completion().onComplete(x -> vertx.eventBus().publish(takeoverAddress, id));
            appended = streams.onAppended(stream, shard, this::onAppended);
            response.write(EventStreamFrames.event("initial-response", "{}".getBytes()));
            lastEventMillis = System.currentTimeMillis();
            heartbeatTimer = vertx.setPeriodic(1_000, t -> {
                if (!reading && System.currentTimeMillis() - lastEventMillis >= HEARTBEAT_MILLIS) {
                    sendEvent(List.of(), 0, false);
                }
            });
            endTimer = vertx.setTimer(SUBSCRIPTION_MILLIS, t -> end(null));
            LOG.debug("SubscribeToShard started on stream {} shard {} at offset {}", stream, shard, nextOffset);
            appended.completion().onComplete(x -> pump());
        }

        /** Live records: pushed directly when contiguous and affordable, otherwise read from the log. */
        private void onAppended(ShardRecords batch) {
            if (ended || batch.records().isEmpty()) {
                return;
            }
            List<Record> recs = batch.records();
            if (!behind && !reading && recs.get(0).offset() == nextOffset && !response.writeQueueFull()) {
                long bytes = recs.stream().mapToLong(Record::billedBytes).sum();
                if (refill() >= bytes || rate == 0) {
                    spend(bytes);
                    nextOffset = recs.get(recs.size() - 1).offset() + 1;
                    sendEvent(recs, 0, false);
                    return;
                }
            }
            if (recs.get(recs.size() - 1).offset() >= nextOffset) {
                behind = true;
                pump();
            }
        }

        /** Reads from the log while behind, within the byte budget and while the client keeps up. */
        private void pump() {
            if (ended || reading || !behind || response.writeQueueFull()) {
                return;
            }
            if (rate > 0 && refill() <= 0) {
                if (refillTimer < 0) {
                    long waitMillis = Math.max(1, (long) Math.ceil(-tokens * 1000.0 / rate) + 1);
                    refillTimer = vertx.setTimer(waitMillis, t -> {
                        refillTimer = -1;
                        pump();
                    });
                }
                return;
            }
            reading = true;
            int maxBytes = rate == 0 ? EVENT_MAX_BYTES : (int) Math.min(EVENT_MAX_BYTES, Math.max(tokens, 1));
            streams.read(stream, shard, nextOffset, EVENT_MAX_RECORDS, maxBytes, false)
                    .onSuccess(this::onRead)
                    .onFailure(t -> {
                        reading = false;
                        end(RiffleException.of(t));
                    });
        }

        private void onRead(ReadBatch batch) {
            reading = false;
            if (ended) {
                return;
            }
            spend(batch.records().stream().mapToLong(Record::billedBytes).sum());
            nextOffset = batch.nextOffset();
            if (batch.endOfShard()) {
                streams.describe(stream).onComplete(d -> {
                    Map<String, Object> last = eventBody(batch.records(), batch.millisBehindLatest(), true);
                    last.put("ChildShards", d.succeeded() ? Shapes.childShards(d.result(), shard) : List.of());
                    write(last);
                    end(null);
                });
                return;
            }
            if (!batch.records().isEmpty()) {
                sendEvent(batch.records(), batch.millisBehindLatest(), false);
                pump();
            } else {
                // Caught up: from now on onAppended pushes records; a batch that raced the read re-arms pump.
                behind = false;
            }
        }

        private void sendEvent(List<Record> recs, long millisBehind, boolean endOfShard) {
            write(eventBody(recs, millisBehind, endOfShard));
        }

        private Map<String, Object> eventBody(List<Record> recs, long millisBehind, boolean endOfShard) {
            // The continuation is the last record delivered (or, before any, the one before the start),
            // to resume from with AFTER_SEQUENCE_NUMBER; AWS leaves it out only at the end of a closed shard.
            String continuation = endOfShard ? null : new SequenceNumber(shard.index(), Math.max(0, nextOffset - 1)).wire();
            return obj("Records", recs.stream().map(rec -> Shapes.record(shard, rec)).toList(),
                    "ContinuationSequenceNumber", continuation,
                    "MillisBehindLatest", millisBehind);
        }

        private void write(Map<String, Object> body) {
            if (ended) {
                return;
            }
            lastEventMillis = System.currentTimeMillis();
            response.write(EventStreamFrames.event("SubscribeToShardEvent", WireFormat.JSON.write(body).getBytes()));
        }

        private double refill() {
            long now = System.nanoTime();
            tokens = Math.min(rate, tokens + (now - refilledNanos) / 1e9 * rate);
            refilledNanos = now;
            return tokens;
        }

        private void spend(long bytes) {
            if (rate > 0) {
                refill();
                tokens -= bytes;
            }
        }

        /** Ends the subscription once: with an in-stream exception if {@code error} is set. */
        private void end(RiffleException error) {
            if (ended) {
                return;
            }
            ended = true;
            vertx.cancelTimer(heartbeatTimer);
            vertx.cancelTimer(endTimer);
            if (refillTimer >= 0) {
                vertx.cancelTimer(refillTimer);
            }
            if (appended != null) {
                appended.unregister();
            }
            if (takeover != null) {
                takeover.unregister();
            }
            if (response.ended() || response.closed()) {
                return;
            }
            if (error != null) {
                LOG.debug("SubscribeToShard on stream {} shard {} ends with {}", stream, shard, error.code().wireName());
                response.write(EventStreamFrames.exception(error.code().wireName(),
                        WireFormat.JSON.write(obj("message", error.getMessage())).getBytes()));
            }
            response.end();
        }
    }
}
