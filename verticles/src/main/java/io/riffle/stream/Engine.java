package io.riffle.stream;

import io.riffle.shard.Codecs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shard engine of one node: the control plane verticle and one verticle per shard. Start it once
 * per node, then talk to it only through {@link #client()} (or a {@link StreamClient} made anywhere).
 * It holds its data directory's {@link DataDirLock} and the log worker pools from start to stop.
 */
public final class Engine {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    private final Vertx vertx;
    /** Deployed at start, undeployed in reverse order at stop. */
    private final java.util.List<String> deploymentIds;
    private final String nodeId;
    /** This node's replica of the cluster catalog; null when standalone. */
    private final io.riffle.cluster.CatalogReplica replica;
    private final StreamClient client;
    private final DataDirLock lock;
    private final WorkerExecutor writePool;
    private final WorkerExecutor readPool;
    /** The standalone node's control plane, quiesced before it is undeployed; null in a cluster. */
    private final ControlPlaneVerticle controlPlane;
    /** The clustered node's campaign for catalog leadership (its control plane is quiesced too); null standalone. */
    private final io.riffle.cluster.CatalogLeader leader;

    private Engine(Vertx vertx, java.util.List<String> deploymentIds, String nodeId, io.riffle.cluster.CatalogReplica replica,
                   ControlPlaneVerticle controlPlane, io.riffle.cluster.CatalogLeader leader, RequestTargets targets,
                   DataDirLock lock, WorkerExecutor writePool, WorkerExecutor readPool) {
        this.vertx = vertx;
        this.controlPlane = controlPlane;
        this.leader = leader;
        this.replica = replica;
        this.deploymentIds = deploymentIds;
        this.nodeId = nodeId;
        this.lock = lock;
        this.client = new StreamClient(vertx, targets);
        this.writePool = writePool;
        this.readPool = readPool;
    }

    /**
     * Locks the data dir, registers codecs, opens the log worker pools with the configured sizes (shards
     * share them by name), opens (recovering) every stream under the data dir and deploys its shards.
     * Fails with {@link DataDirInUseException}, touching no file, if another node holds the lock.
     */
    public static Future<Engine> start(Vertx vertx, EngineConfig config) {
        return start(vertx, config, null);
    }

    /**
     * As {@link #start(Vertx, EngineConfig)}, as one node of a cluster when {@code coordinationFor} is not
     * null: instead of its own control plane the node runs a {@link io.riffle.cluster.CatalogReplica} (and
     * the shards the catalog places here) and campaigns for catalog leadership through the coordination
     * made for its node id (read from the data directory once it is locked).
     */
    public static Future<Engine> start(Vertx vertx, EngineConfig config,
                                       java.util.function.Function<String, io.riffle.cluster.Coordination> coordinationFor) {
        return start(vertx, config, coordinationFor, io.riffle.cluster.ReplicaSettings.DEFAULTS);
    }

    /** As {@link #start(Vertx, EngineConfig, java.util.function.Function)}, clustered with {@code replication}'s zone and repair time. */
    public static Future<Engine> start(Vertx vertx, EngineConfig config,
                                       java.util.function.Function<String, io.riffle.cluster.Coordination> coordinationFor,
                                       io.riffle.cluster.ReplicaSettings replication) {
        Codecs.register(vertx.eventBus());
        return vertx.executeBlocking(() -> {
                    DataDirLock lock = DataDirLock.acquire(config.dataDir());
                    try {
                        return java.util.Map.entry(lock, io.riffle.cluster.NodeIdentity.loadOrCreate(config.dataDir()));
                    } catch (java.io.IOException | RuntimeException e) {
                        release(lock);
                        throw e;
                    }
                })
                .compose(locked -> {
                    DataDirLock lock = locked.getKey();
                    String nodeId = locked.getValue();
                    WorkerExecutor writePool = config.pools().openWrites(vertx);
                    WorkerExecutor readPool = config.pools().openReads(vertx);
                    java.util.List<String> ids = new java.util.ArrayList<>();
                    io.riffle.cluster.CatalogReplica replica = coordinationFor == null ? null
                            : new io.riffle.cluster.CatalogReplica(config, nodeId, replication.zone(),
                            replication.catchUpBytesPerSecond());
                    Future<?> deployed;
                    ControlPlaneVerticle controlPlane = coordinationFor == null
                            ? new ControlPlaneVerticle(config, new LocalHosting(vertx, config)) : null;
                    java.util.concurrent.atomic.AtomicReference<io.riffle.cluster.CatalogLeader> leader =
                            new java.util.concurrent.atomic.AtomicReference<>();
                    java.util.concurrent.atomic.AtomicReference<RequestTargets> targets =
                            new java.util.concurrent.atomic.AtomicReference<>(RequestTargets.NONE);
                    if (controlPlane != null) {
                        deployed = vertx.deployVerticle(controlPlane).onSuccess(ids::add);
                    } else {
                        // The replica listens before the node announces itself: a leader that sees the node
                        // can send it the catalog at once.
                        deployed = vertx.deployVerticle(replica).onSuccess(ids::add)
                                .compose(v -> vertx.executeBlocking(() -> coordinationFor.apply(nodeId)))
                                .compose(coordination -> {
                                    targets.set(new io.riffle.cluster.CatalogTargets(replica, coordination));
                                    leader.set(new io.riffle.cluster.CatalogLeader(config, coordination, replication));
                                    return vertx.deployVerticle(leader.get());
                                })
                                .onSuccess(ids::add);
                    }
                    return deployed
                            .map(v -> new Engine(vertx, ids, nodeId, replica, controlPlane, leader.get(), targets.get(), lock,
                                    writePool, readPool))
                            .onFailure(err -> {
                                java.util.Collections.reverse(ids);
                                ids.forEach(vertx::undeploy);
                                writePool.close();
                                readPool.close();
                                release(lock);
                            });
                });
    }

    /**
     * The cluster catalog as this node last received it (empty before the first leader's), or empty when
     * standalone.
     */
    public java.util.Optional<io.riffle.cluster.CatalogSnapshot> clusterCatalog() {
        return java.util.Optional.ofNullable(replica).map(io.riffle.cluster.CatalogReplica::current);
    }

    /** Whether this node runs the control plane now: always standalone, while it leads the catalog in a cluster. */
    public boolean runsControlPlane() {
        return controlPlane != null || leader.leads();
    }

    /** This node's stable id, from its data directory. */
    public String nodeId() {
        return nodeId;
    }

    /** A client shared by whoever started the engine; others may make their own. */
    public StreamClient client() {
        return client;
    }

    /**
     * Stops every shard: finishes in-flight appends, flushes and closes the logs, then closes the worker
     * pools and releases the lock.
     */
    public Future<Void> stop() {
        client.close();
        // The leader's campaign before the replica and its shards, which flush and close their logs. The
        // control plane (standalone, or this node's while it leads the catalog) lets its running reshards
        // finish first (see ControlPlaneVerticle#quiesce).
        Future<Void> undeployed = controlPlane != null ? controlPlane.quiesce() : leader.quiesce();
        for (int i = deploymentIds.size() - 1; i >= 0; i--) {
            String id = deploymentIds.get(i);
            undeployed = undeployed.eventually(() -> vertx.undeploy(id));
        }
        return undeployed
                .eventually(() -> Future.join(writePool.close(), readPool.close()))
                .eventually(() -> {
                    release(lock);
                    return Future.succeededFuture();
                });
    }

    private static void release(DataDirLock lock) {
        try {
            lock.close();
        } catch (java.io.IOException e) {
            LOG.warn("Releasing the data directory lock failed: {}", e.toString());
        }
    }
}
