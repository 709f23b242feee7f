package io.riffle.stream;

import io.riffle.shard.Codecs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

/**
 * The shard engine of one node: the control plane verticle and one verticle per shard. Start it once
 * per node, then talk to it only through {@link #client()} (or a {@link StreamClient} made anywhere).
 */
public final class Engine {
    private final Vertx vertx;
    private final String deploymentId;
    private final StreamClient client;
    private final WorkerExecutor writePool;
    private final WorkerExecutor readPool;

    private Engine(Vertx vertx, String deploymentId, WorkerExecutor writePool, WorkerExecutor readPool) {
        this.vertx = vertx;
        this.deploymentId = deploymentId;
        this.client = new StreamClient(vertx);
        this.writePool = writePool;
        this.readPool = readPool;
    }

    /**
     * Registers codecs, opens the log worker pools with the configured sizes (shards share them by name),
     * opens (recovering) every stream under the data dir and deploys its shards.
     */
    public static Future<Engine> start(Vertx vertx, EngineConfig config) {
        Codecs.register(vertx.eventBus());
        WorkerExecutor writePool = config.pools().openWrites(vertx);
        WorkerExecutor readPool = config.pools().openReads(vertx);
        return vertx.deployVerticle(new ControlPlaneVerticle(config))
                .map(id -> new Engine(vertx, id, writePool, readPool))
                .onFailure(err -> {
                    writePool.close();
                    readPool.close();
                });
    }

    /** A client shared by whoever started the engine; others may make their own. */
    public StreamClient client() {
        return client;
    }

    /** Stops every shard: finishes in-flight appends, flushes and closes the logs, then the worker pools. */
    public Future<Void> stop() {
        client.close();
        return vertx.undeploy(deploymentId)
                .eventually(() -> Future.join(writePool.close(), readPool.close()));
    }
}
