package io.riffle.cluster;

import io.riffle.bus.Addresses;
import io.riffle.model.ShardId;
import io.riffle.model.StreamName;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog leader's failover of shard leaders: a shard whose leader's node left the member view gets a
 * new leader among its live replicas, at the next leader epoch, committed like any catalog change (so it is
 * fenced by the catalog's own epoch). The new leader is the replica with the highest (last leader epoch,
 * log end) among answers from {@link #voters} of the n replicas, n - q + 1 with q the commit quorum
 * (n / 2 + 1): every committed record is on q replicas, so on at least one of any n - q + 1, and that
 * ordering picks one that holds them all (Raft's election rule). Asking is voting: each replica that answers
 * refuses the old epoch from then on, which leaves the old leader (paused or cut off, not dead) at most
 * q - 1 replicas to acknowledge with, so it cannot commit anything the answers did not report. For three
 * replicas that is two answers, a majority; for two it is the one survivor, which holds every committed
 * record (its leader could commit only with it), so a shard of replication factor 2 survives the loss of a
 * node. With fewer replicas alive the shard waits, unavailable, for one to return: electing among them
 * could lose acknowledged records.
 *
 * <p>Runs on the catalog leader's context, one round at a time; {@link #check} is called on every change of
 * the member view and periodically.
 */
final class Failover {
    private static final Logger LOG = LoggerFactory.getLogger(Failover.class);
    private static final long STATE_TIMEOUT_MILLIS = 2_000;

    private final Vertx vertx;
    private final ClusterHosting hosting;
    private final Coordination coordination;
    private boolean running;
    /** A round was asked for while one ran: it runs again after, on the view it then finds. */
    private boolean again;
    /** Leadership was lost: no more rounds, a deposed catalog leader must not ask replicas to vote. */
    private boolean stopped;
    /** Shards whose live leader was deposed by an election that did not commit: elected again, "stream/shard/epoch". */
    private final java.util.Set<String> reelect = new java.util.HashSet<>();
    /**
     * Shards whose leadership {@link ReplicaMoves} is handing over, "stream/shard": their deposed leader's call for
     * an election waits until the hand-off committed or gave up, else the election would race it (and re-elect the
     * old leader, which holds the most records).
     */
    private final java.util.Set<String> handingOff = new java.util.HashSet<>();

    Failover(Vertx vertx, ClusterHosting hosting, Coordination coordination) {
        this.vertx = vertx;
        this.hosting = hosting;
        this.coordination = coordination;
    }

    /** A shard whose leader is gone: its stream id and name, index, old leader and epoch, live replicas. */
    private record Orphan(String id, StreamName stream, int shard, String leader, long epoch, Set<String> alive, int voters,
                          ReplicaSets.ShardPlacement placement) {
    }

    private record Choice(Orphan orphan, String node) {
    }

    /** A deposed leader's request ({@link Addresses#shardReelect}): its shard is elected again in the next round. */
    void reelect(JsonObject request) {
        reelect.add(request.getString("stream") + "/" + request.getInteger("shard") + "/" + request.getLong("epoch"));
        check();
    }

    /** Holds elections of the shard while its leadership is handed over; {@link #handedOff} ends that. */
    void handingOff(StreamName stream, int shard) {
        handingOff.add(stream.value() + "/" + shard);
    }

    void handedOff(StreamName stream, int shard) {
        handingOff.remove(stream.value() + "/" + shard);
    }

    /** Ends this failover with its catalog leadership; a round under way finishes but none follows. */
    void stop() {
        stopped = true;
    }

    void check() {
        if (stopped) {
            return;
        }
        if (running) {
            // A member left (or a deposed leader asked) after this round read the view: dropping the request
            // would leave those shards leaderless until the next periodic check.
            again = true;
            return;
        }
        running = true;
        run().onComplete(ar -> {
            running = false;
            if (ar.failed()) {
                LOG.warn("Shard failover round failed: {}", ar.cause().toString());
            }
            if (again) {
                again = false;
                check();
            }
        });
    }

    private Future<Void> run() {
        List<Orphan> orphans = orphans(hosting.committed(), coordination.liveNodes(), reelect, handingOff);
        // A held shard's call stays: its deposed leader repeats it, so it is elected once the hand-off gave up.
        reelect.clear();
        if (orphans.isEmpty()) {
            return Future.succeededFuture();
        }
        // With the commit's line below, the node side of a failover's time (RESULTS.md, #10).
        LOG.info("Failover round: {} shards without a live leader; asking their replicas", orphans.size());
        List<Future<Optional<Choice>>> elections = orphans.stream().map(this::elect).toList();
        return Future.join(new ArrayList<>(elections)).transform(ar -> {
            List<Choice> choices = elections.stream().filter(Future::succeeded).map(Future::result)
                    .flatMap(Optional::stream).toList();
            if (choices.isEmpty()) {
                return Future.succeededFuture();
            }
            Set<String> newLeaders = new LinkedHashSet<>();
            choices.forEach(c -> newLeaders.add(c.node()));
            List<Choice> applied = new ArrayList<>();
            return hosting.commitChange(streams -> {
                for (Choice c : choices) {
                    JsonObject r = streams.getJsonObject(c.orphan().id());
                    // Only if nothing moved it since the election (compare and set on its placement: a replica
                    // move's step keeps the epoch but changes whom the election had to ask).
                    if (r != null && ReplicaSets.placement(r, c.orphan().shard()).equals(c.orphan().placement())) {
                        ReplicaSets.lead(r, c.orphan().shard(), c.node());
                        applied.add(c);
                    }
                }
                return streams;
            }, newLeaders).onSuccess(v -> applied.forEach(c -> LOG.info(
                    "Shard {} of stream {}: leader {} is gone; {} leads it at epoch {}", new ShardId(c.orphan().shard()),
                    c.orphan().stream(), c.orphan().leader(), c.node(), c.orphan().epoch() + 1)));
        });
    }

    private static List<Orphan> orphans(CatalogSnapshot catalog, Set<String> live, Set<String> reelect, Set<String> held) {
        List<Orphan> orphans = new ArrayList<>();
        for (Map.Entry<String, JsonObject> e : catalog.streams().entrySet()) {
            JsonObject r = e.getValue();
            if (!r.getBoolean("open", false) || r.getBoolean("deleting", false)) {
                continue;
            }
            StreamName name = new StreamName(r.getJsonObject("description").getString("name"));
            for (int shard : ReplicaSets.shards(r)) {
                String leader = ReplicaSets.leader(r, shard);
                List<String> replicas = ReplicaSets.replicas(r, shard);
                long epoch = ReplicaSets.epoch(r, shard);
                boolean deposed = reelect.contains(name.value() + "/" + shard + "/" + epoch)
                        && !held.contains(name.value() + "/" + shard);
                if ((live.contains(leader) && !deposed) || replicas.size() < 2) {
                    continue;
                }
                Set<String> alive = new LinkedHashSet<>(replicas);
                alive.retainAll(live);
                int voters = voters(replicas.size());
                if (alive.size() >= voters) {
                    orphans.add(new Orphan(e.getKey(), name, shard, leader, epoch, alive, voters, ReplicaSets.placement(r, shard)));
                }
            }
        }
        return orphans;
    }

    /**
     * The answers an election of a set of {@code replicas} needs: n - q + 1, q = n / 2 + 1 being the commit
     * quorum (1 of 2, 2 of 3, 2 of 4, 3 of 5). Any n - q + 1 replicas overlap every q of them, so they hold
     * every committed record, and once they refuse the old epoch it has fewer than q left to commit with.
     */
    static int voters(int replicas) {
        return replicas - (replicas / 2 + 1) + 1;
    }

    /** Asks the live replicas of the shard for their state; picks the new leader if {@link #voters} answered. */
    private Future<Optional<Choice>> elect(Orphan o) {
        DeliveryOptions options = new DeliveryOptions().setSendTimeout(STATE_TIMEOUT_MILLIS);
        List<Future<Message<JsonObject>>> asked = new ArrayList<>();
        List<String> nodes = new ArrayList<>(o.alive());
        for (String node : nodes) {
            // The epoch being elected: each replica that answers refuses the old leader from now on.
            asked.add(vertx.eventBus().request(Addresses.replicaState(node, o.stream(), new ShardId(o.shard())),
                    new JsonObject().put("epoch", o.epoch() + 1), options));
        }
        return Future.join(new ArrayList<>(asked)).transform(ar -> {
            List<JsonObject> answers = new ArrayList<>();
            for (int i = 0; i < nodes.size(); i++) {
                if (asked.get(i).succeeded()) {
                    answers.add(asked.get(i).result().body().copy().put("node", nodes.get(i)));
                }
            }
            if (answers.size() < o.voters()) {
                LOG.warn("Shard {} of stream {}: only {} of its replicas answered, {} needed to elect a leader",
                        new ShardId(o.shard()), o.stream(), answers.size(), o.voters());
                return Future.succeededFuture(Optional.empty());
            }
            JsonObject best = answers.stream().max(Comparator.<JsonObject>comparingLong(a -> a.getLong("lastEpoch"))
                    .thenComparingLong(a -> a.getLong("end"))
                    .thenComparing(a -> a.getString("node"), Comparator.reverseOrder())).orElseThrow();
            return Future.succeededFuture(Optional.of(new Choice(o, best.getString("node"))));
        });
    }
}
