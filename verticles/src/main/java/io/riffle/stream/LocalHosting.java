package io.riffle.stream;

import io.riffle.model.ShardDescription;
import io.riffle.model.ShardId;
import io.riffle.model.StreamDescription;
import io.riffle.shard.ShardSettings;
import io.riffle.shard.ShardVerticle;
import io.riffle.throttle.ThroughputLimits;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * A standalone node's hosting: the {@link CatalogStore} on this node's disk, and every shard deployed here
 * as a child of the control plane (so they stop after it). Blocking file work runs on worker threads.
 */
public final class LocalHosting implements StreamHosting {
    private final Vertx vertx;
    private final EngineConfig config;
    private final CatalogStore store;
    /** Shard deployment ids per stream directory and shard; touched only on the control plane's context. */
    private final Map<Path, Map<ShardId, String>> deployments = new HashMap<>();

    LocalHosting(Vertx vertx, EngineConfig config) {
        this.vertx = vertx;
        this.config = config;
        this.store = new CatalogStore(config.dataDir());
    }

    @Override
    public Future<List<Stored>> load(ThroughputLimits nodeDefaults) {
        return vertx.executeBlocking(() -> store.load(nodeDefaults));
    }

    @Override
    public Future<Path> create(StreamDescription description, Optional<ThroughputLimits> ownLimits) {
        return vertx.executeBlocking(() -> store.create(description, ownLimits));
    }

    @Override
    public Future<Void> write(Path dir, StreamDescription description, Optional<ThroughputLimits> ownLimits) {
        return vertx.executeBlocking(() -> {
            store.write(dir, description, ownLimits);
            return null;
        });
    }

    /** One node: its shards have no other leader that could have taken over, so there is nothing to fence. */
    @Override
    public Future<Void> writeResharded(Path dir, StreamDescription after, Optional<ThroughputLimits> ownLimits,
                                       Map<ShardId, Long> sealedEpochs) {
        return write(dir, after, ownLimits);
    }

    @Override
    public Future<Void> markDeleting(Path dir) {
        return vertx.executeBlocking(() -> {
            store.markDeleting(dir);
            return null;
        });
    }

    @Override
    public Future<Void> remove(Path dir) {
        return vertx.executeBlocking(() -> {
            store.remove(dir);
            return null;
        });
    }

    @Override
    public Future<Void> openShards(Path dir, StreamDescription d, List<ShardDescription> shards, ShardSettings settings,
                                   LongConsumer opened) {
        // Each id is kept as soon as its shard runs, so closing a half-opened stream stops what did start.
        Map<ShardId, String> ids = deployments.computeIfAbsent(dir, k -> new HashMap<>());
        return Future.all(shards.stream().map(s -> deploy(vertx, config, dir, d, List.of(s), settings, opened,
                id -> ids.put(s.shardId(), id))).toList()).mapEmpty();
    }

    @Override
    public Future<Void> closeShards(Path dir) {
        Map<ShardId, String> ids = deployments.remove(dir);
        return ids == null ? Future.succeededFuture() : undeploy(List.copyOf(ids.values()));
    }

    @Override
    public Future<Void> closeShards(Path dir, List<ShardId> shards) {
        Map<ShardId, String> ids = deployments.getOrDefault(dir, Map.of());
        return undeploy(shards.stream().map(ids::remove).filter(java.util.Objects::nonNull).toList());
    }

    private Future<Void> undeploy(List<String> ids) {
        return Future.join(ids.stream().map(vertx::undeploy).toList()).mapEmpty();
    }

    @Override
    public Future<Void> removeShards(Path dir, List<ShardId> shards) {
        return vertx.executeBlocking(() -> {
            for (ShardId s : shards) {
                store.removeShardDir(dir, s);
            }
            return null;
        });
    }

    /**
     * Deploys one {@link ShardVerticle} per shard of {@code shards}, logs under {@code dir}; {@code started}
     * hears each deployment id as soon as that shard runs. Answers once all take appends (shared with the
     * cluster's shard host).
     */
    public static Future<Void> deploy(Vertx vertx, EngineConfig config, Path dir, StreamDescription d,
                               List<ShardDescription> shards, ShardSettings settings, LongConsumer opened,
                               java.util.function.Consumer<String> started) {
        List<Future<String>> deployed = new ArrayList<>();
        for (ShardDescription shard : shards) {
            ShardVerticle verticle = new ShardVerticle(d.name(), shard, CatalogStore.shardDir(dir, shard.shardId()),
                    config.log(), settings, config.clock(), config.metrics(), config.keyring());
            deployed.add(vertx.deployVerticle(verticle).onSuccess(id -> {
                started.accept(id);
                opened.accept(verticle.bytesVerifiedAtOpen());
            }));
        }
        return Future.all(deployed).mapEmpty();
    }
}
