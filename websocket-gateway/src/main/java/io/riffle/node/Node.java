package io.riffle.node;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.riffle.gateway.GatewayOptions;
import io.riffle.gateway.GatewayServices;
import io.riffle.gateway.GatewayVerticle;
import io.riffle.gateway.Health;
import io.riffle.gateway.KinesisEndpoint;
import io.riffle.gateway.subscription.SubscriptionMetrics;
import io.riffle.stream.Engine;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Riffle node: its own Vert.x instance (with Micrometer metrics into a Prometheus registry),
 * the shard {@link Engine}, and one {@link GatewayVerticle} per core on one HTTP port. Started by
 * {@link RiffleMain}, and in-process by tests.
 */
public final class Node {
    private static final Logger LOG = LoggerFactory.getLogger(Node.class);

    /**
     * What serves {@code POST /} (the Kinesis API). INTEGRATION: the single line to change when
     * {@code io.riffle.kinesis.KinesisApi} lands, e.g. {@code KinesisApi::handler}.
     */
    public static final KinesisEndpoint KINESIS = KinesisEndpoint.NOT_INSTALLED;

    private final NodeConfig config;
    private final Vertx vertx;
    private final PrometheusMeterRegistry registry;
    private final Health health;
    private final Engine engine;
    private final List<String> deployments;
    private final int port;
    private Future<Void> stopping;

    private Node(NodeConfig config, Vertx vertx, PrometheusMeterRegistry registry, Health health, Engine engine,
                 List<String> deployments, int port) {
        this.config = config;
        this.vertx = vertx;
        this.registry = registry;
        this.health = health;
        this.engine = engine;
        this.deployments = deployments;
        this.port = port;
    }

    /** Starts a node with the Kinesis API {@link #KINESIS}. */
    public static Future<Node> start(NodeConfig config) {
        return start(config, KINESIS);
    }

    /**
     * Starts a node: creates the data directory, starts the engine (recovering every stream), then the
     * gateways. Fails (having released everything) if any step fails, e.g. the port is taken.
     */
    public static Future<Node> start(NodeConfig config, KinesisEndpoint kinesis) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Vertx vertx = Vertx.builder()
                .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
                .withMetrics(new MicrometerMetricsFactory(registry))
                .build();
        Health health = new Health();
        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            vertx.close();
            return Future.failedFuture(new ConfigException("Invalid setting 'dataDir' = '" + config.dataDir()
                    + "': cannot create the directory (" + e + ")"));
        }
        List<String> deployments = new ArrayList<>();
        AtomicInteger port = new AtomicInteger(config.port());
        return Engine.start(vertx, config.engineConfig(registry)).compose(engine -> {
            GatewayOptions options = new GatewayOptions(config.host(), config.port(), config.maxBodyBytes(),
                    config.maxHeaderBytes(), config.maxInitialLineBytes(), config.idleTimeoutSeconds(),
                    config.shutdownTimeoutSeconds());
            SubscriptionMetrics subscriptionMetrics = new SubscriptionMetrics(registry);
            GatewayServices first = new GatewayServices(vertx, engine.client(), options,
                    config.subscriptionOptions(Clock.systemUTC()), subscriptionMetrics, registry, health);
            int instances = config.effectiveGatewayInstances();
            // The first instance binds (maybe port 0); the others share the port it got.
            return vertx.deployVerticle(new GatewayVerticle(first, kinesis, port::set))
                    .compose(id -> {
                        deployments.add(id);
                        if (instances == 1) {
                            return Future.succeededFuture();
                        }
                        GatewayServices rest = new GatewayServices(vertx, first.client(), options.withPort(port.get()),
                                first.subscriptions(), subscriptionMetrics, registry, health);
                        return vertx.deployVerticle(() -> new GatewayVerticle(rest, kinesis, p -> { }),
                                new DeploymentOptions().setInstances(instances - 1)).map(deployments::add);
                    })
                    .map(v -> {
                        health.set(Health.State.UP);
                        LOG.info("Riffle node listening on http://{}:{} ({} gateway instances, data in {})",
                                config.host(), port.get(), instances, config.dataDir().toAbsolutePath());
                        return new Node(config, vertx, registry, health, engine, deployments, port.get());
                    })
                    .recover(e -> engine.stop().transform(x -> Future.failedFuture(e)));
        }).recover(e -> vertx.close().transform(x -> Future.failedFuture(e)));
    }

    /** The HTTP port the node listens on (the real one when configured with 0). */
    public int port() {
        return port;
    }

    public NodeConfig config() {
        return config;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * Stops the node in order: gateways drain (no new requests, subscribers closed with 1001, in-flight
     * puts finish), the engine stops (flushing and closing the logs), then Vert.x closes. Idempotent.
     */
    public synchronized Future<Void> stop() {
        if (stopping == null) {
            health.set(Health.State.STOPPING);
            LOG.info("Riffle node stopping");
            List<Future<Void>> undeploys = new ArrayList<>();
            deployments.forEach(id -> undeploys.add(vertx.undeploy(id)));
            stopping = Future.join(undeploys)
                    .transform(v -> engine.stop())
                    .transform(v -> {
                        if (v.failed()) {
                            LOG.error("The engine did not stop cleanly", v.cause());
                        }
                        return vertx.close().transform(c -> v.succeeded() ? Future.succeededFuture()
                                : Future.<Void>failedFuture(v.cause()));
                    })
                    .onComplete(v -> {
                        registry.close();
                        LOG.info("Riffle node stopped");
                    });
        }
        return stopping;
    }
}
