package io.riffle.gateway.ws;

import io.riffle.error.RiffleException;
import io.riffle.gateway.GatewayServices;
import io.riffle.gateway.http.NativeApi;
import io.riffle.gateway.http.Requests;
import io.riffle.gateway.subscription.ShardLineage;
import io.riffle.model.ConsumerDescription;
import io.riffle.model.ConsumerName;
import io.riffle.model.ShardDescription;
import io.riffle.model.ShardId;
import io.riffle.model.StreamDescription;
import io.riffle.model.StreamName;
import io.riffle.stream.ReadFrom;
import io.vertx.ext.web.RoutingContext;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code GET /v1/streams/{name}/subscribe?consumer=&from=&timestamp=&positions=&shards=}: checks the
 * request against the stream (so bad requests get a normal HTTP error), then upgrades to a WebSocket served
 * by a {@link SubscriberSocket}.
 *
 * <ul>
 *   <li>{@code consumer}: a registered consumer of the stream (required);</li>
 *   <li>{@code from}: LATEST (default), TRIM_HORIZON, AT_TIMESTAMP (with {@code timestamp}, epoch ms or
 *       ISO-8601), AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER (with a position per shard);</li>
 *   <li>{@code positions}: {@code shardId-...:sequenceNumber,...}: resume each listed shard AFTER that
 *       sequence number (AT it when {@code from=AT_SEQUENCE_NUMBER}), whatever {@code from} says for the
 *       other shards;</li>
 *   <li>{@code shards}: comma-separated shard ids; default all open shards.</li>
 * </ul>
 */
public final class WebSocketSubscribe {
    private final GatewayServices services;
    private final Consumer<SubscriberSocket> onOpen;
    private final Consumer<SubscriberSocket> onClose;
    /** Shared by this verticle's sockets, which all run on its event loop. */
    private final FrameEncoder frames = new FrameEncoder();

    /**
     * @param onOpen  told of every socket it opens (the gateway closes them on shutdown)
     * @param onClose told when such a socket closes
     */
    public WebSocketSubscribe(GatewayServices services, Consumer<SubscriberSocket> onOpen,
                              Consumer<SubscriberSocket> onClose) {
        this.services = services;
        this.onOpen = onOpen;
        this.onClose = onClose;
    }

    public void handle(RoutingContext ctx) {
        if (!ctx.request().canUpgradeToWebSocket()) {
            throw RiffleException.validation("subscribe is a WebSocket endpoint: send an Upgrade: websocket request");
        }
        StreamName stream = StreamName.of(ctx.pathParam("name"));
        String consumerParam = ctx.queryParams().get("consumer");
        if (consumerParam == null) {
            throw RiffleException.validation("1 validation error detected: Value null at 'consumer' failed to satisfy"
                    + " constraint: Member must not be null");
        }
        ConsumerName consumer = ConsumerName.of(consumerParam);
        Requests.StartType type = Requests.enumValue(Requests.StartType.class, "from",
                Optional.ofNullable(ctx.queryParams().get("from")).orElse("LATEST"));
        ctx.request().pause();
        services.client().describe(stream)
                .compose(d -> {
                    ConsumerDescription registered = d.consumers().stream().filter(c -> c.name().equals(consumer))
                            .findFirst().orElseThrow(() -> NativeApi.consumerNotFound(d.name(), consumer));
                    Map<ShardId, ReadFrom> resumes = new LinkedHashMap<>();
                    Map<ShardId, ReadFrom> positions = positions(d, type, ctx, resumes);
                    ReadFrom childDefault = type == Requests.StartType.AT_TIMESTAMP
                            ? Requests.readFrom(type, null, null, ctx.queryParams().get("timestamp")) : new ReadFrom.TrimHorizon();
                    return ctx.request().toWebSocket().compose(ws -> {
                        SubscriberSocket socket = new SubscriberSocket(ws, services, frames, onClose);
                        onOpen.accept(socket);
                        return socket.start(stream, registered, positions, child -> resumes.getOrDefault(child, childDefault),
                                d.limits().consumerBytesPerSecond());
                    });
                })
                .onFailure(e -> {
                    if (!ctx.response().headWritten() && !ctx.failed()) {
                        ctx.fail(e);
                    }
                });
    }

    /**
     * The shards to start with and where. Without {@code shards}: TRIM_HORIZON and AT_TIMESTAMP start at the
     * lineage's roots (everything the stream holds), the other types at the open shards; shards named in
     * {@code positions} join. A shard that descends from another one started is left to the lineage (it
     * starts once its parents ended); {@code resumes} receives every named position, for such children.
     */
    private static Map<ShardId, ReadFrom> positions(StreamDescription d, Requests.StartType type, RoutingContext ctx,
                                                    Map<ShardId, ReadFrom> resumes) {
        Set<ShardId> known = new HashSet<>();
        d.shards().forEach(s -> known.add(s.shardId()));
        Map<ShardId, String> resumeAfter = new LinkedHashMap<>();
        String positions = ctx.queryParams().get("positions");
        if (positions != null && !positions.isEmpty()) {
            for (String p : positions.split(",")) {
                int colon = p.indexOf(':');
                if (colon <= 0) {
                    throw RiffleException.constraint("positions", p, "be shardId:sequenceNumber");
                }
                resumeAfter.put(shard(d, known, p.substring(0, colon)), p.substring(colon + 1));
            }
        }
        List<ShardId> shards;
        String shardsParam = ctx.queryParams().get("shards");
        if (shardsParam != null && !shardsParam.isEmpty()) {
            shards = Arrays.stream(shardsParam.split(",")).map(s -> shard(d, known, s)).distinct().toList();
        } else if (type == Requests.StartType.TRIM_HORIZON || type == Requests.StartType.AT_TIMESTAMP) {
            shards = new ShardLineage(d).roots();
        } else {
            shards = d.openShards().stream().map(ShardDescription::shardId).toList();
        }
        Set<ShardId> named = new java.util.LinkedHashSet<>(shards);
        named.addAll(resumeAfter.keySet());
        ShardLineage lineage = new ShardLineage(d);
        shards = named.stream().filter(s -> !lineage.descendsFromAny(s, named)).toList();
        Requests.StartType resumeType = type == Requests.StartType.AT_SEQUENCE_NUMBER
                ? type : Requests.StartType.AFTER_SEQUENCE_NUMBER;
        resumeAfter.forEach((shard, seq) -> resumes.put(shard, Requests.readFrom(resumeType, shard, seq, null)));
        String timestamp = ctx.queryParams().get("timestamp");
        Map<ShardId, ReadFrom> out = new LinkedHashMap<>();
        for (ShardId shard : shards) {
            String after = resumeAfter.get(shard);
            if (after != null) {
                Requests.StartType at = type == Requests.StartType.AT_SEQUENCE_NUMBER
                        ? type : Requests.StartType.AFTER_SEQUENCE_NUMBER;
                out.put(shard, Requests.readFrom(at, shard, after, null));
            } else if (type == Requests.StartType.AT_SEQUENCE_NUMBER || type == Requests.StartType.AFTER_SEQUENCE_NUMBER) {
                throw RiffleException.invalidArgument("from=" + type + " needs a position for " + shard
                        + " in positions=shardId:sequenceNumber,...");
            } else {
                out.put(shard, Requests.readFrom(type, shard, null, timestamp));
            }
        }
        if (out.isEmpty()) {
            throw RiffleException.invalidArgument("Stream " + d.name() + " has no shard to subscribe to");
        }
        return out;
    }

    private static ShardId shard(StreamDescription d, Set<ShardId> known, String value) {
        ShardId id = Requests.shardId(d.name().value(), value.trim());
        if (!known.contains(id)) {
            throw RiffleException.notFound("Shard " + id + " in stream " + d.name() + " does not exist");
        }
        return id;
    }
}
