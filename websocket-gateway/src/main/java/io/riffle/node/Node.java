package io.riffle.node;

import io.riffle.log.crypto.Keyring;
import io.riffle.log.crypto.KeyringFile;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.riffle.gateway.GatewayOptions;
import io.riffle.gateway.GatewayServices;
import io.riffle.gateway.GatewayVerticle;
import io.riffle.gateway.Health;
import io.riffle.gateway.KinesisEndpoint;
import io.riffle.gateway.subscription.SubscriptionMetrics;
import io.riffle.gateway.tcp.ConnectionLimit;
import io.riffle.gateway.tcp.FrontDoorTransport;
import io.riffle.kinesis.KinesisApi;
import io.riffle.kinesis.KinesisSettings;
import io.riffle.kinesis.TlsFrontDoor;
import io.riffle.security.Security;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.PemKeyCertOptions;
import java.util.Optional;
import io.riffle.stream.DataDirInUseException;
import io.riffle.stream.Engine;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Riffle node: its own Vert.x instance (with Micrometer metrics into a Prometheus registry),
 * the shard {@link Engine}, and one {@link GatewayVerticle} per core on one HTTP port. Started by
 * {@link RiffleMain}, and in-process by tests.
 */
public final class Node {
    private static final Logger LOG = LoggerFactory.getLogger(Node.class);


    private final NodeConfig config;
    private final Vertx vertx;
    private final PrometheusMeterRegistry registry;
    private final Health health;
    private final Engine engine;
    private final Membership membership;
    private final List<String> deployments;
    private final int port;
    /** The TLS port's server, when {@code tls} is on. */
    private final Optional<NetServer> tls;
    private Future<Void> stopping;

    private Node(NodeConfig config, Vertx vertx, PrometheusMeterRegistry registry, Health health, Engine engine,
                 Membership membership, List<String> deployments, int port, Optional<NetServer> tls) {
        this.membership = membership;
        this.tls = tls;
        this.config = config;
        this.vertx = vertx;
        this.registry = registry;
        this.health = health;
        this.engine = engine;
        this.deployments = deployments;
        this.port = port;
    }

    /**
     * Starts a node with the Kinesis API, its ARNs naming the configured region and account, and its
     * iterator key kept in the data directory so issued shard iterators survive a restart.
     */
    public static Future<Node> start(NodeConfig config) {
        return start(config, Clock.systemUTC());
    }

    /** As {@link #start(NodeConfig)}, its engine on {@code engineClock} (tests move time on to expire records). */
    static Future<Node> start(NodeConfig config, Clock engineClock) {
        // Loaded only once the engine holds the data directory's lock: a second node must not touch the key.
        return startWith(config, engineClock, engine -> {
            if (config.cluster().enabled()) {
                // One key for the whole cluster, from the catalog: an iterator from any node works on all.
                return KinesisApi.endpoint(KinesisSettings.clustered(config.region(), config.accountId(),
                        () -> engine.clusterCatalog().map(io.riffle.cluster.CatalogSnapshot::tokenKey).orElse(null)));
            }
            try {
                return KinesisApi.endpoint(KinesisSettings.load(config.dataDir(), config.region(), config.accountId()));
            } catch (RuntimeException e) {
                throw new ConfigException("Invalid setting 'dataDir' = '" + config.dataDir()
                        + "': cannot keep the Kinesis iterator key there (" + e.getMessage() + ")");
            }
        });
    }

    /**
     * Starts a node: creates the data directory, starts the engine (recovering every stream), then the
     * gateways. Fails (having released everything) if any step fails, e.g. the port is taken.
     */
    public static Future<Node> start(NodeConfig config, KinesisEndpoint kinesis) {
        return startWith(config, Clock.systemUTC(), engine -> kinesis);
    }

    /**
     * Vert.x's own metrics, only of the domains the README names and the tests check (HTTP server, event bus,
     * named worker pools). Every domain on cost 16 % of the CPU at 1k single-record puts/s (RESULTS.md);
     * the node makes no Vert.x HTTP or TCP client connections, datagrams or verticle churn worth a meter.
     */
    static MicrometerMetricsOptions metricsOptions() {
        MicrometerMetricsOptions options = new MicrometerMetricsOptions().setEnabled(true);
        for (MetricsDomain unused : List.of(MetricsDomain.HTTP_CLIENT, MetricsDomain.NET_CLIENT, MetricsDomain.NET_SERVER,
                MetricsDomain.DATAGRAM_SOCKET, MetricsDomain.VERTICLES)) {
            options.addDisabledMetricsCategory(unused);
        }
        return options;
    }

    private static Future<Node> startWith(NodeConfig config, Clock engineClock,
                                          java.util.function.Function<Engine, KinesisEndpoint> kinesisApi) {
        Security security;
        Optional<KeyringFile> keyring;
        try {
            security = SecuritySettings.security(config);
            keyring = config.openKeyring();
        } catch (ConfigException e) {
            return Future.failedFuture(e);
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // The JVM's own heap, threads and CPU, so operators (and the load tests) need no jcmd.
        new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(registry);
        new io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics().bindTo(registry);
        new io.micrometer.core.instrument.binder.system.ProcessorMetrics().bindTo(registry);
        ConnectionLimit connections = new ConnectionLimit(config.maxConnections());
        connections.bindTo(registry);
        VertxOptions options = new VertxOptions().setMetricsOptions(metricsOptions());
        VertxBuilder builder = Vertx.builder()
                .withMetrics(new MicrometerMetricsFactory(registry))
                // Counts and guards connections before Vert.x sees them: maxConnections, header-read timeout.
                // The node owns the one count, shared by every HTTP and TLS socket and event loop.
                .withTransport(FrontDoorTransport.nio(config.guardOptions(connections)));
        Future<ClusterBoot.Booted> booted = config.cluster().enabled()
                ? ClusterBoot.start(builder, options, config.cluster())
                : Future.succeededFuture(new ClusterBoot.Booted(builder.with(options).build(), Optional.empty()));
        return booted.compose(b -> startOn(b, config, engineClock, registry, kinesisApi, security, keyring), err -> {
            registry.close();
            return Future.failedFuture(err);
        });
    }

    private static Future<Node> startOn(ClusterBoot.Booted booted, NodeConfig config, Clock engineClock, PrometheusMeterRegistry registry,
                                        java.util.function.Function<Engine, KinesisEndpoint> kinesisApi, Security security,
                                        Optional<KeyringFile> keyring) {
        Vertx vertx = booted.vertx();
        Health health = new Health();
        health.bindTo(registry);
        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            return closeOffContext(vertx).transform(closed -> Future.failedFuture(new ConfigException(
                    "Invalid setting 'dataDir' = '" + config.dataDir() + "': cannot create the directory (" + e + ")")));
        }
        // disk_free_bytes / disk_total_bytes of the data directory's file system, for the disk alerts.
        new io.micrometer.core.instrument.binder.system.DiskSpaceMetrics(config.dataDir().toFile()).bindTo(registry);
        List<String> deployments = new ArrayList<>();
        AtomicInteger port = new AtomicInteger(config.port());
        AtomicReference<Membership> membership = new AtomicReference<>();
        Promise<Node> result = Promise.promise();
        AtomicReference<Engine> started = new AtomicReference<>();
        // Health listens before any shard starts, so it hears every shard whose writes fail.
        health.listen(vertx.eventBus())
                .compose(v -> Engine.start(vertx, config.engineConfig(registry, keyring
                                .<java.util.function.Supplier<Keyring>>map(k -> k::keyring).orElse(Keyring::empty)).withClock(engineClock), booted.hazelcast()
                        .<java.util.function.Function<String, io.riffle.cluster.Coordination>>map(hz -> nodeId ->
                                new HazelcastCoordination(vertx, hz, nodeId, config.cluster().raft(), config.dataDir()))
                        .orElse(null), config.replication()))
                // Another node on the same directory is a configuration mistake: exit code 2, its message.
                .recover(err -> Future.failedFuture(err instanceof DataDirInUseException
                        ? new ConfigException(err.getMessage()) : err))
                .compose(engine -> {
            started.set(engine);
            // The engine read the id once it held the data directory's lock, so two nodes never mint ids for
            // one disk. Blocking: Hazelcast's map proxy may talk to the other members.
            return vertx.executeBlocking(() -> {
                String id = engine.nodeId();
                return booted.hazelcast()
                        .map(hz -> Membership.clustered(hz, config.cluster().name(), id, health, () -> engine.clusterCatalog()
                                .map(io.riffle.cluster.CatalogSnapshot::summary).orElseGet(JsonObject::new)))
                        .orElseGet(() -> Membership.standalone(config.cluster().name(), id, health));
            }).map(m -> {
                membership.set(m);
                return engine;
            });
        }).compose(engine -> {
            KinesisEndpoint kinesis = kinesisApi.apply(engine);
            // Vert.x shares a random port among server instances only when asked with a negative port.
            int listenPort = config.port() == 0 ? -1 : config.port();
            GatewayOptions gatewayOptions = new GatewayOptions(config.host(), listenPort, config.maxBodyBytes(),
                    config.maxHeaderBytes(), config.maxInitialLineBytes(), config.idleTimeoutSeconds(),
                    config.shutdownTimeoutSeconds());
            SubscriptionMetrics subscriptionMetrics = new SubscriptionMetrics(registry);
            GatewayServices services = new GatewayServices(vertx, engine.client(), gatewayOptions,
                    config.subscriptionOptions(Clock.systemUTC()), subscriptionMetrics, registry, health,
                    membership.get(), security);
            security.watch(vertx);
            // As the credentials file: a changed, valid keyring takes effect at once (disabling a key stops its streams' puts).
            keyring.ifPresent(k -> vertx.setPeriodic(1000, id -> vertx.executeBlocking(k::reloadIfChanged, false)));
            int instances = config.effectiveGatewayInstances();
            Set<Integer> ports = ConcurrentHashMap.newKeySet();
            return vertx.deployVerticle(() -> new GatewayVerticle(services, kinesis, ports::add),
                            new DeploymentOptions().setInstances(instances))
                    .map(id -> {
                        deployments.add(id);
                        if (ports.size() != 1) {
                            throw new IllegalStateException("Gateway instances listen on different ports: " + ports);
                        }
                        port.set(ports.iterator().next());
                        return id;
                    })
                    .compose(v -> startTls(vertx, config, port.get()))
                    .compose(tls -> {
                        health.set(Health.State.UP);
                        security.logMode(config.host());
                        LOG.info("Riffle node listening on http://{}:{} ({} gateway instances, data in {})",
                                config.host(), port.get(), instances, config.dataDir().toAbsolutePath());
                        Node node = new Node(config, vertx, registry, health, engine, membership.get(), deployments,
                                port.get(), tls);
                        return membership.get().announce(config.host(), port.get()).map(node);
                    });
        }).onComplete(ar -> {
            if (ar.succeeded()) {
                result.complete(ar.result());
            } else {
                if (!(ar.cause() instanceof ConfigException)) {
                    // A configuration mistake is told once, by its message (RiffleMain exits 2), not as a trace.
                    LOG.error("Riffle node failed to start", ar.cause());
                }
                // Stopping the engine releases the data directory's lock before Vert.x closes.
                Engine engine = started.get();
                (engine == null ? Future.<Void>succeededFuture() : engine.stop())
                        .onComplete(stopped -> closeOffContext(vertx).onComplete(closed -> result.fail(ar.cause())));
            }
        });
        return result.future();
    }

    /**
     * The optional TLS port: TLS terminated and relayed to the plain port, so the same gateways serve h2
     * (with or without ALPN) and HTTP/1.1 over it. Empty when {@code tls} is off.
     */
    private static Future<Optional<NetServer>> startTls(Vertx vertx, NodeConfig config, int plainPort) {
        if (!config.tls()) {
            return Future.succeededFuture(Optional.empty());
        }
        String backend = config.host().equals("0.0.0.0") || config.host().equals("::") ? "127.0.0.1" : config.host();
        return vertx.executeBlocking(() -> config.tlsCertFile().isEmpty()
                        ? TlsFrontDoor.selfSigned(config.dataDir())
                        : new PemKeyCertOptions().setCertPath(config.tlsCertFile()).setKeyPath(config.tlsKeyFile()))
                .compose(keyCert -> TlsFrontDoor.start(vertx, config.host(), config.tlsPort(), keyCert, backend, plainPort))
                .map(server -> {
                    LOG.info("Riffle node listening on https://{}:{}", config.host(), server.actualPort());
                    return Optional.of(server);
                });
    }

    /** The TLS port the node listens on, when {@code tls} is on. */
    public Optional<Integer> tlsPort() {
        return tls.map(NetServer::actualPort);
    }

    /**
     * Closes Vert.x from a thread outside it: a close started on one of its own event loops would try to
     * report completion on that (by then terminated) loop, and the future would never complete.
     */
    private static Future<Void> closeOffContext(Vertx vertx) {
        Promise<Void> closed = Promise.promise();
        CompletableFuture.runAsync(() -> vertx.close().onComplete(closed));
        return closed.future();
    }

    /** The HTTP port the node listens on (the real one when configured with 0). */
    public int port() {
        return port;
    }

    /** The node's Vert.x (clustered with {@code cluster: true}); for in-process tests of the event bus. */
    Vertx vertx() {
        return vertx;
    }

    public NodeConfig config() {
        return config;
    }

    /** The node's engine (for tests in this package). */
    Engine engine() {
        return engine;
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
            // The other members see this node STOPPING until it leaves their view.
            undeploys.add(membership.announce(config.host(), port));
            tls.ifPresent(server -> undeploys.add(server.close()));
            deployments.forEach(id -> undeploys.add(vertx.undeploy(id)));
            Promise<Void> done = Promise.promise();
            long began = System.nanoTime();
            Future.join(undeploys)
                    .transform(v -> {
                        // Each step's time in the log: a stop that takes long shows which step held it.
                        LOG.info("Gateways stopped in {} ms; stopping the engine", elapsedMillis(began));
                        return engine.stop();
                    })
                    .onComplete(engineStopped -> {
                        LOG.info("Engine stopped {} ms after the stop began", elapsedMillis(began));
                        if (engineStopped.failed()) {
                            LOG.error("The engine did not stop cleanly", engineStopped.cause());
                        }
                        closeOffContext(vertx).onComplete(closed -> {
                            registry.close();
                            LOG.info("Riffle node stopped");
                            if (engineStopped.failed()) {
                                done.fail(engineStopped.cause());
                            } else {
                                done.handle(closed);
                            }
                        });
                    });
            stopping = done.future();
        }
        return stopping;
    }

    private static long elapsedMillis(long sinceNanos) {
        return java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sinceNanos);
    }
}
