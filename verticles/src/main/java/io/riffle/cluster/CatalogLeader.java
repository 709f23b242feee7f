package io.riffle.cluster;

import io.riffle.bus.Addresses;
import io.riffle.stream.ControlPlaneVerticle;
import io.riffle.stream.EngineConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Campaigns for catalog leadership on every clustered node and, while this node holds it, runs the
 * cluster's one {@link ControlPlaneVerticle} (whose address only the leader registers, so every node's
 * requests reach it). Taking over:
 * <ol>
 *   <li>asks every live replica for its state and takes the highest epoch any promised or wrote;</li>
 *   <li>gets a higher epoch from the coordination (Raft), and has the replicas promise it: from here no
 *       older leader can reach a quorum;</li>
 *   <li>continues from the newest snapshot among a quorum of the voters (every committed change is on a
 *       majority, so on at least one of them), and recommits it at its own epoch;</li>
 *   <li>starts the control plane on that catalog. On a change of the member view it recommits, which
 *       brings a new or restarted node the catalog and so its shards.</li>
 * </ol>
 * Loses leadership when the coordination says so or a replica refuses its epoch; then the control plane
 * stops (requests answer "retry" until the next leader runs) and the campaign starts again.
 */
public final class CatalogLeader extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(CatalogLeader.class);
    private static final long RETRY_MILLIS = 1_000;
    /** How often the leader checks for live nodes that missed a commit (they get the catalog again). */
    private static final long CATCH_UP_MILLIS = 2_000;

    private final EngineConfig config;
    private final Coordination coordination;
    private final ReplicaSettings replication;
    private volatile boolean stopped;
    private ClusterHosting hosting;
    private Failover failover;
    private ReplicaMoves moves;
    private io.vertx.core.eventbus.MessageConsumer<JsonObject> reelections;
    private io.vertx.core.eventbus.MessageConsumer<JsonObject> decommissions;
    private String controlPlane;
    /** The control plane while this node leads; read by the engine's stop from any thread. */
    private volatile ControlPlaneVerticle plane;
    private Coordination.Leadership leadership;

    public CatalogLeader(EngineConfig config, Coordination coordination, ReplicaSettings replication) {
        this.config = config;
        this.coordination = coordination;
        this.replication = replication;
    }

    @Override
    public Future<?> start() {
        coordination.onViewChange(() -> context.runOnContext(v -> viewChanged()));
        vertx.setPeriodic(CATCH_UP_MILLIS, t -> {
            if (hosting != null && hosting.anyoneBehind()) {
                viewChanged();
            } else if (failover != null) {
                failover.check();
                moves.check();
            }
        });
        campaign();
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        stopped = true;
        if (leadership != null) {
            leadership.release();
        }
        return Future.succeededFuture();
    }

    /** Whether this node runs the cluster's control plane now. */
    public boolean leads() {
        return plane != null;
    }

    /**
     * Before the node undeploys this verticle: the control plane, if this node leads, finishes the reshards
     * it is running (see {@link ControlPlaneVerticle#quiesce}), so the next leader does not find them half done.
     */
    public Future<Void> quiesce() {
        ControlPlaneVerticle p = plane;
        return p == null ? Future.succeededFuture() : p.quiesce();
    }

    private void campaign() {
        if (stopped) {
            return;
        }
        coordination.lead().onComplete(ar -> {
            if (ar.failed()) {
                LOG.warn("Campaign for catalog leadership failed: {}; retrying", ar.cause().toString());
                retryLater();
            } else {
                takeOver(ar.result());
            }
        });
    }

    private void retryLater() {
        if (!stopped) {
            vertx.setTimer(RETRY_MILLIS, t -> campaign());
        }
    }

    private void takeOver(Coordination.Leadership held) {
        if (stopped) {
            held.release();
            return;
        }
        leadership = held;
        held.lost().onComplete(v -> context.runOnContext(x -> lost(held)));
        ask(new JsonObject().put("op", "state"))
                .compose(states -> held.nextEpoch(highestEpoch(states)))
                .compose(epoch -> ask(new JsonObject().put("op", "promise").put("epoch", epoch))
                        .compose(promises -> start(held, epoch, promises)))
                .onFailure(err -> {
                    LOG.warn("Taking over the catalog failed: {}", err.toString());
                    held.release();
                });
    }

    private Future<Void> start(Coordination.Leadership held, long epoch, List<JsonObject> promises) {
        CatalogSnapshot newest = CatalogSnapshot.EMPTY;
        Set<String> promised = new LinkedHashSet<>();
        for (JsonObject p : promises) {
            if (!p.getBoolean("ok")) {
                return Future.failedFuture(new IllegalStateException("node " + p.getString("nodeId") + " promised a higher epoch"));
            }
            promised.add(p.getString("nodeId"));
            CatalogSnapshot s = CatalogSnapshot.fromJson(p.getJsonObject("snapshot"));
            if (s.newerThan(newest)) {
                newest = s;
            }
        }
        Set<String> voters = newest.members().isEmpty() ? coordination.liveNodes() : newest.members();
        long present = voters.stream().filter(promised::contains).count();
        boolean quorum = coordination.partitionTolerant() ? present > voters.size() / 2 : promised.containsAll(coordination.liveNodes());
        if (!quorum) {
            return Future.failedFuture(new IllegalStateException("only " + promised + " of voters " + voters + " answered"));
        }
        // The first leader of a cluster makes the key every node seals iterators with; later ones keep it.
        ClusterHosting h = new ClusterHosting(vertx, config.dataDir(), coordination, epoch, newest.withTokenKey(), held::release);
        ControlPlaneVerticle started = new ControlPlaneVerticle(config, h);
        return h.recommit()
                .compose(v -> vertx.deployVerticle(started))
                .map(id -> {
                    if (leadership != held) {
                        vertx.undeploy(id);
                        return null;
                    }
                    plane = started;
                    hosting = h;
                    failover = new Failover(vertx, h, coordination);
                    Failover f = failover;
                    reelections = vertx.eventBus().<JsonObject>consumer(Addresses.shardReelect(), m -> f.reelect(m.body()));
                    moves = new ReplicaMoves(vertx, h, coordination, failover, replication.replicaRepairSeconds());
                    ReplicaMoves r = moves;
                    decommissions = vertx.eventBus().<JsonObject>consumer(Addresses.decommission(), m -> (m.body().getBoolean("cancel", false)
                            ? r.readmit(m.body().getString("nodeId")) : r.decommission(m.body().getString("nodeId")))
                            .onSuccess(m::reply).onFailure(err -> io.riffle.bus.Failures.fail(m, err)));
                    failover.check();
                    moves.check();
                    controlPlane = id;
                    LOG.info("Node {} leads the catalog at epoch {} ({})", coordination.nodeId(), epoch, h.committed());
                    return null;
                });
    }

    private void lost(Coordination.Leadership held) {
        if (leadership != held) {
            return;
        }
        LOG.warn("Node {} lost catalog leadership", coordination.nodeId());
        leadership = null;
        hosting = null;
        if (failover != null) {
            failover.stop();
        }
        failover = null;
        moves = null;
        if (reelections != null) {
            reelections.unregister();
            reelections = null;
        }
        if (decommissions != null) {
            decommissions.unregister();
            decommissions = null;
        }
        String id = controlPlane;
        controlPlane = null;
        plane = null;
        Future<Void> undeployed = id == null ? Future.succeededFuture() : vertx.undeploy(id);
        undeployed.onComplete(v -> retryLater());
    }

    private void viewChanged() {
        if (hosting != null) {
            Failover f = failover;
            f.check();
            moves.check();
            hosting.recommit().onFailure(err -> LOG.warn("Sending the catalog to the members failed: {}", err.toString()))
                    .onComplete(ar -> {
                        if (f != null) {
                            f.check();
                        }
                    });
        }
    }

    /** Asks every live node's replica; answers the replies that came (a dead node just does not answer). */
    private Future<List<JsonObject>> ask(JsonObject request) {
        List<Future<Message<JsonObject>>> asked = new ArrayList<>(
                ClusterHosting.askReplicas(vertx, coordination.liveNodes(), request).values());
        return Future.join(new ArrayList<>(asked)).transform(ar -> {
            List<JsonObject> answers = new ArrayList<>();
            asked.stream().filter(Future::succeeded).forEach(f -> answers.add(f.result().body()));
            return Future.succeededFuture(answers);
        });
    }

    private static long highestEpoch(List<JsonObject> states) {
        long highest = 0;
        for (JsonObject s : states) {
            highest = Math.max(highest, Math.max(s.getLong("promised", 0L), s.getJsonObject("snapshot").getLong("epoch", 0L)));
        }
        return highest;
    }
}
