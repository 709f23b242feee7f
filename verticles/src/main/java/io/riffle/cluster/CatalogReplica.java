package io.riffle.cluster;

import io.riffle.bus.Addresses;
import io.riffle.bus.Failures;
import io.riffle.log.DurableFile;
import io.riffle.model.ShardDescription;
import io.riffle.model.ShardId;
import io.riffle.model.StreamDescription;
import io.riffle.shard.ShardSettings;
import io.riffle.stream.CatalogStore;
import io.riffle.stream.EngineConfig;
import io.riffle.replica.ReplicaRole;
import io.riffle.shard.ShardVerticle;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's replica of the cluster catalog, on every clustered node: it keeps the newest snapshot a
 * leader sent and the highest epoch it promised durably in {@code <dataDir>/cluster/catalog.json}, refuses
 * anything from a lower epoch (so a deposed leader can never reach a majority again), and runs exactly the
 * shards the snapshot places on this node: open ones deployed, closed or deleted ones stopped, removed
 * streams' directories deleted, and so are the logs of replicas that moved off this node.
 *
 * <p>At start it deploys nothing: the stored snapshot may be stale (a stream deleted while this node was
 * down), so shards start only from a leader's snapshot, which a leader sends to every member it sees.
 *
 * <p>Requests on {@link Addresses#catalogReplica}: {@code state} (the stored snapshot and promise),
 * {@code promise} {epoch} (promise never to accept a lower epoch), {@code apply} {epoch, leader, snapshot},
 * {@code committed} {epoch, version} (the leader's notice that a snapshot is on a majority). Answers
 * are {@code {ok, nodeId, zone, promised, snapshot?}}; {@code ok:false} is a refusal of a stale epoch. An apply is
 * answered once this node's shards follow it.
 */
public final class CatalogReplica extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(CatalogReplica.class);
    static final String FILE = "catalog.json";

    private final EngineConfig config;
    private final String nodeId;
    /** This node's zone, told to the catalog leader in every answer (placement spreads replicas over zones). */
    private final String zone;
    private final Path file;
    private final CatalogStore store;
    private long promised;
    /** Written on this verticle's context only; read by the node's Kinesis API (the token key) from any thread. */
    private volatile CatalogSnapshot current = CatalogSnapshot.EMPTY;
    /** The node id of the catalog leader whose change this node applied last (it runs the control plane); null before. */
    private volatile String leader;
    /** Told, on this verticle's context, after each change applied here (see {@link #onApplied}). */
    private final List<Runnable> applied = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** A shard replica running here: its deployment, verticle, and the role and settings it runs with. */
    private record Running(String deploymentId, ShardVerticle verticle, ReplicaRole role, ShardSettings settings) {
        /**
         * Whether it can run as {@code want} says, changed in place if need be: under the same leader and
         * epoch (only the replica set or learners differ). The control plane reconfigures leaders (retention,
         * limits, encryption) over the event bus; a follower, which has no such address, is restarted with them.
         */
        boolean runs(ReplicaRole want, ShardSettings wanted) {
            return want != null && role.sameLeadership(want) && (role.leads() || settings.equals(wanted));
        }
    }

    /** The shard replicas running here, by stream engine id and shard index. */
    private final Map<String, Map<Integer, Running>> running = new HashMap<>();
    /**
     * Shards of open streams whose replica stopped here because the catalog no longer places it on this node,
     * "streamId/index": their logs go once the leader tells that a snapshot holding no such replica is committed.
     */
    private final Set<String> unplaced = new TreeSet<>();
    /** Reconciliations run one after the other. */
    private Future<?> last = Future.succeededFuture();
    private MessageConsumer<JsonObject> consumer;
    private final long catchUpBytesPerSecond;

    public CatalogReplica(EngineConfig config, String nodeId, String zone) {
        this(config, nodeId, zone, 0);
    }

    /** As above; the leaders here send each learner at most {@code catchUpBytesPerSecond} (0: no limit). */
    public CatalogReplica(EngineConfig config, String nodeId, String zone, long catchUpBytesPerSecond) {
        this.catchUpBytesPerSecond = catchUpBytesPerSecond;
        this.config = config;
        this.nodeId = nodeId;
        this.zone = zone;
        this.file = config.dataDir().resolve("cluster").resolve(FILE);
        this.store = new CatalogStore(config.dataDir());
    }

    /**
     * The catalog voters this data directory's node last stored (empty before its first catalog). Blocking;
     * for code outside the verticle that must know the whole cluster (the CP Subsystem's reset).
     */
    public static Set<String> storedVoters(Path dataDir) throws java.io.IOException {
        Path stored = dataDir.resolve("cluster").resolve(FILE);
        if (!Files.isRegularFile(stored)) {
            return Set.of();
        }
        return CatalogSnapshot.fromJson(new JsonObject(Files.readString(stored)).getJsonObject("snapshot")).members();
    }

    @Override
    public Future<?> start() {
        return vertx.executeBlocking(() -> {
            if (Files.isRegularFile(file)) {
                JsonObject stored = new JsonObject(Files.readString(file));
                promised = stored.getLong("promised", 0L);
                current = CatalogSnapshot.fromJson(stored.getJsonObject("snapshot"));
            }
            return null;
        }).compose(v -> {
            LOG.info("Catalog replica {} holds {}, promised epoch {}", nodeId, current, promised);
            registerMeters();
            consumer = vertx.eventBus().consumer(Addresses.catalogReplica(nodeId), this::handle);
            return consumer.completion();
        });
    }

    /** Every node shows the moves of the catalog it holds, so the gauges do not depend on which node leads. */
    private void registerMeters() {
        io.micrometer.core.instrument.Gauge.builder("riffle.replica.moves.in.progress", this,
                        r -> r.current.summary().getJsonArray("moves").size())
                .description("Shard replica moves under way (repair, decommission, rebalancing), as this node's catalog has them")
                .register(config.metrics());
        io.micrometer.core.instrument.Gauge.builder("riffle.nodes.decommissioning", this,
                        r -> r.current.summary().getJsonArray("decommissioning").size())
                .description("Nodes being decommissioned, as this node's catalog has them").register(config.metrics());
    }

    @Override
    public Future<?> stop() {
        return consumer == null ? Future.succeededFuture() : consumer.unregister();
    }

    /** The newest snapshot this node holds; from any thread. */
    public CatalogSnapshot current() {
        return current;
    }

    /** The node id of the catalog leader whose change this node applied last, if any yet; from any thread. */
    public java.util.Optional<String> leader() {
        return java.util.Optional.ofNullable(leader);
    }

    /** Calls {@code handler} after each change a leader sent was applied here (its snapshot is {@link #current}). */
    public void onApplied(Runnable handler) {
        applied.add(handler);
    }

    private void handle(Message<JsonObject> message) {
        JsonObject body = message.body();
        Future<JsonObject> answer = switch (body.getString("op")) {
            case "state" -> Future.succeededFuture(answer(true).put("snapshot", current.toJson()));
            case "promise" -> promise(body.getLong("epoch"));
            case "apply" -> apply(body.getLong("epoch"), CatalogSnapshot.fromJson(body.getJsonObject("snapshot")))
                    .onSuccess(a -> {
                        if (a.getBoolean("ok") && body.containsKey("leader")) {
                            leader = body.getString("leader");
                            applied.forEach(Runnable::run);
                        }
                    });
            case "committed" -> committed(body.getLong("epoch"), body.getLong("version"));
            default -> Future.failedFuture(new IllegalArgumentException("Unknown catalog replica op " + body.getString("op")));
        };
        answer.onSuccess(message::reply).onFailure(err -> Failures.fail(message, err));
    }

    private JsonObject answer(boolean ok) {
        return new JsonObject().put("ok", ok).put("nodeId", nodeId).put("zone", zone).put("promised", promised);
    }

    private Future<JsonObject> promise(long epoch) {
        if (epoch < promised) {
            return Future.succeededFuture(answer(false));
        }
        return persist(epoch, current).map(v -> answer(true).put("snapshot", current.toJson()));
    }

    private Future<JsonObject> apply(long epoch, CatalogSnapshot next) {
        if (epoch < promised) {
            LOG.warn("Refusing {} from epoch {}: this node promised epoch {}", next, epoch, promised);
            return Future.succeededFuture(answer(false));
        }
        Future<JsonObject> result = last.transform(ar -> {
            if (epoch < promised) {
                return Future.succeededFuture(answer(false));
            }
            CatalogSnapshot before = current;
            Future<Void> durable = next.newerThan(before) || epoch > promised
                    ? persist(epoch, next.newerThan(before) ? next : before) : Future.succeededFuture();
            // The shards follow the newest snapshot, even when this one was older (a resend).
            return durable.compose(v -> reconcile(before, current)).map(v -> answer(true));
        });
        last = result;
        return result;
    }

    /**
     * The snapshot {@code (epoch, version)} is committed: if it is the one this node holds, the logs of the
     * replicas it stopped and that it still does not place here go (in order with the reconciliations).
     */
    private Future<JsonObject> committed(long epoch, long version) {
        Future<JsonObject> result = last.transform(ar -> {
            CatalogSnapshot held = current;
            if (held.epoch() != epoch || held.version() != version || unplaced.isEmpty()) {
                return Future.succeededFuture(answer(true));
            }
            List<String> gone = new ArrayList<>(unplaced);
            unplaced.clear();
            return vertx.executeBlocking(() -> {
                for (String key : gone) {
                    removeUnplaced(held, key);
                }
                return answer(true);
            });
        });
        last = result;
        return result;
    }

    /** Removes the shard's log if the committed {@code catalog} has its stream open and no replica of it here. */
    private void removeUnplaced(CatalogSnapshot catalog, String key) throws java.io.IOException {
        String id = key.substring(0, key.indexOf('/'));
        int index = Integer.parseInt(key.substring(key.indexOf('/') + 1));
        JsonObject record = catalog.streams().get(id);
        boolean open = record != null && record.getBoolean("open", false) && !record.getBoolean("deleting", false);
        if (!open || !ReplicaSets.shards(record).contains(index) || roleOf(record, index) != null) {
            // Deleted, closed or dropped: the stream's own removal takes it; placed here again: it stays.
            return;
        }
        ShardId shard = new ShardId(index);
        Path dir = config.dataDir().resolve("streams").resolve(id);
        if (Files.isDirectory(CatalogStore.shardDir(dir, shard))) {
            LOG.info("Node {} holds no replica of shard {} of stream {} any more: removing its log", nodeId, shard,
                    record.getJsonObject("description").getString("name"));
            store.removeShardDir(dir, shard);
        }
    }

    private Future<Void> persist(long epoch, CatalogSnapshot snapshot) {
        long promise = Math.max(promised, epoch);
        byte[] bytes = new JsonObject().put("promised", promise).put("snapshot", snapshot.toJson()).encode()
                .getBytes(StandardCharsets.UTF_8);
        return vertx.<Void>executeBlocking(() -> {
            Files.createDirectories(file.getParent());
            // Owner-only: the catalog carries the key that seals iterators.
            DurableFile.write(file, bytes, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            return null;
        }).onSuccess(v -> {
            promised = promise;
            current = snapshot;
        });
    }

    /** Brings this node's shards in line with {@code next}; {@code before} tells which streams went away. */
    private Future<Void> reconcile(CatalogSnapshot before, CatalogSnapshot next) {
        Map<String, JsonObject> streams = next.streams();
        Set<String> known = before.streams().keySet();
        Set<String> ids = new TreeSet<>(streams.keySet());
        ids.addAll(running.keySet());
        ids.addAll(known);
        List<Future<Void>> steps = ids.stream().map(id -> reconcile(id, streams.get(id), known.contains(id))).toList();
        return Future.all(steps).mapEmpty();
    }

    private Future<Void> reconcile(String id, JsonObject record, boolean knownBefore) {
        Path dir = config.dataDir().resolve("streams").resolve(id);
        boolean open = record != null && record.getBoolean("open", false) && !record.getBoolean("deleting", false);
        boolean firstRun = !running.containsKey(id);
        Map<Integer, Running> here = running.computeIfAbsent(id, k -> new HashMap<>());
        if (!open) {
            List<Future<Void>> stops = here.values().stream().map(r -> vertx.undeploy(r.deploymentId())).toList();
            here.clear();
            running.remove(id);
            Future<Void> stopped = Future.join(stops).mapEmpty();
            if (record == null && knownBefore) {
                return stopped.compose(v -> vertx.executeBlocking(() -> {
                    store.remove(dir);
                    return null;
                }));
            }
            return stopped;
        }
        StreamDescription d = CatalogSnapshot.description(record, config.defaultLimits());
        ShardSettings settings = ShardSettings.of(d);
        List<Future<Void>> steps = new ArrayList<>();
        // Shards the stream no longer has (expired parents, a failed reshard's children) stop, and their logs
        // go once they have; so do logs left by such shards while this node was down (its first run).
        List<Integer> gone = here.keySet().stream().filter(i -> d.shards().stream().noneMatch(s -> s.shardId().index() == i)).toList();
        if (!gone.isEmpty() || firstRun) {
            Future<Void> stopped = Future.join(gone.stream().map(i -> vertx.undeploy(here.remove(i).deploymentId())).toList()).mapEmpty();
            steps.add(stopped.transform(ar -> vertx.executeBlocking(() -> {
                store.removeShardsNotInCatalog(dir, d);
                return null;
            })));
        }
        for (ShardDescription s : d.shards()) {
            int index = s.shardId().index();
            ReplicaRole want = roleOf(record, index);
            Running have = here.get(index);
            if (have != null && have.runs(want, settings)) {
                if (!have.role().equals(want)) {
                    // A membership change (a move's learner added, made a replica, or another replica removed): the
                    // leader keeps its puts in flight and only starts or stops links; followers change nothing.
                    steps.add(Future.fromCompletionStage(have.verticle().changeReplicas(want), context)
                            .onSuccess(settled -> here.put(index, new Running(have.deploymentId(), have.verticle(), want, settings)))
                            .<Void>mapEmpty());
                }
                continue;
            }
            if (want == null && have == null && !firstRun) {
                continue;
            }
            // A new leader or epoch means a new verticle: the old one answers nothing more.
            Future<Void> stopped = have == null ? Future.succeededFuture()
                    : vertx.undeploy(have.deploymentId()).onComplete(ar -> here.remove(index, have));
            if (want != null) {
                ShardVerticle verticle = new ShardVerticle(d.name(), s, CatalogStore.shardDir(dir, s.shardId()), config.log(),
                        settings, config.clock(), config.metrics(), config.keyring(), want).withCatchUpBytesPerSecond(catchUpBytesPerSecond);
                steps.add(stopped.compose(v -> vertx.deployVerticle(verticle)).map(deploymentId -> {
                    here.put(index, new Running(deploymentId, verticle, want, settings));
                    return null;
                }));
            } else {
                // No replica of it here (any more): a move took it away, maybe while this node was down (its
                // first run). Its log goes once its verticle stopped and the leader told this catalog committed.
                steps.add(stopped.onSuccess(v -> unplaced.add(id + "/" + index)));
            }
        }
        if (steps.isEmpty()) {
            return Future.succeededFuture();
        }
        return Future.all(steps)
                .onSuccess(v -> LOG.info("Node {} runs {} shard replicas of stream {} ({} leading)", nodeId, here.size(), d.name(),
                        here.values().stream().filter(r -> r.role().leads()).count()))
                .mapEmpty();
    }

    /** This node's role in the shard's replica set, or null if it holds no replica of it. */
    private ReplicaRole roleOf(JsonObject record, int shard) {
        List<String> replicas = ReplicaSets.replicas(record, shard);
        List<String> learners = ReplicaSets.learners(record, shard);
        if (!replicas.contains(nodeId) && !learners.contains(nodeId)) {
            return null;
        }
        return new ReplicaRole(nodeId, ReplicaSets.epoch(record, shard), ReplicaSets.leader(record, shard), replicas, learners);
    }
}
