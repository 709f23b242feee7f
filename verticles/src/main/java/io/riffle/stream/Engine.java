package io.riffle.stream;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * The shard engine of one node: the control plane verticle and one verticle per shard. Start it once
 * per node, then talk to it only through {@link #client()} (or a {@link StreamClient} made anywhere).
 *
 * <p>WORK IN PROGRESS: the signatures are the contract.
 */
public final class Engine {
    private final Vertx vertx;

    private Engine(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Registers codecs, opens (recovering) every stream under the data dir and deploys its shards. */
    public static Future<Engine> start(Vertx vertx, EngineConfig config) {
        return Future.succeededFuture(new Engine(vertx));
    }

    public StreamClient client() {
        return new StreamClient(vertx);
    }

    /** Stops every shard: finishes in-flight appends, flushes and closes the logs. */
    public Future<Void> stop() {
        return Future.succeededFuture();
    }
}
