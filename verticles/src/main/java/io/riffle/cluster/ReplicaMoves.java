package io.riffle.cluster;

import io.riffle.bus.Addresses;
import io.riffle.error.RiffleException;
import io.riffle.model.ShardId;
import io.riffle.model.StreamName;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog leader's replica moves: a shard under-replicated for longer than {@code replicaRepairSeconds}
 * gets a replica on another node, a decommissioned node's replicas and leaderships leave it, and a node
 * with fewer replicas or leaderships than the others (one that joined) takes some over. Every move is the
 * same steps, each one catalog change compared-and-set on the shard's placement (leader, epoch, replicas,
 * move), so a new catalog leader simply goes on from the catalog. Only the hand-off changes the leader (and
 * raises the epoch, restarting the replicas); the other steps change the running leader's replica set in
 * place, so its puts in flight go on:
 * <ol>
 *   <li>the target becomes a <em>learner</em>: it copies the leader's log through the usual catch-up path
 *       but counts for no majority, so puts never wait for it;</li>
 *   <li>once the leader reports it in sync, it becomes a replica (one replica added: any majority of the
 *       new set overlaps one of the old);</li>
 *   <li>if the leaving replica leads, the leadership goes to the target first ({@link #handOff});</li>
 *   <li>the leaving replica is removed (one replica removed: the same overlap), and the move ends.</li>
 * </ol>
 * Rebalancing (not repair nor decommission) starts only once the live nodes have been the same for
 * {@code replicaRepairSeconds}. At most {@value #MAX_MOVES} moves run at once in the cluster (each learner reads a whole log from its
 * leader), which bounds the bandwidth moves take. Runs on the catalog leader's context, one round at a time.
 */
final class ReplicaMoves {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaMoves.class);
    static final int MAX_MOVES = 2;
    private static final long ASK_TIMEOUT_MILLIS = 2_000;

    private final Vertx vertx;
    private final ClusterHosting hosting;
    private final Coordination coordination;
    private final Failover failover;
    private final long repairNanos;
    /** When each under-replicated shard ("id/shard") was first seen so, for the repair delay. */
    private final Map<String, Long> underSince = new HashMap<>();
    /** The live nodes as the last round saw them, and since when (System.nanoTime): rebalancing waits for a settled view. */
    private Set<String> lastLive = Set.of();
    private long liveSince = System.nanoTime();
    private boolean running;
    private boolean again;

    ReplicaMoves(Vertx vertx, ClusterHosting hosting, Coordination coordination, Failover failover, int replicaRepairSeconds) {
        this.vertx = vertx;
        this.hosting = hosting;
        this.coordination = coordination;
        this.failover = failover;
        this.repairNanos = replicaRepairSeconds * 1_000_000_000L;
    }

    /** A shard of an open stream as the last committed catalog has it. */
    private record Shard(String id, StreamName stream, int index, JsonObject record, String leader, long epoch,
                         List<String> replicas, Optional<ReplicaSets.Move> move, int factor) {
        String key() {
            return id + "/" + index;
        }

        ShardId shardId() {
            return new ShardId(index);
        }
    }

    void check() {
        if (running) {
            again = true;
            return;
        }
        running = true;
        again = false;
        round().onComplete(ar -> {
            running = false;
            if (ar.failed()) {
                LOG.warn("Replica move round failed: {}", ar.cause().toString());
            }
            // A round that changed something is followed at once by the next: a move's steps do not wait for the timer.
            if (ar.succeeded() && ar.result() || again) {
                check();
            }
        });
    }

    /** Nodes being decommissioned as {@code POST /v1/cluster/nodes/{id}/decommission} answers: 202 with what is left. */
    Future<JsonObject> decommission(String node) {
        CatalogSnapshot catalog = hosting.committed();
        List<Shard> shards = shards(catalog);
        if (!known(catalog, shards, node)) {
            return unknown(node);
        }
        Set<String> rest = hosting.placeable();
        rest.remove(node);
        Optional<Shard> tooFew = shards.stream().filter(s -> holds(s, node) && s.factor() > rest.size()).findFirst();
        if (tooFew.isPresent()) {
            return Future.failedFuture(RiffleException.invalidArgument("Stream " + tooFew.get().stream() + " keeps "
                    + tooFew.get().factor() + " replicas per shard, but only " + rest.size()
                    + " live nodes would be left to hold them; add a node first"));
        }
        Future<Void> marked = catalog.draining().contains(node) ? Future.succeededFuture() : hosting.decommission(node);
        return marked.map(v -> {
            check();
            return progress(node);
        });
    }

    /**
     * Takes a decommissioned node back, as {@code DELETE /v1/cluster/nodes/{id}/decommission} answers: replicas
     * are placed on it again and, once the live nodes are settled, rebalanced onto it. Moves already under way
     * finish. Idempotent: a node not being decommissioned just answers {@code ACTIVE}.
     */
    Future<JsonObject> readmit(String node) {
        CatalogSnapshot catalog = hosting.committed();
        if (!known(catalog, shards(catalog), node)) {
            return unknown(node);
        }
        Future<Void> marked = catalog.draining().contains(node) ? hosting.readmit(node) : Future.succeededFuture();
        return marked.map(v -> {
            check();
            return new JsonObject().put("nodeId", node).put("status", "ACTIVE");
        });
    }

    private static boolean known(CatalogSnapshot catalog, List<Shard> shards, String node) {
        return catalog.members().contains(node) || catalog.draining().contains(node) || shards.stream().anyMatch(s -> holds(s, node));
    }

    private static <T> Future<T> unknown(String node) {
        return Future.failedFuture(RiffleException.notFound("Node " + node + " is not a member of this cluster"));
    }

    /** What is left to move off {@code node}: replicas (learners included) and leaderships. */
    JsonObject progress(String node) {
        List<Shard> shards = shards(hosting.committed());
        return new JsonObject().put("nodeId", node).put("status", "DECOMMISSIONING")
                .put("replicasLeft", shards.stream().filter(s -> holds(s, node)).count())
                .put("leadershipsLeft", shards.stream().filter(s -> s.leader().equals(node)).count());
    }

    private static boolean holds(Shard s, String node) {
        return s.replicas().contains(node) || s.move().map(m -> m.to().equals(node)).orElse(false);
    }

    /** One round: each move in progress takes its next step, then new moves start up to the bound. Answers whether it changed the catalog. */
    private Future<Boolean> round() {
        CatalogSnapshot catalog = hosting.committed();
        Set<String> live = coordination.liveNodes();
        List<Shard> shards = shards(catalog);
        trackUnderReplicated(shards, live);
        if (!live.equals(lastLive)) {
            lastLive = Set.copyOf(live);
            liveSince = System.nanoTime();
        }
        Future<Boolean> changed = Future.succeededFuture(false);
        for (Shard s : shards) {
            if (s.move().isPresent()) {
                changed = changed.compose(c -> step(s, s.move().get(), live).map(d -> c || d));
            }
        }
        return changed.compose(c -> c ? Future.succeededFuture(true) : startMoves(shards, live, catalog.draining()));
    }

    private void trackUnderReplicated(List<Shard> shards, Set<String> live) {
        Set<String> under = new LinkedHashSet<>();
        long now = System.nanoTime();
        for (Shard s : shards) {
            if (s.replicas().stream().filter(live::contains).count() < s.factor()) {
                under.add(s.key());
                underSince.putIfAbsent(s.key(), now);
            }
        }
        underSince.keySet().retainAll(under);
    }

    /** The next step of a move in progress; false when it waits (for its learner to catch up). */
    private Future<Boolean> step(Shard s, ReplicaSets.Move m, Set<String> live) {
        if (!live.contains(m.to()) || !live.contains(s.leader())) {
            if (!live.contains(m.to())) {
                LOG.warn("Shard {} of stream {}: move target {} left the cluster; the move ends", s.shardId(), s.stream(), m.to());
                return change(s, r -> ReplicaSets.endMove(r, s.index()), live);
            }
            return Future.succeededFuture(false);
        }
        if (!s.replicas().contains(m.to())) {
            return inSync(s).compose(synced -> {
                if (!synced.contains(m.to())) {
                    return Future.succeededFuture(false);
                }
                List<String> grown = new ArrayList<>(s.replicas());
                grown.add(m.to());
                LOG.info("Shard {} of stream {}: {} caught up and becomes a replica", s.shardId(), s.stream(), m.to());
                return change(s, r -> ReplicaSets.reconfigure(r, s.index(), grown), live);
            });
        }
        if (m.from() != null && s.replicas().contains(m.from())) {
            if (m.from().equals(s.leader())) {
                // Only to a replica the leader has heard hold its whole log: deposing it for one behind costs a re-election.
                return inSync(s).compose(synced -> synced.contains(m.to()) ? handOff(s, m.to(), live) : Future.succeededFuture(false));
            }
            List<String> shrunk = new ArrayList<>(s.replicas());
            shrunk.remove(m.from());
            return inSync(s).compose(synced -> {
                // Never below a majority in sync: the leader and enough of the staying followers hold the whole log.
                long staying = 1 + shrunk.stream().filter(synced::contains).count();
                if (staying < shrunk.size() / 2 + 1) {
                    return Future.succeededFuture(false);
                }
                LOG.info("Shard {} of stream {}: replica {} leaves (replicas {})", s.shardId(), s.stream(), m.from(), shrunk);
                return change(s, r -> ReplicaSets.endMove(ReplicaSets.reconfigure(r, s.index(), shrunk), s.index()), live);
            });
        }
        return change(s, r -> ReplicaSets.endMove(r, s.index()), live);
    }

    /** Starts moves, most urgent first, until {@value #MAX_MOVES} run; or, with none to start or run, balances leaderships. */
    private Future<Boolean> startMoves(List<Shard> shards, Set<String> live, Set<String> draining) {
        long running = shards.stream().filter(s -> s.move().isPresent()).count();
        if (running >= MAX_MOVES) {
            return Future.succeededFuture(false);
        }
        // Rebalancing waits until the live nodes stayed the same for the repair delay (as Kafka checks leader
        // imbalance only every few minutes): right after a failover or a join, moving leaderships again would
        // fail the puts in flight of every shard it touches, while the view may still be changing.
        boolean settled = System.nanoTime() - liveSince >= repairNanos;
        Optional<Map.Entry<Shard, ReplicaSets.Move>> next = repair(shards, live).or(() -> drain(shards, live, draining))
                .or(() -> settled ? rebalance(shards, live) : Optional.empty());
        if (next.isPresent()) {
            Shard s = next.get().getKey();
            ReplicaSets.Move m = next.get().getValue();
            LOG.info("Shard {} of stream {}: moving a replica from {} to {}", s.shardId(), s.stream(), m.from(), m.to());
            return change(s, r -> ReplicaSets.startMove(r, s.index(), m), live);
        }
        return running > 0 || !settled ? Future.succeededFuture(false) : balanceLeaders(shards, live, draining);
    }

    /**
     * A shard with fewer live replicas than its factor for longer than the repair delay: a new replica for a
     * missing one. A shard with fewer live replicas than its commit quorum (two replicas, one lost) cannot
     * commit at all, so waiting for the lost node only prolongs the outage: it is repaired at once (its node
     * already stayed silent for Hazelcast's failure detection), before the others.
     */
    private Optional<Map.Entry<Shard, ReplicaSets.Move>> repair(List<Shard> shards, Set<String> live) {
        long now = System.nanoTime();
        List<Shard> urgentFirst = new ArrayList<>(shards);
        urgentFirst.sort(java.util.Comparator.comparing(s -> !belowQuorum(s, live)));
        for (Shard s : urgentFirst) {
            Long since = underSince.get(s.key());
            if (s.move().isEmpty() && since != null && (now - since >= repairNanos || belowQuorum(s, live)) && live.contains(s.leader())) {
                String missing = s.replicas().size() >= s.factor()
                        ? s.replicas().stream().filter(n -> !live.contains(n)).findFirst().orElse(null) : null;
                Optional<String> to = target(s, missing);
                if (to.isPresent()) {
                    return Optional.of(Map.entry(s, new ReplicaSets.Move(to.get(), missing)));
                }
            }
        }
        return Optional.empty();
    }

    private static boolean belowQuorum(Shard s, Set<String> live) {
        return s.replicas().stream().filter(live::contains).count() < s.replicas().size() / 2 + 1;
    }

    private Optional<Map.Entry<Shard, ReplicaSets.Move>> drain(List<Shard> shards, Set<String> live, Set<String> draining) {
        for (Shard s : shards) {
            Optional<String> leaving = s.replicas().stream().filter(draining::contains).findFirst();
            if (s.move().isEmpty() && leaving.isPresent() && live.contains(s.leader())) {
                Optional<String> to = target(s, leaving.get());
                if (to.isPresent()) {
                    return Optional.of(Map.entry(s, new ReplicaSets.Move(to.get(), leaving.get())));
                }
            }
        }
        return Optional.empty();
    }

    /** Where a shard's replica replacing {@code leaving} goes: {@link Placement#nextReplica} over the placeable nodes. */
    private Optional<String> target(Shard s, String leaving) {
        List<String> staying = new ArrayList<>(s.replicas());
        staying.remove(leaving);
        Map<String, Integer> candidates = hosting.liveReplicaCounts();
        candidates.keySet().removeAll(s.replicas());
        return Placement.nextReplica(staying, candidates, hosting.zones());
    }

    /**
     * A replica from the placeable node holding the most to the one holding the fewest, while they differ by
     * two or more (so a node that joined fills up one move at a time), never into a zone the shard's other
     * replicas already use unless the leaving one was in it.
     */
    private Optional<Map.Entry<Shard, ReplicaSets.Move>> rebalance(List<Shard> shards, Set<String> live) {
        Map<String, Integer> counts = hosting.liveReplicaCounts();
        if (counts.size() < 2) {
            return Optional.empty();
        }
        String most = counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        String fewest = counts.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow().getKey();
        if (counts.get(most) - counts.get(fewest) < 2) {
            return Optional.empty();
        }
        for (Shard s : shards) {
            if (s.move().isEmpty() && s.replicas().contains(most) && !s.replicas().contains(fewest) && live.contains(s.leader())
                    && target(s, most).filter(fewest::equals).isPresent()) {
                return Optional.of(Map.entry(s, new ReplicaSets.Move(fewest, most)));
            }
        }
        return Optional.empty();
    }

    /** One leadership from the placeable node leading the most to one leading two or more fewer that holds a replica in sync. */
    private Future<Boolean> balanceLeaders(List<Shard> shards, Set<String> live, Set<String> draining) {
        Map<String, Integer> leads = new TreeMap<>();
        hosting.placeable().forEach(n -> leads.put(n, 0));
        shards.forEach(s -> leads.computeIfPresent(s.leader(), (n, c) -> c + 1));
        if (leads.size() < 2) {
            return Future.succeededFuture(false);
        }
        String most = leads.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        String fewest = leads.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow().getKey();
        if (leads.get(most) - leads.get(fewest) < 2) {
            return Future.succeededFuture(false);
        }
        for (Shard s : shards) {
            if (s.leader().equals(most) && s.replicas().contains(fewest)) {
                return inSync(s).compose(synced -> synced.contains(fewest) ? handOff(s, fewest, live) : Future.succeededFuture(false));
            }
        }
        return Future.succeededFuture(false);
    }

    /**
     * Hands the shard's leadership to {@code to}: the leader is asked to step down for the next epoch (it
     * then acknowledges nothing more and answers its final end and commit point), {@code to} to promise that
     * epoch (it answers its end); only if {@code to} holds every committed record (same last epoch, end at
     * or past the commit point) is it made the leader, compared-and-set. Otherwise the deposed leader asks
     * for an election ({@link Failover}) and the next round tries again.
     */
    private Future<Boolean> handOff(Shard s, String to, Set<String> live) {
        JsonObject proposal = new JsonObject().put("epoch", s.epoch() + 1);
        DeliveryOptions options = new DeliveryOptions().setSendTimeout(ASK_TIMEOUT_MILLIS);
        failover.handingOff(s.stream(), s.index());
        return vertx.eventBus().<JsonObject>request(Addresses.replicaState(s.leader(), s.stream(), s.shardId()), proposal, options)
                .compose(leader -> vertx.eventBus().<JsonObject>request(Addresses.replicaState(to, s.stream(), s.shardId()), proposal, options)
                        .compose(target -> {
                            JsonObject l = leader.body();
                            JsonObject t = target.body();
                            long commit = l.getLong("commit", -1L);
                            if (commit < 0 || t.getLong("lastEpoch") != l.getLong("lastEpoch").longValue() || t.getLong("end") < commit) {
                                LOG.info("Shard {} of stream {}: {} lacks records up to {} ({}); no hand-off this round",
                                        s.shardId(), s.stream(), to, commit, t);
                                return Future.succeededFuture(false);
                            }
                            return change(s, r -> ReplicaSets.lead(r, s.index(), to), live).onSuccess(done -> {
                                if (done) {
                                    LOG.info("Shard {} of stream {}: leadership went from {} to {} at epoch {}", s.shardId(),
                                            s.stream(), s.leader(), to, s.epoch() + 1);
                                }
                            });
                        }))
                .onComplete(ar -> failover.handedOff(s.stream(), s.index()));
    }

    /** The followers and learners the shard's leader reports in sync. */
    private Future<Set<String>> inSync(Shard s) {
        return vertx.eventBus().<JsonObject>request(Addresses.shardStatus(s.stream(), s.shardId()), new JsonObject(),
                        new DeliveryOptions().setSendTimeout(ASK_TIMEOUT_MILLIS))
                .map(m -> {
                    Set<String> nodes = new LinkedHashSet<>();
                    m.body().getJsonArray("inSync", new io.vertx.core.json.JsonArray()).forEach(n -> nodes.add((String) n));
                    return nodes;
                })
                .otherwise(Set.of());
    }

    /**
     * Commits {@code change} of the shard's record if the shard still has the placement this round saw (compare
     * and set: a failover or another move in between makes it a no-op); every live node of the shard applies it
     * (the leader's, which counts the new replica set from then on, among them) before it counts as committed.
     */
    private Future<Boolean> change(Shard s, UnaryOperator<JsonObject> change, Set<String> live) {
        Set<String> nodes = new LinkedHashSet<>(ReplicaSets.nodes(s.record()));
        s.move().ifPresent(m -> nodes.add(m.to()));
        nodes.retainAll(live);
        ReplicaSets.ShardPlacement seen = ReplicaSets.placement(s.record(), s.index());
        boolean[] applied = {false};
        return hosting.commitChange(streams -> {
            JsonObject r = streams.getJsonObject(s.id());
            if (r != null && ReplicaSets.placement(r, s.index()).equals(seen)) {
                streams.put(s.id(), change.apply(r));
                applied[0] = true;
            }
            return streams;
        }, nodes).map(v -> applied[0]);
    }

    private static List<Shard> shards(CatalogSnapshot catalog) {
        List<Shard> shards = new ArrayList<>();
        catalog.streams().forEach((id, r) -> {
            if (!r.getBoolean("open", false) || r.getBoolean("deleting", false)) {
                return;
            }
            StreamName name = new StreamName(r.getJsonObject("description").getString("name"));
            for (int i : ReplicaSets.shards(r)) {
                shards.add(new Shard(id, name, i, r, ReplicaSets.leader(r, i), ReplicaSets.epoch(r, i),
                        ReplicaSets.replicas(r, i), ReplicaSets.move(r, i), ReplicaSets.factor(r)));
            }
        });
        return shards;
    }
}
