package io.riffle.cluster;

import io.riffle.bus.Addresses;
import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.model.ShardDescription;
import io.riffle.model.ShardId;
import io.riffle.model.StreamDescription;
import io.riffle.model.StreamStatus;
import io.riffle.shard.ShardSettings;
import io.riffle.stream.StreamHosting;
import io.riffle.stream.StreamJson;
import io.riffle.throttle.ThroughputLimits;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.LongConsumer;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog leader's {@link StreamHosting}: every change the control plane makes becomes the next
 * {@link CatalogSnapshot}, sent to every member's {@link CatalogReplica} and answered only once it is on
 * disk on a quorum (a majority of the voters with Raft; every live member without it) and, when shards
 * start or stop, once every owner node follows it. Changes are committed one after the other, each on top
 * of the last one committed. A replica's refusal means a newer leader exists: this one steps down.
 */
final class ClusterHosting implements StreamHosting {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterHosting.class);
    static final long REPLICATE_TIMEOUT_MILLIS = 5_000;
    /** Replicas per shard: as many as the live nodes at creation, up to three (Kinesis keeps three copies). */
    static final int MAX_REPLICATION_FACTOR = 3;

    private final Vertx vertx;
    private final Path dataDir;
    private final Coordination coordination;
    private final long epoch;
    private final Runnable stepDown;
    private CatalogSnapshot committed;
    /** Live nodes that did not store the last commit (down, starting): sent the catalog again. */
    private Set<String> behind = Set.of();
    /** The next version to write: never reused, even after a failed commit left it on some replicas. */
    private long nextVersion;
    private Future<?> last = Future.succeededFuture();

    ClusterHosting(Vertx vertx, Path dataDir, Coordination coordination, long epoch, CatalogSnapshot base,
                   Runnable stepDown) {
        this.vertx = vertx;
        this.dataDir = dataDir;
        this.coordination = coordination;
        this.epoch = epoch;
        this.committed = base;
        this.nextVersion = base.version() + 1;
        this.stepDown = stepDown;
    }

    CatalogSnapshot committed() {
        return committed;
    }

    /** Whether a live node missed the last commit, so the catalog should be sent again. */
    boolean anyoneBehind() {
        Set<String> live = coordination.liveNodes();
        return behind.stream().anyMatch(live::contains);
    }

    /** Writes the catalog as it is, with every live node among the voters: fences older leaders, informs new members. */
    Future<Void> recommit() {
        return commit(streams -> streams, Set.of());
    }

    @Override
    public Future<List<Stored>> load(ThroughputLimits nodeDefaults) {
        // A removal cut short by the last leader's end is finished first.
        List<String> deleting = committed.streams().entrySet().stream()
                .filter(e -> e.getValue().getBoolean("deleting", false)).map(Map.Entry::getKey).toList();
        Future<Void> finished = deleting.isEmpty() ? Future.succeededFuture()
                : commit(streams -> {
                    deleting.forEach(streams::remove);
                    return streams;
                }, Set.of());
        return finished.map(v -> {
            List<Stored> stored = new ArrayList<>();
            committed.streams().forEach((id, record) -> stored.add(new Stored(dirOf(id),
                    CatalogSnapshot.description(record, nodeDefaults), CatalogSnapshot.ownLimits(record))));
            return stored;
        });
    }

    @Override
    public Future<Path> create(StreamDescription description, Optional<ThroughputLimits> ownLimits) {
        String id = UUID.randomUUID().toString();
        return commit(streams -> {
            Map<String, Integer> leaders = liveShardCounts();
            int factor = Math.min(MAX_REPLICATION_FACTOR, leaders.size());
            List<List<String>> sets = Placement.replicas(leaders, liveReplicaCounts(), description.shards().size(), factor);
            List<Integer> indexes = description.shards().stream().map(s -> s.shardId().index()).toList();
            JsonObject record = ReplicaSets.place(new JsonObject().put("description", stored(description)), indexes, sets)
                    .put("open", false).put("deleting", false);
            ownLimits.ifPresent(l -> record.put("ownLimits", StreamJson.toJson(l)));
            streams.put(id, record);
            return streams;
        }, Set.of()).map(v -> dirOf(id));
    }

    @Override
    public Future<Void> write(Path dir, StreamDescription description, Optional<ThroughputLimits> ownLimits) {
        return change(dir, r -> {
            r.put("description", stored(description));
            ownLimits.ifPresentOrElse(l -> r.put("ownLimits", StreamJson.toJson(l)), () -> r.remove("ownLimits"));
            return r;
        }, false);
    }

    @Override
    public Future<Void> markDeleting(Path dir) {
        return change(dir, r -> r.put("deleting", true), true);
    }

    @Override
    public Future<Void> remove(Path dir) {
        String id = dir.getFileName().toString();
        return commit(streams -> {
            streams.remove(id);
            return streams;
        }, Set.of());
    }

    @Override
    public Future<Void> openShards(Path dir, StreamDescription description, List<ShardDescription> shards,
                                   ShardSettings settings, LongConsumer opened) {
        if (shards.size() != description.shards().size()) {
            return reshardingUnsupported();
        }
        JsonObject record = committed.streams().get(dir.getFileName().toString());
        if (record != null && record.getBoolean("open", false)) {
            return Future.succeededFuture();
        }
        return change(dir, r -> r.put("open", true), true);
    }

    @Override
    public Future<Void> closeShards(Path dir) {
        return change(dir, r -> r.put("open", false), true);
    }

    @Override
    public Future<Void> closeShards(Path dir, List<ShardId> shards) {
        return reshardingUnsupported();
    }

    @Override
    public Future<Void> removeShards(Path dir, List<ShardId> shards) {
        return shards.isEmpty() ? Future.succeededFuture() : reshardingUnsupported();
    }

    /** Resharding places new shards on nodes and moves routing: not built for a cluster yet (issue #11 item 5). */
    private static Future<Void> reshardingUnsupported() {
        return Future.failedFuture(RiffleException.invalidArgument(
                "Resharding is not available in a clustered Riffle yet; it works on a standalone node"));
    }

    private Future<Void> change(Path dir, UnaryOperator<JsonObject> recordChange, boolean ownersMustFollow) {
        String id = dir.getFileName().toString();
        JsonObject record = committed.streams().get(id);
        if (record == null) {
            return Future.failedFuture(new RiffleException(ErrorCode.INTERNAL_FAILURE, "Stream " + id + " is not in the catalog"));
        }
        // Replicas on nodes that are down follow when they are back (they start no shard before a leader's catalog).
        Set<String> owners = new LinkedHashSet<>();
        if (ownersMustFollow) {
            owners.addAll(ReplicaSets.nodes(record));
            owners.retainAll(coordination.liveNodes());
        }
        return commit(streams -> {
            JsonObject r = streams.getJsonObject(id);
            if (r != null) {
                streams.put(id, recordChange.apply(r));
            }
            return streams;
        }, owners);
    }

    private Path dirOf(String id) {
        return dataDir.resolve("streams").resolve(id);
    }

    private static JsonObject stored(StreamDescription d) {
        JsonObject json = StreamJson.toJson(d.withStatus(StreamStatus.ACTIVE));
        json.remove("limits");
        return json;
    }

    /** Replicas per live node, every live node listed, for placing new shards' followers. */
    private Map<String, Integer> liveReplicaCounts() {
        Map<String, Integer> counts = new TreeMap<>();
        coordination.liveNodes().forEach(n -> counts.put(n, 0));
        ReplicaSets.replicasPerNode(committed).forEach((n, c) -> counts.computeIfPresent(n, (k, v) -> c));
        return counts;
    }

    /** Open shards per live node, every live node listed, for placing new shards. */
    private Map<String, Integer> liveShardCounts() {
        Map<String, Integer> counts = new TreeMap<>();
        coordination.liveNodes().forEach(n -> counts.put(n, 0));
        committed.shardsPerNode().forEach((n, c) -> counts.computeIfPresent(n, (k, v) -> c));
        return counts;
    }

    /** Commits a change of the catalog's streams that is no control-plane change (a shard's new leader). */
    Future<Void> commitChange(UnaryOperator<JsonObject> change, Set<String> mustFollow) {
        return commit(change, mustFollow);
    }

    /**
     * Commits the next snapshot, {@code change} applied to the streams of the last committed one when this
     * commit's turn comes; {@code mustFollow} are nodes that must apply it too (they start or stop shards).
     */
    private Future<Void> commit(UnaryOperator<JsonObject> change, Set<String> mustFollow) {
        Future<Void> result = last.transform(ar -> {
            Set<String> live = coordination.liveNodes();
            for (String owner : mustFollow) {
                if (!live.contains(owner)) {
                    return Future.failedFuture(new RiffleException(ErrorCode.SERVICE_UNAVAILABLE,
                            "Node " + owner + ", which holds shards of this stream, is not in the cluster now; retry when it is back"));
                }
            }
            Set<String> voters = new LinkedHashSet<>(committed.members());
            voters.addAll(live);
            CatalogSnapshot next;
            try {
                next = committed.next(epoch, nextVersion++, voters, change);
            } catch (RuntimeException e) {
                return Future.failedFuture(e);
            }
            return replicate(next, voters, live, mustFollow).onSuccess(v -> committed = next);
        });
        last = result;
        return result;
    }

    /**
     * Sends {@code request} to the replica of each of {@code nodes}; completes once each answered, failed or
     * timed out (a dead node's replica has no handler, or stays silent until the view drops it).
     */
    static Map<String, Future<Message<JsonObject>>> askReplicas(Vertx vertx, Set<String> nodes, JsonObject request) {
        DeliveryOptions options = new DeliveryOptions().setSendTimeout(REPLICATE_TIMEOUT_MILLIS);
        Map<String, Future<Message<JsonObject>>> sent = new TreeMap<>();
        for (String node : nodes) {
            sent.put(node, vertx.eventBus().request(Addresses.catalogReplica(node), request, options));
        }
        return sent;
    }

    /**
     * Sends {@code next} to every voter; succeeds as soon as a quorum (a majority of the voters with Raft,
     * else every live node) and every node in {@code mustFollow} stored it: a dead voter's request must not
     * hold the commit (and so a failover) for its whole timeout. Fails when a voter refuses the epoch (a newer
     * leader; this one steps down) or once every answer is in without a quorum. {@code behind} is set when
     * every answer is in. Runs on the leader's context, as the answers do.
     */
    private Future<Void> replicate(CatalogSnapshot next, Set<String> voters, Set<String> live, Set<String> mustFollow) {
        JsonObject body = new JsonObject().put("op", "apply").put("epoch", epoch).put("snapshot", next.toJson());
        Map<String, Future<Message<JsonObject>>> sent = askReplicas(vertx, voters, body);
        Promise<Void> decided = Promise.promise();
        Set<String> acked = new LinkedHashSet<>();
        sent.forEach((node, answer) -> answer.onSuccess(reply -> {
            if (!reply.body().getBoolean("ok")) {
                LOG.warn("Node {} promised epoch {} above this leader's {}: stepping down", node,
                        reply.body().getLong("promised"), epoch);
                stepDown.run();
                decided.tryFail(new RiffleException(ErrorCode.SERVICE_UNAVAILABLE,
                        "The catalog's leadership moved to another node; retry"));
                return;
            }
            acked.add(node);
            boolean quorum = coordination.partitionTolerant() ? acked.size() > voters.size() / 2 : acked.containsAll(live);
            if (quorum && acked.containsAll(mustFollow)) {
                decided.tryComplete();
            }
        }));
        Future.join(new ArrayList<>(sent.values())).onComplete(all -> {
            Set<String> missed = new LinkedHashSet<>(voters);
            missed.removeAll(acked);
            behind = missed;
            if (!decided.future().isComplete()) {
                Set<String> missingOwners = new LinkedHashSet<>(mustFollow);
                missingOwners.removeAll(acked);
                LOG.warn("Catalog {} reached only {} of voters {} (owners missing: {})", next, acked, voters, missingOwners);
                decided.tryFail(new RiffleException(ErrorCode.SERVICE_UNAVAILABLE,
                        "Too few nodes stored the catalog change (" + acked.size() + " of " + voters.size() + "); retry"));
            }
        });
        return decided.future();
    }
}
