package io.riffle.gateway.http;

import io.riffle.error.RiffleException;
import io.riffle.model.Constraints;
import io.riffle.model.HashKeys;
import io.riffle.model.ShardDescription;
import io.riffle.model.ShardId;
import io.riffle.model.StreamMode;
import io.riffle.model.StreamName;
import io.riffle.stream.StreamClient;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.math.BigInteger;

/**
 * The native API's resharding and capacity mode routes. Each answers 200 with the stream's description
 * once the change is done and the stream ACTIVE again (Kinesis answers at once and lets clients poll; the
 * native API waits, as its create does):
 * <ul>
 *   <li>{@code POST /v1/streams/{name}/shards/{shardId}/split}, body {@code {"newStartingHashKey"}}
 *       (optional: the middle of the shard's range);</li>
 *   <li>{@code POST /v1/streams/{name}/shards/{shardId}/merge}, body {@code {"adjacentShardId"}};</li>
 *   <li>{@code PUT /v1/streams/{name}/shard-count}, body {@code {"targetShardCount"}} (uniform scaling);</li>
 *   <li>{@code PUT /v1/streams/{name}/mode}, body {@code {"mode": "PROVISIONED" | "ON_DEMAND"}}.</li>
 * </ul>
 */
final class ReshardRoutes {
    private final StreamClient client;

    ReshardRoutes(StreamClient client) {
        this.client = client;
    }

    void mount(Router router, BodyHandler body) {
        router.post("/v1/streams/:name/shards/:shardId/split").handler(body).handler(this::split);
        router.post("/v1/streams/:name/shards/:shardId/merge").handler(body).handler(this::merge);
        router.put("/v1/streams/:name/shard-count").handler(body).handler(this::shardCount);
        router.put("/v1/streams/:name/mode").handler(body).handler(this::mode);
    }

    private void split(RoutingContext ctx) {
        StreamName name = NativeApi.streamName(ctx);
        ShardId shard = Requests.shardId(name.value(), ctx.pathParam("shardId"));
        JsonObject body = optionalBody(ctx);
        NativeApi.reply(ctx, 200, Requests.string(body, "newStartingHashKey")
                .map(k -> io.vertx.core.Future.succeededFuture(parseKey(k)))
                .orElseGet(() -> client.describe(name).map(d -> middle(d.shards().stream()
                        .filter(s -> s.shardId().equals(shard)).findFirst()
                        .orElseThrow(() -> RiffleException.notFound("Shard " + shard + " in stream " + name + " does not exist")))))
                .compose(key -> client.split(name, shard, key, true))
                .map(NativeJson::stream));
    }

    private void merge(RoutingContext ctx) {
        StreamName name = NativeApi.streamName(ctx);
        ShardId shard = Requests.shardId(name.value(), ctx.pathParam("shardId"));
        String adjacent = Requests.string(Requests.jsonBody(ctx), "adjacentShardId").orElseThrow(() ->
                RiffleException.constraint("adjacentShardId", null, "not be null"));
        NativeApi.reply(ctx, 200, client.merge(name, shard, Requests.shardId(name.value(), adjacent), true).map(NativeJson::stream));
    }

    private void shardCount(RoutingContext ctx) {
        StreamName name = NativeApi.streamName(ctx);
        int target = Requests.integer(Requests.jsonBody(ctx), "targetShardCount").orElseThrow(() ->
                RiffleException.constraint("targetShardCount", null, "not be null"));
        NativeApi.reply(ctx, 200, client.updateShardCount(name, target, true).map(NativeJson::stream));
    }

    private void mode(RoutingContext ctx) {
        StreamName name = NativeApi.streamName(ctx);
        StreamMode mode = Requests.enumValue(StreamMode.class, "mode", Requests.string(Requests.jsonBody(ctx), "mode")
                .orElseThrow(() -> RiffleException.constraint("mode", null, "not be null")));
        NativeApi.reply(ctx, 200, client.setMode(name, mode).map(NativeJson::stream));
    }

    private static JsonObject optionalBody(RoutingContext ctx) {
        return ctx.body().length() > 0 ? Requests.jsonBody(ctx) : new JsonObject();
    }

    private static BigInteger parseKey(String key) {
        Constraints.EXPLICIT_HASH_KEY.at("newStartingHashKey").require(key);
        return HashKeys.parseExplicit(key);
    }

    /** The key that splits a shard's range in two halves (the second half starts there). */
    private static BigInteger middle(ShardDescription s) {
        BigInteger start = s.hashKeyRange().start();
        return start.add(s.hashKeyRange().end().subtract(start).add(BigInteger.ONE).shiftRight(1));
    }
}
