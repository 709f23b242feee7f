package io.riffle.kinesis;

import static io.riffle.kinesis.Shapes.obj;

import io.riffle.error.RiffleException;
import io.riffle.gateway.subscription.ShardEvent;
import io.riffle.gateway.subscription.ShardSubscription;
import io.riffle.gateway.subscription.SubscriptionEnd;
import io.riffle.gateway.subscription.SubscriptionMetrics;
import io.riffle.gateway.subscription.SubscriptionOptions;
import io.riffle.gateway.subscription.SubscriptionSink;
import io.riffle.model.ConsumerDescription;
import io.riffle.model.SequenceNumber;
import io.riffle.model.ShardId;
import io.riffle.model.StreamName;
import io.riffle.stream.ReadFrom;
import io.riffle.stream.StreamClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SubscribeToShard: enhanced fan-out push over one HTTP response in the AWS event stream format, on HTTP/2
 * (h2c with prior knowledge, as the AWS SDK's async client sends it) and on chunked HTTP/1.1.
 *
 * <p>The pushing itself (catch-up from the log, then live records from {@link StreamClient#onAppended}
 * without gap or duplicate, the per consumer and shard byte rate, heartbeats, takeover by a newer
 * subscription of the same consumer and shard) is the gateway's {@link ShardSubscription}; this class
 * turns its events into {@code SubscribeToShardEvent} messages, follows HTTP back-pressure, and ends the
 * subscription after 5 minutes as Kinesis does, within a second once the node is stopping, and with a
 * ResourceNotFoundException once its stream is deleted or its consumer deregistered.
 */
final class SubscribeToShard {
    /** What a successful subscribe answers to KinesisApi: the response is already being streamed. */
    static final Object STREAMING = new Object();
    private static final Logger LOG = LoggerFactory.getLogger(SubscribeToShard.class);
    private static final long SUBSCRIPTION_MILLIS = 300_000;
    /** Kinesis promises an event at least every 5 s, whatever the node's heartbeat setting says. */
    private static final long MAX_HEARTBEAT_MILLIS = 5_000;
    private static final List<String> POSITION_TYPES = List.of("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER",
            "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP");

    private final Vertx vertx;
    private final StreamClient streams;
    private final ConsumerOperations consumers;
    private final RecordOperations records;
    private final SubscriptionOptions options;
    private final SubscriptionMetrics metrics;
    private final BooleanSupplier nodeStopping;

    SubscribeToShard(Vertx vertx, StreamClient streams, ConsumerOperations consumers, RecordOperations records,
                     SubscriptionOptions options, SubscriptionMetrics metrics, BooleanSupplier nodeStopping) {
        this.nodeStopping = nodeStopping;
        this.vertx = vertx;
        this.streams = streams;
        this.consumers = consumers;
        this.records = records;
        this.options = new SubscriptionOptions(options.bytesPerSecond(),
                Math.min(options.heartbeatMillis(), MAX_HEARTBEAT_MILLIS), options.maxBatchRecords(),
                options.maxBatchBytes(), options.maxBufferedBytes(), options.maxDurationMillis(), options.clock());
        this.metrics = metrics;
    }

    /**
     * Validates the request, finds the consumer, resolves the start position and starts streaming. Runs on
     * the request's context. The future fails (and KinesisApi answers an ordinary error) only before the
     * response has started.
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
        if (!POSITION_TYPES.contains(type)) {
            throw RiffleException.constraint("startingPosition.type", type, "satisfy enum value set: " + POSITION_TYPES);
        }
        return consumers.consumerOf(r).compose(found -> {
            ShardId shard = records.shardOf(found.stream(), shardWire);
            ReadFrom from = RecordOperations.readFrom(type, shard, position.member("SequenceNumber"),
                    position.member("Timestamp"), options.clock());
            EventStreamResponse sink = new EventStreamResponse(found.stream(), shard, found.consumer(), ctx.response(),
                    ctx.request().version());
            return ShardSubscription.start(vertx, streams, found.stream(), shard, found.consumer(), from,
                    options.withBytesPerSecond(found.consumerBytesPerSecond()),
                    metrics, sink).map(subscription -> {
                        sink.begin(subscription);
                        return null;
                    });
        });
    }

    /** One subscription's HTTP response; touched only on the request's context. */
    private final class EventStreamResponse implements SubscriptionSink {
        private final StreamName stream;
        private final ShardId shard;
        private final ConsumerDescription consumer;
        private final HttpServerResponse response;
        private final HttpVersion version;
        private ShardSubscription subscription;
        private boolean ended;
        private boolean gone;

        EventStreamResponse(StreamName stream, ShardId shard, ConsumerDescription consumer, HttpServerResponse response,
                            HttpVersion version) {
            this.stream = stream;
            this.shard = shard;
            this.consumer = consumer;
            this.response = response;
            this.version = version;
            // Watched from the start: a client that leaves while the subscription is still starting (an h2
            // reset can come before the response reports itself closed) must still end it.
            response.closeHandler(v -> clientGone());
            response.exceptionHandler(t -> clientGone());
        }

        private void clientGone() {
            gone = true;
            if (subscription != null) {
                subscription.cancel();
            }
        }

        void begin(ShardSubscription s) {
            // The 5 minutes run from here, on the subscription clock (the node's, or a test's).
            long startedMillis = options.clock().millis();
            this.subscription = s;
            if (gone || response.closed()) {
                // The client went away while the subscription was starting.
                s.cancel();
                return;
            }
            response.setStatusCode(200).putHeader("Content-Type", "application/vnd.amazon.eventstream");
            if (version != HttpVersion.HTTP_2) {
                response.setChunked(true);
            }
            response.write(EventStreamFrames.event("initial-response", "{}".getBytes(StandardCharsets.UTF_8)));
            if (ended) {
                // Ended (taken over) between start and now: the answer is just the initial response.
                response.end();
                return;
            }
            // Held by the subscription, which releases it however it ends (before onEnd).
            subscription.resources().setPeriodic(1_000, t -> {
                if (options.clock().millis() - startedMillis >= SUBSCRIPTION_MILLIS || nodeStopping.getAsBoolean()) {
                    subscription.cancel();
                }
            });
            LOG.debug("SubscribeToShard of consumer {} on stream {} shard {} started", consumer.name(), stream, shard);
            subscription.request(1);
        }

        @Override
        public void onEvent(ShardEvent e) {
            write(obj("Records", e.records().stream().map(rec -> Shapes.record(shard, rec)).toList(),
                    // Kinesis sets a continuation on every event but the last of a closed shard; before the
                    // shard's first record there is nothing to resume after, so it names "before the first".
                    "ContinuationSequenceNumber", e.continuation().map(SequenceNumber::wire)
                            .orElse(RecordOperations.beforeFirstRecord(shard)),
                    "MillisBehindLatest", e.millisBehindLatest()));
            if (!response.writeQueueFull()) {
                subscription.request(1);
            } else {
                response.drainHandler(v -> subscription.request(1));
            }
        }

        @Override
        public void onEnd(SubscriptionEnd end) {
            ended = true;
            if (subscription == null || response.ended() || response.closed()) {
                return;
            }
            if (end instanceof SubscriptionEnd.EndOfShard) {
                streams.describe(stream).onComplete(d -> {
                    write(obj("Records", List.of(), "MillisBehindLatest", 0L,
                            "ChildShards", d.succeeded() ? Shapes.childShards(d.result(), shard) : List.of()));
                    finish();
                });
                return;
            }
            if (end instanceof SubscriptionEnd.TakenOver) {
                exception(RiffleException.inUse("Another subscription of this consumer took over " + shard
                        + " of stream " + stream + "."));
            } else if (end instanceof SubscriptionEnd.Failed f) {
                exception(f.error());
            }
            finish();
        }

        private void write(Map<String, Object> body) {
            if (!response.ended() && !response.closed()) {
                response.write(EventStreamFrames.event("SubscribeToShardEvent", WireFormat.JSON.write(body).getBytes()));
            }
        }

        private void exception(RiffleException e) {
            LOG.debug("SubscribeToShard on stream {} shard {} ends with {}", stream, shard, e.code().wireName());
            response.write(EventStreamFrames.exception(e.code().wireName(),
                    WireFormat.JSON.write(obj("message", e.getMessage())).getBytes()));
        }

        private void finish() {
            if (!response.ended() && !response.closed()) {
                response.end();
            }
        }
    }
}
