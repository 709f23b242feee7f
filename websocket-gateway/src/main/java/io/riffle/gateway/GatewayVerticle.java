package io.riffle.gateway;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.gateway.http.AllowedMethods;
import io.riffle.gateway.http.BrowserGuard;
import io.riffle.gateway.http.NativeAccess;
import io.riffle.security.AccessControl;
import io.vertx.core.http.HttpMethod;
import io.riffle.gateway.http.ConsoleRoutes;
import io.riffle.gateway.http.ErrorResponses;
import io.riffle.gateway.http.NativeApi;
import io.riffle.gateway.ws.SubscriberSocket;
import io.riffle.gateway.ws.WebSocketSubscribe;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One gateway instance: an HTTP server (HTTP/1.1, h2c) on the node's port serving the native API, WebSocket
 * subscriptions, {@code /health}, {@code /metrics}, the web console and the Kinesis API hook. The node deploys one per
 * core; all share the port. Stateless apart from its connections; reaches shards only through
 * {@link io.riffle.stream.StreamClient}.
 *
 * <p>Stopping it (undeploy) drains: new requests get 503, subscriber sockets close with 1001, in-flight
 * requests (puts) finish within {@link GatewayOptions#shutdownTimeoutSeconds()}, then the server closes.
 */
public final class GatewayVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayVerticle.class);
    private static final long DRAIN_POLL_MILLIS = 20;

    private final GatewayServices services;
    private final KinesisEndpoint kinesis;
    private final IntConsumer onListening;
    private final Set<SubscriberSocket> sockets = new HashSet<>();
    private HttpServer server;
    private boolean draining;
    private int inFlight;

    /**
     * @param onListening told the actual port once the server listens (useful with port 0)
     */
    public GatewayVerticle(GatewayServices services, KinesisEndpoint kinesis, IntConsumer onListening) {
        this.services = services;
        this.kinesis = kinesis;
        this.onListening = onListening;
    }

    @Override
    public Future<?> start() {
        Router router = router();
        server = vertx.createHttpServer(services.options().httpServerOptions()).requestHandler(router);
        return server.listen().onSuccess(s -> onListening.accept(s.actualPort()));
    }

    /** The routes; the Router is built here and nowhere else. */
    private Router router() {
        Router router = Router.router(vertx);
        BodyHandler body = BodyHandler.create(false).setBodyLimit(services.options().maxBodyBytes());
        router.route().handler(this::admit);
        router.route().handler(new BrowserGuard(services.security().options(), services.options().host())::handle);
        // Authentication (and authorization) of everything but the Kinesis API, which does its own on POST /;
        // the audit log of the native API's changes.
        NativeAccess access = new NativeAccess(services.security(), new AccessControl(services.client(), services.security()),
                services.security().audit());
        router.route("/v1/*").handler(ctx -> {
            // SigV4 may sign the body, and the policy check is asynchronous: read it first (the routes' own
            // BodyHandler then finds it read).
            HttpMethod method = ctx.request().method();
            if ((method == HttpMethod.POST || method == HttpMethod.PUT) && services.security().enabled()) {
                body.handle(ctx);
            } else {
                ctx.next();
            }
        }).handler(access::handle);
        router.route("/metrics").handler(access::handle);
        router.get("/health").handler(this::health);
        router.get("/v1/cluster").handler(ctx -> services.cluster().describe().onSuccess(ctx::json).onFailure(ctx::fail));
        router.post("/v1/cluster/nodes/:id/decommission").handler(ctx -> decommission(ctx, false));
        router.delete("/v1/cluster/nodes/:id/decommission").handler(ctx -> decommission(ctx, true));
        router.get("/health/live").handler(ctx -> ctx.json(new JsonObject().put("status", "UP")));
        router.get("/metrics").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .end(services.registry().scrape()));
        Buffer openapi = resource("/openapi.yaml");
        router.get("/v1/openapi.yaml").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "application/yaml").end(openapi));
        WebSocketSubscribe subscribe = new WebSocketSubscribe(services, sockets::add, sockets::remove);
        router.get("/v1/streams/:name/subscribe").handler(subscribe::handle);
        new NativeApi(services.client()).mount(router, body);
        ConsoleRoutes.mount(router);

        // ---- Kinesis API hook: the ONE place POST / (X-Amz-Target requests) is routed. ----
        router.post("/").handler(body).handler(kinesis.create(services));

        router.route().failureHandler(ErrorResponses::handle);
        router.errorHandler(404, ErrorResponses::noRoute);
        AllowedMethods allowed = new AllowedMethods(router);
        router.errorHandler(405, ctx -> ErrorResponses.methodNotAllowed(ctx, allowed));
        return router;
    }

    /** Refuses work while draining; counts in-flight requests (not WebSocket upgrades) for a clean stop. */
    private void admit(RoutingContext ctx) {
        if (draining) {
            ctx.response().putHeader("Connection", "close");
            ctx.fail(new RiffleException(ErrorCode.SERVICE_UNAVAILABLE, "The node is shutting down"));
            return;
        }
        ctx.put(ErrorResponses.MAX_BODY_BYTES, services.options().maxBodyBytes());
        if (!ctx.request().canUpgradeToWebSocket()) {
            inFlight++;
            ctx.addEndHandler(v -> inFlight--);
        }
        ctx.next();
    }

    private void health(RoutingContext ctx) {
        Health.Report report = services.health().report(draining);
        ctx.response().setStatusCode(report.httpStatus())
                .putHeader("Content-Type", "application/json")
                .end(report.body().encode());
    }

    @Override
    public Future<?> stop() {
        draining = true;
        new HashSet<>(sockets).forEach(SubscriberSocket::shutdown);
        Promise<Void> drained = Promise.promise();
        long deadline = System.currentTimeMillis() + TimeUnit.SECONDS.toMillis(services.options().shutdownTimeoutSeconds());
        awaitDrained(drained, deadline);
        return drained.future().compose(v -> server.shutdown(1, TimeUnit.SECONDS));
    }

    private void awaitDrained(Promise<Void> drained, long deadline) {
        if (inFlight == 0) {
            drained.complete();
        } else if (System.currentTimeMillis() >= deadline) {
            LOG.warn("Stopping with {} requests still in flight after the shutdown timeout", inFlight);
            drained.complete();
        } else {
            vertx.setTimer(DRAIN_POLL_MILLIS, t -> awaitDrained(drained, deadline));
        }
    }

    private static Buffer resource(String name) {
        try (InputStream in = GatewayVerticle.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("Missing resource " + name);
            }
            return Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read resource " + name, e);
        }
    }

    /**
     * {@code POST /v1/cluster/nodes/{id}/decommission}: the catalog leader moves every replica and leadership
     * off the node; 202 with what is left ({@code replicasLeft}, {@code leadershipsLeft}); asking again shows
     * the progress. A standalone node has nothing to move its shards to. {@code DELETE} ({@code cancel}) ends
     * the decommission: 200, the node takes replicas again.
     */
    private void decommission(RoutingContext ctx, boolean cancel) {
        String node = ctx.pathParam("id");
        services.cluster().describe().compose(view -> "standalone".equals(view.getString("mode"))
                        ? Future.failedFuture(RiffleException.invalidArgument(
                                "A standalone node has no other node to move its shards to"))
                        : vertx.eventBus().<JsonObject>request(io.riffle.bus.Addresses.decommission(), new JsonObject().put("nodeId", node).put("cancel", cancel))
                                .recover(err -> Future.failedFuture(io.riffle.bus.Failures.toRiffle(err, "The catalog leader")))
                                .map(io.vertx.core.eventbus.Message::body))
                .onSuccess(answer -> ctx.response().setStatusCode(cancel ? 200 : 202).putHeader("Content-Type", "application/json").end(answer.encode()))
                .onFailure(ctx::fail);
    }
}
