package io.riffle.gateway.http;

import io.riffle.model.ConsumerName;
import io.riffle.model.StreamName;
import io.riffle.security.AccessControl;
import io.riffle.security.AccessControl.Target;
import io.riffle.security.AuditLog;
import io.riffle.security.Principal;
import io.riffle.security.Security;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * Authentication and authorization of the native API, {@code /metrics} and {@code /v1/cluster} when the
 * node's {@code auth} is on (the console's files, {@code /health} and {@code /v1/openapi.yaml} stay open).
 * Each route needs the IAM action of its Kinesis twin on the same resource, so one policy governs both APIs;
 * the routes that change something are also written to the {@link AuditLog}, auth on or off:
 *
 * <table>
 *   <tr><th>route</th><th>action</th><th>resource</th></tr>
 *   <tr><td>POST /v1/streams</td><td>kinesis:CreateStream</td><td>stream (body's name)</td></tr>
 *   <tr><td>GET /v1/streams</td><td>kinesis:ListStreams</td><td>*</td></tr>
 *   <tr><td>GET /v1/streams/{s}</td><td>kinesis:DescribeStream</td><td>stream</td></tr>
 *   <tr><td>DELETE /v1/streams/{s}</td><td>kinesis:DeleteStream</td><td>stream</td></tr>
 *   <tr><td>POST /v1/streams/{s}/records</td><td>kinesis:PutRecords (JSON batch), kinesis:PutRecord (raw)</td><td>stream</td></tr>
 *   <tr><td>GET /v1/streams/{s}/shards/{id}/records</td><td>kinesis:GetRecords</td><td>stream</td></tr>
 *   <tr><td>POST/GET /v1/streams/{s}/consumers</td><td>kinesis:RegisterStreamConsumer / ListStreamConsumers</td><td>stream</td></tr>
 *   <tr><td>GET/DELETE /v1/streams/{s}/consumers/{c}</td><td>kinesis:DescribeStreamConsumer / DeregisterStreamConsumer</td><td>consumer</td></tr>
 *   <tr><td>POST /v1/streams/{s}/shards/{id}/split, .../merge</td><td>kinesis:SplitShard, kinesis:MergeShards</td><td>stream</td></tr>
 *   <tr><td>PUT /v1/streams/{s}/shard-count, .../mode</td><td>kinesis:UpdateShardCount, kinesis:UpdateStreamMode</td><td>stream</td></tr>
 *   <tr><td>GET /v1/streams/{s}/subscribe?consumer=c (WebSocket)</td><td>kinesis:SubscribeToShard</td><td>consumer</td></tr>
 *   <tr><td>PUT/DELETE /v1/streams/{s}/encryption</td><td>kinesis:StartStreamEncryption / StopStreamEncryption</td><td>stream</td></tr>
 *   <tr><td>GET /metrics, GET /v1/cluster</td><td>riffle:GetMetrics, riffle:DescribeCluster</td><td>*</td></tr>
 *   <tr><td>POST/DELETE /v1/cluster/nodes/{id}/decommission</td><td>riffle:DecommissionNode</td><td>*</td></tr>
 * </table>
 */
public final class NativeAccess {
    private final Security security;
    private final AccessControl access;
    private final AuditLog audit;

    public NativeAccess(Security security, AccessControl access, AuditLog audit) {
        this.security = security;
        this.access = access;
        this.audit = audit;
    }

    /** Required action and resource of a native request; empty for routes that need none. */
    record Need(String action, Target target) {
    }

    public void handle(RoutingContext ctx) {
        if (ctx.request().path().equals("/v1/openapi.yaml")) {
            ctx.next();
            return;
        }
        HttpMethod method = ctx.request().method();
        if (method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.DELETE) {
            // Judged at the end, auth on or off: the route's BodyHandler has read a create's body by then.
            audit.onEnd(ctx, "native", () -> need(method, routePath(ctx), ctx)
                    .map(n -> new AuditLog.Change(n.action(), AuditLog.resourceOr(() -> access.nameOf(n.target())))));
        }
        if (!security.enabled()) {
            ctx.next();
            return;
        }
        Buffer body = ctx.body().available() ? ctx.body().buffer() : null;
        Principal principal = security.authenticate(ctx.request(), Optional.of(body == null ? new byte[0] : body.getBytes()));
        ctx.put(AuditLog.PRINCIPAL, principal);
        Optional<Need> need = need(method, routePath(ctx), ctx);
        if (need.isEmpty()) {
            ctx.next();
            return;
        }
        if (ctx.request().canUpgradeToWebSocket()) {
            // Held while the policy is read: an upgrade must find its request unread (the handler pauses it too).
            ctx.request().pause();
        }
        access.check(principal, need.get().action(), need.get().target()).onSuccess(v -> ctx.next()).onFailure(ctx::fail);
    }

    /**
     * The router matches the normalized path (dot segments and double slashes resolved) with or without a
     * trailing slash: judge that same path, so no spelling of a route escapes its check.
     */
    private static String routePath(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        while (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return path;
    }

    static Optional<Need> need(HttpMethod method, String path, RoutingContext ctx) {
        String[] p = path.split("/", -1);
        // p[0] is "", p[1] "v1" (or "metrics").
        if (path.equals("/metrics")) {
            return Optional.of(new Need("riffle:GetMetrics", new Target.Account()));
        }
        if (path.equals("/v1/cluster")) {
            return Optional.of(new Need("riffle:DescribeCluster", new Target.Account()));
        }
        if (path.startsWith("/v1/cluster/nodes/")) {
            return Optional.of(new Need("riffle:DecommissionNode", new Target.Account()));
        }
        if (p.length < 3 || !p[1].equals("v1") || !p[2].equals("streams")) {
            return Optional.empty();
        }
        boolean get = method == HttpMethod.GET;
        boolean post = method == HttpMethod.POST;
        boolean delete = method == HttpMethod.DELETE;
        if (p.length == 3) {
            if (post) {
                // A body naming no valid stream fails in the handler, whoever sends it: nothing to authorize.
                return validName(bodyName(ctx)).map(n -> new Need("kinesis:CreateStream", new Target.Stream(n)));
            }
            return get ? Optional.of(new Need("kinesis:ListStreams", new Target.Account())) : Optional.empty();
        }
        StreamName stream = StreamName.of(p[3]);
        Target onStream = new Target.Stream(stream);
        String rest = String.join("/", java.util.Arrays.copyOfRange(p, 4, p.length));
        String action = null;
        Target target = onStream;
        if (rest.isEmpty()) {
            action = get ? "kinesis:DescribeStream" : delete ? "kinesis:DeleteStream" : null;
        } else if (rest.equals("records") && post) {
            String type = Optional.ofNullable(ctx.request().getHeader("Content-Type")).orElse("").toLowerCase();
            action = type.startsWith("application/json") ? "kinesis:PutRecords" : "kinesis:PutRecord";
        } else if (p.length == 7 && p[4].equals("shards") && p[6].equals("records") && get) {
            action = "kinesis:GetRecords";
        } else if (rest.equals("consumers")) {
            action = post ? "kinesis:RegisterStreamConsumer" : get ? "kinesis:ListStreamConsumers" : null;
        } else if (p.length == 6 && p[4].equals("consumers")) {
            action = get ? "kinesis:DescribeStreamConsumer" : delete ? "kinesis:DeregisterStreamConsumer" : null;
            target = new Target.Consumer(stream, ConsumerName.of(p[5]), Optional.empty());
        } else if (p.length == 7 && p[4].equals("shards") && post && (p[6].equals("split") || p[6].equals("merge"))) {
            action = p[6].equals("split") ? "kinesis:SplitShard" : "kinesis:MergeShards";
        } else if (rest.equals("shard-count") && method == HttpMethod.PUT) {
            action = "kinesis:UpdateShardCount";
        } else if (rest.equals("mode") && method == HttpMethod.PUT) {
            action = "kinesis:UpdateStreamMode";
        } else if (rest.equals("encryption")) {
            action = method == HttpMethod.PUT ? "kinesis:StartStreamEncryption" : delete ? "kinesis:StopStreamEncryption" : null;
        } else if (rest.equals("subscribe") && get) {
            action = "kinesis:SubscribeToShard";
            String consumer = ctx.request().getParam("consumer");
            // Without a consumer the handler answers its validation error; judge the stream meanwhile.
            target = consumer == null ? onStream : new Target.Consumer(stream, ConsumerName.of(consumer), Optional.empty());
        }
        return action == null ? Optional.empty() : Optional.of(new Need(action, target));
    }

    private static Optional<StreamName> validName(String name) {
        try {
            return Optional.of(StreamName.of(name));
        } catch (io.riffle.error.RiffleException e) {
            return Optional.empty();
        }
    }

    /** The stream name a create request's body names (its handler reports a malformed body in detail). */
    private static String bodyName(RoutingContext ctx) {
        try {
            Buffer b = ctx.body().buffer();
            Object name = b == null ? null : new JsonObject(b).getValue("name");
            return name instanceof String s ? s : "";
        } catch (DecodeException | ClassCastException e) {
            return "";
        }
    }
}
