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
    /** Replicas per shard unless the stream says: as many as the live nodes at creation, up to three (Kinesis keeps three copies). */
    static final int DEFAULT_REPLICATION_FACTOR = 3;

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
    /** Each node's zone as its catalog replica last told (in every answer to a commit), for placement. */
    private final Map<String, String> zones = new TreeMap<>();

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

    /** The zones nodes told (a node not heard from yet has none). */
    Map<String, String> zones() {
        return zones;
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
            settleReshards();
            List<Stored> stored = new ArrayList<>();
            committed.streams().forEach((id, record) -> stored.add(new Stored(dirOf(id),
                    CatalogSnapshot.description(record, nodeDefaults), CatalogSnapshot.ownLimits(record))));
            return stored;
        });
    }

    /**
     * A reshard the last control plane left unfinished: its parents may be sealed though the catalog has them
     * open, or closed in the catalog without having heard it. Each open shard's leader is told to reopen,
     * each closed one's that it is closed (both idempotent; a shard without a leader now hears nothing and
     * starts from the catalog as it is).
     */
    private void settleReshards() {
        DeliveryOptions options = new DeliveryOptions().setSendTimeout(REPLICATE_TIMEOUT_MILLIS);
        committed.streams().values().stream().filter(r -> r.getBoolean("open", false)).forEach(r -> {
            StreamDescription d = CatalogSnapshot.description(r, ThroughputLimits.OFF);
            d.shards().forEach(s -> vertx.eventBus().request(Addresses.shardSeal(d.name(), s.shardId()),
                    new JsonObject().put("phase", s.isOpen() ? "reopen" : "close"), options));
        });
    }

    @Override
    public Future<Path> create(StreamDescription description, Optional<ThroughputLimits> ownLimits) {
        return create(description, ownLimits, Optional.empty());
    }

    @Override
    public Future<Path> create(StreamDescription description, Optional<ThroughputLimits> ownLimits,
                               Optional<Integer> replicationFactor) {
        String id = UUID.randomUUID().toString();
        return commit(streams -> {
            Map<String, Integer> leaders = liveShardCounts();
            int factor = replicationFactor.orElse(Math.min(DEFAULT_REPLICATION_FACTOR, leaders.size()));
            if (factor > leaders.size()) {
                throw RiffleException.invalidArgument("Replication factor " + factor + " needs as many live nodes; the cluster has "
                        + leaders.size() + " now");
            }
            List<List<String>> sets = Placement.replicas(leaders, liveReplicaCounts(), zones, description.shards().size(), factor);
            List<Integer> indexes = description.shards().stream().map(s -> s.shardId().index()).toList();
            JsonObject record = ReplicaSets.place(new JsonObject().put("description", stored(description)), indexes, sets)
                    .put("open", false).put("deleting", false).put(ReplicaSets.FACTOR, factor);
            ownLimits.ifPresent(l -> record.put("ownLimits", StreamJson.toJson(l)));
            streams.put(id, record);
            return streams;
        }, Set.of()).map(v -> dirOf(id));
    }

    @Override
    public int replicationFactor(Path dir) {
        JsonObject record = dir == null ? null : committed.streams().get(dir.getFileName().toString());
        return record == null ? Math.min(DEFAULT_REPLICATION_FACTOR, coordination.liveNodes().size()) : ReplicaSets.factor(record);
    }

    @Override
    public Future<Void> write(Path dir, StreamDescription description, Optional<ThroughputLimits> ownLimits) {
        return writeResharded(dir, description, ownLimits, Map.of());
    }

    /**
     * Writes the description and brings the placement in line with its shards, in one commit: new shards (a
     * reshard's children) are placed as at creation and must run before the answer; shards it no longer has
     * (expired parents) lose their replica sets, and their replicas stop and remove their logs. Fenced: fails
     * with {@link LeaderMoved} if a sealed parent's leader epoch is not the one it was sealed at.
     */
    @Override
    public Future<Void> writeResharded(Path dir, StreamDescription after, Optional<ThroughputLimits> ownLimits,
                                       Map<ShardId, Long> sealedEpochs) {
        String id = dir.getFileName().toString();
        JsonObject record = committed.streams().get(id);
        if (record == null) {
            return Future.failedFuture(new RiffleException(ErrorCode.INTERNAL_FAILURE, "Stream " + id + " is not in the catalog"));
        }
        List<Integer> placed = ReplicaSets.shards(record);
        List<Integer> added = after.shards().stream().map(s -> s.shardId().index()).filter(i -> !placed.contains(i)).toList();
        List<Integer> dropped = placed.stream().filter(i -> after.shards().stream().noneMatch(s -> s.shardId().index() == i)).toList();
        List<List<String>> sets;
        try {
            Map<String, Integer> leaders = liveShardCounts();
            sets = added.isEmpty() ? List.of()
                    : Placement.replicas(leaders, liveReplicaCounts(), zones, added.size(),
                            // The stream's factor; with a node down, fewer (repair adds the rest later).
                            Math.min(ReplicaSets.factor(record), leaders.size()));
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(new RiffleException(ErrorCode.SERVICE_UNAVAILABLE, e.getMessage()));
        }
        Set<String> mustFollow = new LinkedHashSet<>();
        sets.forEach(mustFollow::addAll);
        dropped.forEach(i -> mustFollow.addAll(ReplicaSets.replicas(record, i)));
        mustFollow.retainAll(coordination.liveNodes());
        return commit(streams -> {
            JsonObject r = streams.getJsonObject(id);
            if (r == null) {
                return streams;
            }
            // Compare and set at the commit's turn, after any failover committed before it.
            sealedEpochs.forEach((shard, epoch) -> {
                if (ReplicaSets.epoch(r, shard.index()) != epoch) {
                    throw new LeaderMoved("shard " + shard + " of stream " + after.name() + " was sealed at leader epoch "
                            + epoch + " but is led at epoch " + ReplicaSets.epoch(r, shard.index()) + " now");
                }
            });
            ReplicaSets.place(ReplicaSets.drop(r, dropped), added, sets).put("description", stored(after));
            ownLimits.ifPresentOrElse(l -> r.put("ownLimits", StreamJson.toJson(l)), () -> r.remove("ownLimits"));
            return streams;
        }, mustFollow);
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

    /**
     * Opens the stream's shards. A reshard's new shards (a part of them) start later, with the commit that
     * makes them durable ({@link #writeResharded}): a replica runs only the shards its catalog describes.
     */
    @Override
    public Future<Void> openShards(Path dir, StreamDescription description, List<ShardDescription> shards,
                                   ShardSettings settings, LongConsumer opened) {
        JsonObject record = committed.streams().get(dir.getFileName().toString());
        if (shards.size() != description.shards().size() || record != null && record.getBoolean("open", false)) {
            return Future.succeededFuture();
        }
        return change(dir, r -> r.put("open", true), true);
    }

    @Override
    public Future<Void> closeShards(Path dir) {
        return change(dir, r -> r.put("open", false), true);
    }

    /**
     * Shards the committed catalog does not describe (a failed reshard's new ones, which a commit that did
     * not succeed may have started on some nodes; expired ones, already dropped by {@link #write}) are
     * stopped by each replica when it follows: the catalog as committed is sent to every live node again.
     */
    @Override
    public Future<Void> closeShards(Path dir, List<ShardId> shards) {
        return commit(streams -> streams, coordination.liveNodes());
    }

    /** Each replica removes the logs of the shards its catalog does not describe when it follows (see {@link CatalogReplica}). */
    @Override
    public Future<Void> removeShards(Path dir, List<ShardId> shards) {
        return Future.succeededFuture();
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

    /** Live nodes not being decommissioned: where replicas may go. */
    Set<String> placeable() {
        Set<String> nodes = new LinkedHashSet<>(coordination.liveNodes());
        nodes.removeAll(committed.draining());
        return nodes;
    }

    /** Replicas per placeable node, every one listed, for placing followers and moves. */
    Map<String, Integer> liveReplicaCounts() {
        Map<String, Integer> counts = new TreeMap<>();
        placeable().forEach(n -> counts.put(n, 0));
        ReplicaSets.replicasPerNode(committed).forEach((n, c) -> counts.computeIfPresent(n, (k, v) -> c));
        return counts;
    }

    /** Open shards per live node, every live node not being decommissioned listed, for placing new shards. */
    private Map<String, Integer> liveShardCounts() {
        Map<String, Integer> counts = new TreeMap<>();
        placeable().forEach(n -> counts.put(n, 0));
        committed.shardsPerNode().forEach((n, c) -> counts.computeIfPresent(n, (k, v) -> c));
        return counts;
    }

    /** Commits a change of the catalog's streams that is no control-plane change (a shard's new leader, a replica move). */
    Future<Void> commitChange(UnaryOperator<JsonObject> change, Set<String> mustFollow) {
        return commit(change, mustFollow);
    }

    /** Commits {@code node} as being decommissioned: nothing is placed on it from now on, and its replicas move away. */
    Future<Void> decommission(String node) {
        return commit(streams -> streams, Set.of(), c -> c.draining(node));
    }

    /** Commits {@code node} as no longer being decommissioned: replicas are placed and rebalanced onto it again. */
    Future<Void> readmit(String node) {
        return commit(streams -> streams, Set.of(), c -> c.readmitted(node));
    }

    private Future<Void> commit(UnaryOperator<JsonObject> change, Set<String> mustFollow) {
        return commit(change, mustFollow, c -> c);
    }

    /**
     * Commits the next snapshot, {@code change} applied to the streams of the last committed one (after
     * {@code catalogChange} to the rest of it) when this commit's turn comes; {@code mustFollow} are nodes that
     * must apply it too (they start or stop shards).
     */
    private Future<Void> commit(UnaryOperator<JsonObject> change, Set<String> mustFollow, UnaryOperator<CatalogSnapshot> catalogChange) {
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
                next = catalogChange.apply(committed).next(epoch, nextVersion++, voters, change);
            } catch (RuntimeException e) {
                return Future.failedFuture(e);
            }
            return replicate(next, voters, live, mustFollow).onSuccess(v -> {
                committed = next;
                tellCommitted(next, voters);
            });
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
     * Tells the voters that {@code snapshot} is committed (on a majority): only then does a node remove the logs
     * of replicas it no longer holds, which a catalog change that reached it but no majority (this leader cut
     * off in the middle) must not cost. No answer is awaited; a node that misses it removes them at the next.
     */
    private void tellCommitted(CatalogSnapshot snapshot, Set<String> voters) {
        JsonObject notice = new JsonObject().put("op", "committed").put("epoch", snapshot.epoch()).put("version", snapshot.version());
        voters.forEach(node -> vertx.eventBus().send(Addresses.catalogReplica(node), notice));
    }

    /**
     * Sends {@code next} to every voter; succeeds as soon as a quorum (a majority of the voters with Raft,
     * else every live node) and every node in {@code mustFollow} stored it: a dead voter's request must not
     * hold the commit (and so a failover) for its whole timeout. Fails when a voter refuses the epoch (a newer
     * leader; this one steps down) or once every answer is in without a quorum. {@code behind} is set when
     * every answer is in. Runs on the leader's context, as the answers do.
     */
    private Future<Void> replicate(CatalogSnapshot next, Set<String> voters, Set<String> live, Set<String> mustFollow) {
        // "leader": the node whose control plane serves requests from now on, for StreamClient's RequestTargets.
        JsonObject body = new JsonObject().put("op", "apply").put("epoch", epoch).put("leader", coordination.nodeId())
                .put("snapshot", next.toJson());
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
            zones.put(node, reply.body().getString("zone", ""));
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
