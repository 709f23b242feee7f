package io.riffle.gateway.http;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.model.ConsumerName;
import io.riffle.model.Limits;
import io.riffle.model.SequenceNumber;
import io.riffle.model.ShardId;
import io.riffle.model.StreamMode;
import io.riffle.model.StreamName;
import io.riffle.stream.CreateStream;
import io.riffle.stream.PutEntry;
import io.riffle.stream.PutOutcome;
import io.riffle.stream.ReadFrom;
import io.riffle.stream.StreamClient;
import io.riffle.stream.StreamJson;
import io.riffle.throttle.ThroughputLimits;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.Router;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The native JSON API under {@code /v1}: streams, records, consumers. Every handler either answers
 * success or fails the context; {@link ErrorResponses} turns failures into HTTP.
 */
public final class NativeApi {
    private final StreamClient client;

    public NativeApi(StreamClient client) {
        this.client = client;
    }

    /** Mounts the routes; {@code body} (with the node's size limit) runs before handlers that read a body. */
    public void mount(Router router, BodyHandler body) {
        router.post("/v1/streams").handler(body).handler(this::createStream);
        router.get("/v1/streams").handler(this::listStreams);
        router.get("/v1/streams/:name").handler(this::describeStream);
        router.delete("/v1/streams/:name").handler(this::deleteStream);
        router.post("/v1/streams/:name/records").handler(body).handler(this::putRecords);
        router.get("/v1/streams/:name/shards/:shardId/records").handler(this::getRecords);
        router.post("/v1/streams/:name/consumers").handler(body).handler(this::registerConsumer);
        router.get("/v1/streams/:name/consumers").handler(this::listConsumers);
        router.get("/v1/streams/:name/consumers/:consumer").handler(this::describeConsumer);
        router.delete("/v1/streams/:name/consumers/:consumer").handler(this::deregisterConsumer);
        new ReshardRoutes(client).mount(router, body);
        new EncryptionRoutes(client).mount(router, body);
    }

    static StreamName streamName(RoutingContext ctx) {
        return StreamName.of(ctx.pathParam("name"));
    }

    private void createStream(RoutingContext ctx) {
        JsonObject body = Requests.jsonBody(ctx);
        StreamName name = StreamName.of(Requests.string(body, "name").orElse(null));
        if (name.value().equals(".") || name.value().equals("..")) {
            // Valid Kinesis names, but a URL path cannot carry them (RFC 3986 removes dot segments, even
            // percent-encoded): the stream could be created here and never named again. The Kinesis API can.
            throw RiffleException.validation("Stream name '" + name + "' cannot appear in a URL path; "
                    + "the native API does not create it (the Kinesis API does)");
        }
        StreamMode mode = Requests.string(body, "mode")
                .map(m -> Requests.enumValue(StreamMode.class, "mode", m)).orElse(StreamMode.PROVISIONED);
        int shardCount = Requests.integer(body, "shardCount").orElse(mode == StreamMode.ON_DEMAND ? 4 : 1);
        int retention = Requests.integer(body, "retentionHours").orElse(Limits.RETENTION_HOURS_DEFAULT);
        JsonObject limits = body.getValue("limits") instanceof JsonObject l ? l : null;
        if (body.containsKey("limits") && limits == null) {
            throw RiffleException.validation("'limits' must be an object of per-shard throughput limits");
        }
        Future<Optional<ThroughputLimits>> own = limits == null ? Future.succeededFuture(Optional.empty())
                : client.limits().map(node -> Optional.of(StreamJson.limitsFromJson(limits, node.defaultShardLimits())));
        Optional<Integer> replicationFactor = Requests.integer(body, "replicationFactor");
        reply(ctx, 201, own
                .compose(l -> client.create(new CreateStream(name, shardCount, retention, mode, Map.of(), l,
                        Optional.empty(), replicationFactor)))
                .compose(this::withReplicationFactor));
    }

    /** The stream's native description with its replicas per shard, which the catalog keeps apart from it. */
    private Future<JsonObject> withReplicationFactor(io.riffle.model.StreamDescription d) {
        return client.replicationFactor(d.name()).map(f -> NativeJson.stream(d).put("replicationFactor", f));
    }

    private void listStreams(RoutingContext ctx) {
        int limit = Requests.intParam(ctx, "limit", 1, 10_000, 10_000);
        String after = ctx.queryParams().get("exclusiveStartStreamName");
        reply(ctx, 200, client.list().map(names -> {
            List<String> page = names.stream().map(StreamName::value)
                    .filter(n -> after == null || n.compareTo(after) > 0).toList();
            return new JsonObject()
                    .put("streams", new JsonArray(new ArrayList<>(page.subList(0, Math.min(limit, page.size())))))
                    .put("hasMore", page.size() > limit);
        }));
    }

    private void describeStream(RoutingContext ctx) {
        reply(ctx, 200, client.describeWithShardStatus(streamName(ctx)).compose(this::withReplicationFactor));
    }

    private void deleteStream(RoutingContext ctx) {
        boolean enforce = Boolean.parseBoolean(ctx.queryParams().get("enforceConsumerDeletion"));
        noContent(ctx, client.delete(streamName(ctx), enforce));
    }

    private void putRecords(RoutingContext ctx) {
        StreamName name = streamName(ctx);
        String contentType = ctx.request().getHeader("Content-Type");
        if (contentType != null && contentType.toLowerCase().startsWith("application/json")) {
            List<PutEntry> entries = BatchPutParser.entries(ctx.body().buffer());
            client.put(name, entries).map(PutAnswers::batch)
                    .onSuccess(answer -> ctx.response().setStatusCode(200)
                            .putHeader("Content-Type", "application/json").end(answer))
                    .onFailure(ctx::fail);
            return;
        }
        String key = Optional.ofNullable(ctx.request().getHeader("Partition-Key"))
                .orElse(ctx.queryParams().get("partitionKey"));
        String explicit = Optional.ofNullable(ctx.request().getHeader("Explicit-Hash-Key"))
                .orElse(ctx.queryParams().get("explicitHashKey"));
        Buffer body = ctx.body().buffer();
        PutEntry entry = new PutEntry(key, Optional.ofNullable(explicit),
                body == null ? new byte[0] : body.getBytes());
        reply(ctx, 200, client.put(name, List.of(entry)).map(outcomes -> {
            if (outcomes.get(0) instanceof PutOutcome.Rejected r) {
                throw r.code() == ErrorCode.PROVISIONED_THROUGHPUT_EXCEEDED
                        ? new ThrottledException(r.message(), r.retryAfterMillis())
                        : new RiffleException(r.code(), r.message());
            }
            return accepted((PutOutcome.Accepted) outcomes.get(0));
        }));
    }

    /** Parses {@code {"records":[...]}}: each entry has a partition key and exactly one of data/text/json. */
    static List<PutEntry> batchEntries(JsonObject body) {
        Object raw = body.getValue("records");
        if (!(raw instanceof JsonArray records)) {
            throw RiffleException.constraint("records", raw, "be an array of records");
        }
        if (records.isEmpty() || records.size() > Limits.PUT_RECORDS_MAX_ENTRIES) {
            throw RiffleException.constraint("records", "[" + records.size() + " records]",
                    "have length less than or equal to 500 and greater than or equal to 1");
        }
        List<PutEntry> entries = new ArrayList<>(records.size());
        long total = 0;
        for (int i = 0; i < records.size(); i++) {
            if (!(records.getValue(i) instanceof JsonObject r)) {
                throw RiffleException.constraint("records." + (i + 1), "...", "be a JSON object");
            }
            String field = "records." + (i + 1);
            String key = Requests.string(r, "partitionKey").orElse(null);
            byte[] data = entryData(r, field);
            PutEntry e = entry(key, Requests.string(r, "explicitHashKey"), data, field);
            total += Limits.billedBytes(e.partitionKey(), data.length);
            entries.add(e);
        }
        if (total > Limits.PUT_RECORDS_MAX_BYTES) {
            throw new RiffleException(ErrorCode.PAYLOAD_TOO_LARGE, "Records total " + total
                    + " bytes (partition keys plus data), more than the " + Limits.PUT_RECORDS_MAX_BYTES
                    + " bytes one put may carry");
        }
        return entries;
    }

    /** Makes the entry, which validates the key once, and names the record in a bad key's message. */
    private static PutEntry entry(String key, Optional<String> explicitHashKey, byte[] data, String field) {
        try {
            return new PutEntry(key, explicitHashKey, data);
        } catch (RiffleException e) {
            if (!e.getMessage().contains("'partitionKey'")) {
                throw e;
            }
            throw new RiffleException(e.code(), e.getMessage().replace("'partitionKey'", "'" + field + ".partitionKey'"));
        }
    }

    private static byte[] entryData(JsonObject r, String field) {
        int given = (r.containsKey("data") ? 1 : 0) + (r.containsKey("text") ? 1 : 0) + (r.containsKey("json") ? 1 : 0);
        if (given != 1) {
            throw RiffleException.validation("Record " + field + " must have exactly one of data (base64), text or json");
        }
        if (r.containsKey("data")) {
            String b64 = Requests.string(r, "data", field + ".data").orElseThrow(
                    () -> RiffleException.constraint(field + ".data", null, "not be null"));
            try {
                return Base64.getDecoder().decode(b64);
            } catch (IllegalArgumentException e) {
                throw new RiffleException(ErrorCode.SERIALIZATION, "Record " + field
                        + ".data is not valid base64: " + e.getMessage());
            }
        }
        if (r.containsKey("text")) {
            return Requests.string(r, "text", field + ".text").orElse("").getBytes(StandardCharsets.UTF_8);
        }
        Object json = r.getValue("json");
        return Json.encode(json).getBytes(StandardCharsets.UTF_8);
    }

    private static JsonObject accepted(PutOutcome.Accepted a) {
        return new JsonObject().put("shardId", a.shardId().toString()).put("sequenceNumber", a.sequenceNumber().wire());
    }

    private void getRecords(RoutingContext ctx) {
        StreamName name = streamName(ctx);
        ShardId shard = Requests.shardId(name.value(), ctx.pathParam("shardId"));
        String from = Optional.ofNullable(ctx.queryParams().get("from")).orElse("TRIM_HORIZON");
        ReadFrom start = Requests.readFrom(Requests.enumValue(Requests.StartType.class, "from", from), shard,
                ctx.queryParams().get("sequenceNumber"), ctx.queryParams().get("timestamp"));
        int limit = Requests.intParam(ctx, "limit", 1, Limits.GET_RECORDS_MAX_RECORDS, Limits.GET_RECORDS_MAX_RECORDS);
        reply(ctx, 200, client.resolve(name, shard, start)
                .compose(offset -> client.read(name, shard, offset, limit, Limits.GET_RECORDS_MAX_BYTES, true))
                .map(batch -> {
                    JsonObject out = new JsonObject()
                            .put("records", NativeJson.records(shard, batch.records()))
                            .put("nextSequenceNumber", new SequenceNumber(shard.index(),
                                    batch.nextOffset()).wire())
                            .put("millisBehindLatest", batch.millisBehindLatest());
                    if (batch.endOfShard()) {
                        out.put("endOfShard", true);
                    }
                    return out;
                }));
    }

    private void registerConsumer(RoutingContext ctx) {
        StreamName name = streamName(ctx);
        JsonObject body = Requests.jsonBody(ctx);
        ConsumerName consumer = ConsumerName.of(Requests.string(body, "name").orElse(null));
        reply(ctx, 201, client.registerConsumer(name, consumer).map(NativeJson::consumer));
    }

    private void listConsumers(RoutingContext ctx) {
        reply(ctx, 200, client.describe(streamName(ctx)).map(d -> {
            JsonArray a = new JsonArray();
            d.consumers().forEach(c -> a.add(NativeJson.consumer(c)));
            return new JsonObject().put("consumers", a);
        }));
    }

    private void describeConsumer(RoutingContext ctx) {
        StreamName name = streamName(ctx);
        ConsumerName consumer = ConsumerName.of(ctx.pathParam("consumer"));
        reply(ctx, 200, client.describe(name).map(d -> d.consumers().stream()
                .filter(c -> c.name().equals(consumer)).findFirst()
                .map(NativeJson::consumer)
                .orElseThrow(() -> consumerNotFound(name, consumer))));
    }

    /** The consumer does not exist on the stream. */
    public static RiffleException consumerNotFound(StreamName stream, ConsumerName consumer) {
        return RiffleException.notFound("Consumer " + consumer + " is not registered on stream " + stream);
    }

    private void deregisterConsumer(RoutingContext ctx) {
        StreamName name = streamName(ctx);
        noContent(ctx, client.deregisterConsumer(name, ConsumerName.of(ctx.pathParam("consumer"))));
    }

    static void reply(RoutingContext ctx, int status, Future<JsonObject> result) {
        result.onSuccess(json -> ctx.response().setStatusCode(status)
                        .putHeader("Content-Type", "application/json").end(json.encode()))
                .onFailure(ctx::fail);
    }

    private static void noContent(RoutingContext ctx, Future<Void> result) {
        result.onSuccess(v -> ctx.response().setStatusCode(204).end()).onFailure(ctx::fail);
    }
}
