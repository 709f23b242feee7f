package io.riffle.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * A Reactor client for Riffle's native HTTP and WebSocket API.
 *
 * <p>Puts are batched per stream up to the API limits (500 records, 10 MiB), throttled records are
 * retried with exponential backoff and jitter, and records of one partition key are never reordered by a
 * retry. Subscriptions push records over a WebSocket; Reactor's demand is the backpressure, and a broken
 * connection resumes just after the last delivered record of each shard.
 *
 * <p>All state lives on one Vert.x context (one event loop); the returned publishers are lazy (nothing
 * happens before subscription) and may be subscribed from any thread. Use one client per producer thread
 * for the highest throughput. Close the client when done; a client that created its own Vert.x closes it.
 */
public final class RiffleClient implements AutoCloseable {
    private static final int MAX_PARTITION_KEY_LENGTH = 256;
    private final Vertx vertx;
    private final boolean ownsVertx;
    private final Context context;
    private final RiffleClientOptions options;
    private final WebClient http;
    private final WebSocketClient ws;
    private final Map<String, PutPipeline> pipelines = new HashMap<>();
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private RiffleClient(Vertx vertx, boolean ownsVertx, RiffleClientOptions options) {
        this.vertx = vertx;
        this.ownsVertx = ownsVertx;
        this.options = options;
        this.context = vertx.getOrCreateContext();
        this.http = WebClient.create(vertx, new WebClientOptions().setDefaultHost(options.host())
                        .setDefaultPort(options.port()).setKeepAlive(true).setTcpNoDelay(true),
                new PoolOptions().setHttp1MaxSize(options.maxInFlightRequests() + 2));
        this.ws = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(64 * 1024 * 1024)
                .setMaxFrameSize(1024 * 1024).setTcpNoDelay(true).setMaxConnections(100_000));
    }

    /** A client with its own Vert.x instance, closed with the client. */
    public static RiffleClient create(RiffleClientOptions options) {
        return new RiffleClient(Vertx.vertx(), true, options);
    }

    /**
     * A client on a shared Vert.x instance. Called from a non-Vert.x thread it takes a fresh event loop
     * context, so several clients spread over the event loops.
     */
    public static RiffleClient create(Vertx vertx, RiffleClientOptions options) {
        return new RiffleClient(vertx, false, options);
    }

    public RiffleClientOptions options() {
        return options;
    }

    // ---- streams and consumers -------------------------------------------------------------------

    /**
     * Creates a stream, with its own write limits if the spec has them; fails with ResourceInUseException
     * when it exists.
     */
    public Mono<StreamInfo> createStream(StreamSpec spec) {
        ObjectNode body = Wire.JSON.createObjectNode().put("name", spec.name()).put("shardCount", spec.shardCount())
                .put("retentionHours", spec.retentionHours()).put("mode", spec.mode());
        if (spec.writeRecordsPerSecond().isPresent() || spec.writeBytesPerSecond().isPresent()) {
            ObjectNode limits = body.putObject("limits");
            spec.writeRecordsPerSecond().ifPresent(v -> limits.put("writeRecordsPerSecond", v));
            spec.writeBytesPerSecond().ifPresent(v -> limits.put("writeBytesPerSecond", v));
        }
        return call(HttpMethod.POST, "/v1/streams", Optional.of(body)).map(RiffleClient::streamInfo);
    }

    public Mono<StreamInfo> describeStream(String stream) {
        return call(HttpMethod.GET, Queries.stream(stream), Optional.empty()).map(RiffleClient::streamInfo);
    }

    public Mono<Void> deleteStream(String stream) {
        return call(HttpMethod.DELETE, Queries.stream(stream), Optional.empty()).then();
    }

    /**
     * Splits an open shard in two, the second child starting at {@code newStartingHashKey} (empty: the
     * middle of its range); answers once the children take writes. Subscriptions follow the children.
     */
    public Mono<StreamInfo> splitShard(String stream, String shardId, Optional<String> newStartingHashKey) {
        ObjectNode body = Wire.JSON.createObjectNode();
        newStartingHashKey.ifPresent(k -> body.put("newStartingHashKey", k));
        return call(HttpMethod.POST, Queries.stream(stream) + "/shards/" + Queries.encode(shardId) + "/split",
                Optional.of(body)).map(RiffleClient::streamInfo);
    }

    /** Merges two adjacent open shards into one; answers once the child takes writes. */
    public Mono<StreamInfo> mergeShards(String stream, String shardId, String adjacentShardId) {
        return call(HttpMethod.POST, Queries.stream(stream) + "/shards/" + Queries.encode(shardId) + "/merge",
                Optional.of(Wire.JSON.createObjectNode().put("adjacentShardId", adjacentShardId))).map(RiffleClient::streamInfo);
    }

    /** Uniform scaling to {@code targetShardCount} open shards (at most double, at least half the current count). */
    public Mono<StreamInfo> updateShardCount(String stream, int targetShardCount) {
        return call(HttpMethod.PUT, Queries.stream(stream) + "/shard-count",
                Optional.of(Wire.JSON.createObjectNode().put("targetShardCount", targetShardCount))).map(RiffleClient::streamInfo);
    }

    /** Sets the capacity mode: {@code PROVISIONED} or {@code ON_DEMAND} (the node scales the shards). */
    public Mono<StreamInfo> setStreamMode(String stream, String mode) {
        return call(HttpMethod.PUT, Queries.stream(stream) + "/mode",
                Optional.of(Wire.JSON.createObjectNode().put("mode", mode))).map(RiffleClient::streamInfo);
    }

    /** Registers an enhanced fan-out consumer of the stream (the node allows 20 per stream by default). */
    public Mono<Void> registerConsumer(String stream, String consumer) {
        return call(HttpMethod.POST, Queries.stream(stream) + "/consumers",
                Optional.of(Wire.JSON.createObjectNode().put("name", consumer))).then();
    }

    public Mono<Void> deregisterConsumer(String stream, String consumer) {
        return call(HttpMethod.DELETE, Queries.stream(stream) + "/consumers/" + Queries.encode(consumer),
                Optional.empty()).then();
    }

    /** The node's Prometheus metrics text ({@code GET /metrics}). */
    public Mono<String> metrics() {
        return call(HttpMethod.GET, "/metrics", Optional.empty()).map(Buffer::toString);
    }

    // ---- puts ------------------------------------------------------------------------------------

    /** Puts one record; fails with the node's error when it is refused or its retries run out. */
    public Mono<PutResult> put(String stream, PutRecord record) {
        return putAll(stream, List.of(record)).flatMap(batch -> batch.results().get(0) instanceof PutResult ok
                ? Mono.just(ok) : Mono.error(((PutFailure) batch.results().get(0)).toException()));
    }

    public Mono<PutResult> put(String stream, String partitionKey, byte[] data) {
        return put(stream, PutRecord.of(partitionKey, data));
    }

    /**
     * Puts records, batched into as few requests as the limits allow. Completes when every record is stored
     * or has failed for good; per-record failures are in the result, never an error signal. Records of one
     * partition key are stored in the order given, and after any records of that key put earlier through
     * this client.
     */
    public Mono<PutBatchResult> putAll(String stream, List<PutRecord> records) {
        List<PutRecord> copy = List.copyOf(records);
        return Mono.create(sink -> {
            if (closed.get()) {
                sink.error(closedError());
            } else if (copy.isEmpty()) {
                sink.success(new PutBatchResult(List.of()));
                return;
            }
            context.runOnContext(v -> submit(stream, copy, sink));
        });
    }

    private void submit(String stream, List<PutRecord> records, MonoSink<PutBatchResult> sink) {
        PutRecordResult[] results = new PutRecordResult[records.size()];
        AtomicInteger remaining = new AtomicInteger(records.size());
        List<PutScheduler.Entry> entries = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            int index = i;
            PutScheduler.Entry entry = new PutScheduler.Entry(records.get(i), result -> {
                results[index] = result;
                if (remaining.decrementAndGet() == 0) {
                    sink.success(new PutBatchResult(List.of(results)));
                }
            });
            // the node refuses a whole request for one bad key, so a bad key must not travel with others
            String key = records.get(i).partitionKey();
            if (key.isEmpty() || key.codePointCount(0, key.length()) > MAX_PARTITION_KEY_LENGTH) {
                entry.fail(RiffleException.constraint("partitionKey", key,
                        "have length less than or equal to 256 and greater than or equal to 1"));
            } else {
                entries.add(entry);
            }
        }
        pipelines.computeIfAbsent(stream, s -> new PutPipeline(context, http, options, s)).submit(entries);
    }

    // ---- reads -----------------------------------------------------------------------------------

    /** One polling read of a shard; counts against the shard's shared read limits. */
    public Mono<ReadResult> read(String stream, String shardId, ReadPosition position, int limit) {
        String path = Queries.stream(stream) + "/shards/" + Queries.encode(shardId) + "/records?"
                + position.query() + "&limit=" + limit;
        return call(HttpMethod.GET, path, Optional.empty()).map(body -> Wire.decodeRead(shardId, body));
    }

    // ---- subscriptions ---------------------------------------------------------------------------

    /** Subscribes to every open shard of the stream; see {@link #subscribe(String, String, StartPosition, Optional)}. */
    public Flux<Record> subscribe(String stream, String consumer, StartPosition position) {
        return subscribe(stream, consumer, position, Optional.empty());
    }

    /**
     * Pushes the stream's records, in sequence order per shard, to a registered consumer. The node pushes
     * only as fast as the subscriber requests; a broken connection is resumed just after the last record
     * delivered from each shard. Cancelling closes the WebSocket, which frees the subscription on the node.
     * Fails when the stream or consumer is unknown, another subscription takes the shards over, or the
     * node stays unreachable for {@code maxReconnects} attempts.
     */
    public Flux<Record> subscribe(String stream, String consumer, StartPosition position,
                                  Optional<List<String>> shards) {
        return Flux.create((FluxSink<Record> sink) -> {
            if (closed.get()) {
                sink.error(closedError());
                return;
            }
            context.runOnContext(v -> new Subscription(context, ws, options, stream, consumer, position, shards,
                    sink, closed::get).start());
        }, FluxSink.OverflowStrategy.ERROR);
    }

    // ---- plumbing --------------------------------------------------------------------------------

    /** One admin request, answered on the client's context; non-2xx answers become RiffleExceptions. */
    private static RiffleException closedError() {
        return new RiffleException(ErrorCode.SERVICE_UNAVAILABLE, "The client is closed");
    }

    private Mono<Buffer> call(HttpMethod method, String path, Optional<JsonNode> body) {
        return Mono.create(sink -> {
            if (closed.get()) {
                sink.error(closedError());
                return;
            }
            context.runOnContext(v -> {
            var request = http.request(method, path).timeout(options.requestTimeout().toMillis());
            Future<HttpResponse<Buffer>> sent = body.isPresent()
                    ? request.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body.get().toString()))
                    : request.send();
            sent.onComplete(ar -> {
                if (ar.failed()) {
                    sink.error(new RiffleException(ErrorCode.SERVICE_UNAVAILABLE,
                            method + " " + path + " failed: " + ar.cause().getMessage(), ar.cause()));
                    return;
                }
                HttpResponse<Buffer> response = ar.result();
                Buffer b = response.body() == null ? Buffer.buffer() : response.body();
                if (response.statusCode() / 100 == 2) {
                    sink.success(b);
                } else {
                    sink.error(Wire.decodeError(response.statusCode(), b));
                }
            });
            });
        });
    }

    private static StreamInfo streamInfo(Buffer body) {
        JsonNode d = Wire.parse(body);
        List<String> shardIds = new ArrayList<>();
        List<String> open = new ArrayList<>();
        for (JsonNode s : d.path("shards")) {
            shardIds.add(s.path("shardId").asText());
            if (s.path("state").asText("OPEN").equals("OPEN")) {
                open.add(s.path("shardId").asText());
            }
        }
        return new StreamInfo(d.path("name").asText(), d.path("status").asText(""), shardIds, open);
    }

    /**
     * Closes the HTTP and WebSocket clients (ending subscriptions), and Vert.x when the client owns it.
     * Records still waiting for a retry fail; later calls fail at once. Blocks until done, so never call
     * it on an event loop. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        http.close();
        Future<Void> closed = ws.close();
        if (ownsVertx) {
            closed = closed.transform(ar -> vertx.close());
        }
        closed.await();
    }
}
