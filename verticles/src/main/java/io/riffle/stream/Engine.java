package io.riffle.stream;

import io.riffle.shard.Codecs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * The shard engine of one node: the control plane verticle and one verticle per shard. Start it once
 * per node, then talk to it only through {@link #client()} (or a {@link StreamClient} made anywhere).
 */
public final class Engine {
    private final Vertx vertx;
    private final String deploymentId;
    private final StreamClient client;

    private Engine(Vertx vertx, String deploymentId) {
        this.vertx = vertx;
        this.deploymentId = deploymentId;
        this.client = new StreamClient(vertx);
    }

    /** Registers codecs, opens (recovering) every stream under the data dir and deploys its shards. */
    public static Future<Engine> start(Vertx vertx, EngineConfig config) {
        Codecs.register(vertx.eventBus());
        return vertx.deployVerticle(new ControlPlaneVerticle(config)).map(id -> new Engine(vertx, id));
    }

    /** A client shared by whoever started the engine; others may make their own. */
    public StreamClient client() {
        return client;
    }

    /** Stops every shard: finishes in-flight appends, flushes and closes the logs. */
    public Future<Void> stop() {
        client.close();
        return vertx.undeploy(deploymentId);
    }
}
