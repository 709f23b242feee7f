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
    private final String deploymentId;
    private final StreamClient client;
    private final DataDirLock lock;
    private final WorkerExecutor writePool;
    private final WorkerExecutor readPool;

    private Engine(Vertx vertx, String deploymentId, DataDirLock lock, WorkerExecutor writePool, WorkerExecutor readPool) {
        this.vertx = vertx;
        this.deploymentId = deploymentId;
        this.lock = lock;
        this.client = new StreamClient(vertx);
        this.writePool = writePool;
        this.readPool = readPool;
    }

    /**
     * Locks the data dir, registers codecs, opens the log worker pools with the configured sizes (shards
     * share them by name), opens (recovering) every stream under the data dir and deploys its shards.
     * Fails with {@link DataDirInUseException}, touching no file, if another node holds the lock.
     */
    public static Future<Engine> start(Vertx vertx, EngineConfig config) {
        Codecs.register(vertx.eventBus());
        return vertx.executeBlocking(() -> DataDirLock.acquire(config.dataDir()))
                .compose(lock -> {
                    WorkerExecutor writePool = config.pools().openWrites(vertx);
                    WorkerExecutor readPool = config.pools().openReads(vertx);
                    return vertx.deployVerticle(new ControlPlaneVerticle(config, new LocalHosting(vertx, config)))
                            .map(id -> new Engine(vertx, id, lock, writePool, readPool))
                            .onFailure(err -> {
                                writePool.close();
                                readPool.close();
                                release(lock);
                            });
                });
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
        return vertx.undeploy(deploymentId)
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
