package io.riffle.kinesis;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.riffle.gateway.subscription.SubscriptionMetrics;
import io.riffle.gateway.subscription.SubscriptionOptions;
import io.riffle.stream.Engine;
import io.riffle.stream.EngineConfig;
import io.riffle.throttle.ThroughputLimits;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.net.URI;
import io.riffle.security.Security;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A test node: its own Vert.x, the real engine on a data dir, and an HTTP server on 127.0.0.1 port 0 whose
 * router mounts {@link KinesisApi} exactly as the node does (plus a fallback route that shows requests
 * without {@code X-Amz-Target} are passed on). Blocking, so plain JUnit tests and AWS clients can use it.
 */
final class KinesisTestNode implements AutoCloseable {
    /** What the fallback route answers, so tests can tell a passed-on request. */
    static final int PASSED_ON_STATUS = 418;

    final Vertx vertx;
    final Engine engine;
    final KinesisSettings settings;
    /** "Operation Content-Type HttpVersion" of every Kinesis request seen, to prove what clients sent. */
    final Set<String> requestsSeen;
    private final HttpServer server;
    private final SimpleMeterRegistry meters;
    /** The TLS front door's port, -1 without one. */
    private final int tlsPort;

    private KinesisTestNode(Vertx vertx, Engine engine, KinesisSettings settings, HttpServer server,
                            Set<String> requestsSeen, SimpleMeterRegistry meters, int tlsPort) {
        this.tlsPort = tlsPort;
        this.requestsSeen = requestsSeen;
        this.meters = meters;
        this.vertx = vertx;
        this.engine = engine;
        this.settings = settings;
        this.server = server;
    }

    static KinesisTestNode start(Path dataDir) {
        return start(dataDir, ThroughputLimits.OFF, Clock.systemUTC());
    }

    static KinesisTestNode start(Path dataDir, ThroughputLimits limits, Clock clock) {
        return start(dataDir, limits, clock, false, Security.off(), Clock.systemUTC());
    }

    /** A node whose engine runs on {@code clock} too (arrival times, retention, shard close times). */
    static KinesisTestNode startOnClock(Path dataDir, Clock clock) {
        return start(dataDir, ThroughputLimits.OFF, clock, false, Security.off(), clock);
    }

    /** A node whose Kinesis API authenticates and authorizes with {@code security} (its clock injected there). */
    static KinesisTestNode startSecured(Path dataDir, Security security) {
        return start(dataDir, ThroughputLimits.OFF, Clock.systemUTC(), false, security, Clock.systemUTC());
    }

    /** A node whose endpoint is a {@link TlsFrontDoor} with a self-signed certificate for localhost. */
    static KinesisTestNode startTls(Path dataDir) {
        return start(dataDir, ThroughputLimits.OFF, Clock.systemUTC(), true, Security.off(), Clock.systemUTC());
    }

    /** A node whose master keys for stream encryption come from {@code keyring}. */
    static KinesisTestNode startWithKeyring(Path dataDir, java.util.function.Supplier<io.riffle.log.crypto.Keyring> keyring) {
        return start(dataDir, ThroughputLimits.OFF, Clock.systemUTC(), false, Security.off(), Clock.systemUTC(), keyring);
    }

    private static KinesisTestNode start(Path dataDir, ThroughputLimits limits, Clock clock, boolean tls, Security security,
                                         Clock engineClock) {
        return start(dataDir, limits, clock, tls, security, engineClock, io.riffle.log.crypto.Keyring::empty);
    }

    private static KinesisTestNode start(Path dataDir, ThroughputLimits limits, Clock clock, boolean tls, Security security,
                                         Clock engineClock, java.util.function.Supplier<io.riffle.log.crypto.Keyring> keyring) {
        Vertx vertx = Vertx.vertx();
        try {
            Engine engine = await(Engine.start(vertx, EngineConfig.defaults(dataDir).withLimits(limits).withClock(engineClock)
                    .withKeyring(keyring)));
            KinesisSettings settings = KinesisSettings.load(dataDir, "eu-west-1", "123456789012").withClock(clock);
            long rate = limits.consumerBytesPerSecond();
            // With a rate set, one event holds at most one second's worth, so tests can see the pace.
            SubscriptionOptions subscriptions = new SubscriptionOptions(rate, 3000, 1000,
                    rate == 0 ? 1 << 20 : (int) Math.min(1 << 20, rate), 1 << 20, 0, clock);
            Set<String> contentTypes = ConcurrentHashMap.newKeySet();
            Router router = Router.router(vertx);
            router.post().handler(ctx -> {
                String target = ctx.request().getHeader("X-Amz-Target");
                if (target != null) {
                    contentTypes.add(target.substring(target.indexOf('.') + 1) + " " + ctx.request().getHeader("Content-Type")
                            + " " + ctx.request().version());
                }
                ctx.next();
            });
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            router.post().handler(new KinesisApi(vertx, engine.client(), settings, subscriptions,
                    new SubscriptionMetrics(meters), security));
            router.route().handler(ctx -> ctx.response().setStatusCode(PASSED_ON_STATUS).end());
            HttpServer server = await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                    .requestHandler(router).listen());
            int tlsPort = tls ? await(TlsFrontDoor.start(vertx, "127.0.0.1", 0, TlsFrontDoor.selfSigned(dataDir), "127.0.0.1",
                    server.actualPort())).actualPort() : -1;
            return new KinesisTestNode(vertx, engine, settings, server, contentTypes, meters, tlsPort);
        } catch (RuntimeException e) {
            vertx.close();
            throw e;
        }
    }

    /**
     * Live push subscriptions on this node, from the subscription meters; fails (MeterNotFoundException)
     * before any subscription made them, rather than reading 0.
     */
    long subscribers() {
        return (long) meters.get("riffle.subscribers").gauges().stream().mapToDouble(g -> g.value()).sum();
    }

    /** Timers held by this node's subscriptions. */
    long subscriptionTimers() {
        return (long) meters.get("riffle.subscription.timers").gauge().value();
    }

    /** Waits (at most 10 s) until the node holds exactly {@code n} live subscriptions, and asserts it. */
    void awaitSubscribers(long n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (subscribers() != n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        org.assertj.core.api.Assertions.assertThat(subscribers()).isEqualTo(n);
    }

    /** Waits (at most 10 s) until no subscription and none of their timers is left, and asserts it. */
    void awaitSubscriptionsReleased() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((subscribers() != 0 || subscriptionTimers() != 0) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        org.assertj.core.api.Assertions.assertThat(List.of(subscribers(), subscriptionTimers()))
                .as("live subscriptions, their timers").containsExactly(0L, 0L);
    }

    int port() {
        return server.actualPort();
    }

    URI endpoint() {
        return URI.create(tlsPort > 0 ? "https://localhost:" + tlsPort : "http://127.0.0.1:" + port());
    }

    @Override
    public void close() {
        try {
            await(server.close());
            await(engine.stop());
        } finally {
            await(vertx.close());
        }
    }

    static <T> T await(Future<T> f) {
        return io.riffle.testing.Futures.await(f);
    }
}
