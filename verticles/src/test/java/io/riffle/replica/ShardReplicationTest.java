package io.riffle.replica;

import static io.riffle.testing.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.riffle.bus.Addresses;
import io.riffle.error.ErrorCode;
import io.riffle.log.LogConfig;
import io.riffle.log.ShardLog;
import io.riffle.model.HashKeyRange;
import io.riffle.model.Record;
import io.riffle.model.SequenceNumber;
import io.riffle.model.ShardDescription;
import io.riffle.model.ShardId;
import io.riffle.model.ShardState;
import io.riffle.model.StreamName;
import io.riffle.shard.AppendReply;
import io.riffle.shard.AppendRequest;
import io.riffle.shard.Codecs;
import io.riffle.shard.ReadRequest;
import io.riffle.shard.ShardSettings;
import io.riffle.shard.ShardVerticle;
import io.riffle.stream.ReadBatch;
import io.riffle.throttle.ThroughputLimits;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three replicas of one shard as three shard verticles on one Vert.x (each "node" its own directory and
 * replica addresses, as on three clustered nodes): quorum acknowledgement, commit-bounded reads, fencing
 * of a deposed leader and truncation of an uncommitted tail when the old leader rejoins as a follower.
 */
class ShardReplicationTest {
    private static final StreamName STREAM = StreamName.of("replicated");
    private static final ShardId SHARD_ID = new ShardId(0);
    private static final ShardDescription SHARD = new ShardDescription(SHARD_ID, Optional.empty(), Optional.empty(),
            HashKeyRange.ALL, new SequenceNumber(0, 0), Optional.empty(), ShardState.OPEN);
    private static final List<String> NODES = List.of("n1", "n2", "n3");

    @TempDir
    Path root;
    private Vertx vertx;
    private final Map<String, String> deployed = new HashMap<>();
    private final Map<String, ShardVerticle> verticles = new HashMap<>();
    private final Map<String, SimpleMeterRegistry> meters = new HashMap<>();

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        Codecs.register(vertx.eventBus());
    }

    @AfterEach
    void stop() {
        await(vertx.close());
    }

    private void deploy(String node, long epoch, String leader) {
        deploy(new ReplicaRole(node, epoch, leader, NODES));
    }

    private void deploy(ReplicaRole role) {
        ShardVerticle v = new ShardVerticle(STREAM, SHARD, root.resolve(role.nodeId()), LogConfig.defaults(),
                new ShardSettings(ThroughputLimits.OFF, TimeUnit.DAYS.toMillis(1), 1 << 20, null), Clock.systemUTC(),
                meters.computeIfAbsent(role.nodeId(), n -> new SimpleMeterRegistry()), io.riffle.log.crypto.Keyring::empty, role);
        deployed.put(role.nodeId(), await(vertx.deployVerticle(v)));
        verticles.put(role.nodeId(), v);
    }

    /** The catalog changed the replica set under the same leader and epoch: the running replica on {@code role}'s node follows in place. */
    private boolean changeReplicas(ReplicaRole role) {
        return await(Future.fromCompletionStage(verticles.get(role.nodeId()).changeReplicas(role)));
    }

    private void undeploy(String node) {
        await(vertx.undeploy(deployed.remove(node)));
    }

    private Future<AppendReply> put(String... values) {
        List<AppendRequest.Entry> entries = new ArrayList<>();
        for (String v : values) {
            entries.add(new AppendRequest.Entry("key", v.getBytes(StandardCharsets.UTF_8)));
        }
        return vertx.eventBus().<AppendReply>request(Addresses.shardAppend(STREAM, SHARD_ID), new AppendRequest(entries),
                new DeliveryOptions().setSendTimeout(3_000)).map(m -> m.body());
    }

    private ReadBatch read(long from) {
        return await(vertx.eventBus().<ReadBatch>request(Addresses.shardRead(STREAM, SHARD_ID),
                new ReadRequest(from, 10_000, 1 << 20, false)).map(m -> m.body()));
    }

    private static List<String> values(List<Record> records) {
        return records.stream().map(r -> new String(r.data(), StandardCharsets.UTF_8)).toList();
    }

    /** What a stopped replica's log holds. */
    private List<String> logOf(String node) throws Exception {
        try (ShardLog log = ShardLog.open(root.resolve(node), LogConfig.defaults(), Clock.systemUTC(), io.riffle.log.crypto.Keyring::empty)) {
            return values(log.read(0, 10_000, Long.MAX_VALUE));
        }
    }

    @Test
    void aPutIsAnsweredOnceAMajorityHoldsItAndEveryReplicaGetsIt() throws Exception {
        NODES.forEach(n -> deploy(n, 1, "n1"));
        assertThat(await(put("a", "b")).offsets()).containsExactly(0, 1);
        assertThat(await(put("c")).offsets()).containsExactly(2);
        assertThat(values(read(0).records())).containsExactly("a", "b", "c");
        // A put is answered once two of three hold it: the third may still be getting it (seen in a full build).
        waitUntil(() -> endOf("n3") == 3);
        undeploy("n3");
        // Two of three are a majority: puts go on.
        assertThat(await(put("d")).offsets()).containsExactly(3);
        NODES.forEach(n -> {
            if (deployed.containsKey(n)) {
                undeploy(n);
            }
        });
        assertThat(logOf("n1")).containsExactly("a", "b", "c", "d");
        assertThat(logOf("n2")).containsExactly("a", "b", "c", "d");
        assertThat(logOf("n3")).containsExactly("a", "b", "c");
    }

    /**
     * A reshard's seal of a replicated parent: its ending sequence number must not cover a record a failover
     * could lose, so the seal answers only once the leader's whole log is committed, with its leader epoch
     * (the reshard's catalog change is fenced on it).
     */
    @Test
    void aSealAnswersTheLastOffsetOnlyOnceEveryRecordIsCommittedAndNamesTheLeaderEpoch() {
        NODES.forEach(n -> deploy(n, 1, "n1"));
        assertThat(await(put("a")).offsets()).containsExactly(0);
        undeploy("n2");
        undeploy("n3");
        Future<AppendReply> uncommitted = put("b");
        // "b" is in the leader's log, on no majority: no answer while that lasts (1 s of it here).
        assertThatThrownBy(() -> await(seal(1_000))).isInstanceOf(ReplyException.class);
        Future<io.vertx.core.json.JsonObject> sealed = seal(10_000);
        deploy("n2", 1, "n1");
        io.vertx.core.json.JsonObject answer = await(sealed);
        assertThat(answer.getLong("lastOffset")).isEqualTo(1L);
        assertThat(answer.getLong("epoch")).isEqualTo(1L);
        assertThat(values(read(0).records())).containsExactly("a", "b");
        uncommitted.otherwiseEmpty();
    }

    private Future<io.vertx.core.json.JsonObject> seal(long timeoutMillis) {
        return vertx.eventBus().<io.vertx.core.json.JsonObject>request(Addresses.shardSeal(STREAM, SHARD_ID),
                new io.vertx.core.json.JsonObject().put("phase", "seal"), new DeliveryOptions().setSendTimeout(timeoutMillis))
                .map(m -> m.body());
    }

    @Test
    void withoutAMajorityNothingIsAnsweredNorReadableAndARestartedFollowerCatchesUp() throws Exception {
        NODES.forEach(n -> deploy(n, 1, "n1"));
        assertThat(await(put("a")).offsets()).containsExactly(0);
        undeploy("n2");
        undeploy("n3");
        Future<AppendReply> waiting = put("b");
        assertThatThrownBy(() -> await(waiting)).isInstanceOf(ReplyException.class);
        // "b" is in the leader's log but not committed: no reader sees it.
        assertThat(values(read(0).records())).containsExactly("a");
        deploy("n2", 1, "n1");
        // The follower catches up from the leader's log: "b" becomes committed and readable, and puts go on.
        assertThat(await(put("c")).offsets()).containsExactly(2);
        assertThat(values(read(0).records())).containsExactly("a", "b", "c");
    }

    @Test
    void aLearnerGetsTheLogButCountsForNoMajorityAndTheLeaderReportsItInSync() throws Exception {
        List<String> replicas = List.of("n1", "n2");
        List<String> learners = List.of("n3");
        deploy(new ReplicaRole("n1", 1, "n1", replicas, learners));
        deploy(new ReplicaRole("n3", 1, "n1", replicas, learners));
        // n1 and the learner n3 hold "a", but of the replicas only n1: not a majority of two.
        Future<AppendReply> waiting = put("a");
        assertThatThrownBy(() -> await(waiting)).isInstanceOf(ReplyException.class);
        waitUntil(() -> endOf("n3") == 1);
        deploy(new ReplicaRole("n2", 1, "n1", replicas, learners));
        assertThat(await(put("b")).offsets()).containsExactly(1);
        waitUntil(() -> endOf("n3") == 2);
        waitUntil(() -> inSync().containsAll(List.of("n2", "n3")));
        assertThat(values(read(0).records())).containsExactly("a", "b");
    }

    /**
     * A replica move's membership steps applied to the running leader in place: a learner never counts, made a
     * replica it does (the quorum of four is three), and once a lost replica is removed the commit point is a
     * majority of the three left, which commits the put that waited, without a restart or a failed put.
     */
    @Test
    void theLeaderCountsTheReplicaSetItIsChangedToInPlace() throws Exception {
        List<String> learners = List.of("n4");
        NODES.forEach(n -> deploy(new ReplicaRole(n, 1, "n1", NODES, learners)));
        deploy(new ReplicaRole("n4", 1, "n1", NODES, learners));
        String leader = deployed.get("n1");
        assertThat(await(put("a")).offsets()).containsExactly(0);
        // n2 and n3 are lost: the leader and the learner hold "b", but a learner counts for nothing.
        undeploy("n2");
        undeploy("n3");
        Future<AppendReply> waiting = put("b");
        // The leader heard the learner hold its whole log ("b" included): "b" still is not committed.
        waitUntil(() -> endOf("n4") == 2 && inSync().contains("n4"));
        assertThat(waiting.isComplete()).isFalse();
        assertThat(values(read(0).records())).containsExactly("a");

        // The learner becomes a replica: n1 and n4 are two of four, not the three a majority of four is.
        List<String> four = List.of("n1", "n2", "n3", "n4");
        changeReplicas(new ReplicaRole("n4", 1, "n1", four));
        changeReplicas(new ReplicaRole("n1", 1, "n1", four));
        assertThat(waiting.isComplete()).isFalse();
        assertThat(values(read(0).records())).containsExactly("a");

        // n2 leaves the set: two of three are a majority, so the waiting put commits, answered by the same leader.
        List<String> three = List.of("n1", "n3", "n4");
        changeReplicas(new ReplicaRole("n4", 1, "n1", three));
        assertThat(changeReplicas(new ReplicaRole("n1", 1, "n1", three))).isTrue();
        assertThat(await(waiting).offsets()).containsExactly(1);
        assertThat(await(put("c")).offsets()).containsExactly(2);
        assertThat(values(read(0).records())).containsExactly("a", "b", "c");
        assertThat(deployed.get("n1")).isEqualTo(leader);
        assertThat(vertx.deploymentIDs()).contains(leader);
        waitUntil(() -> endOf("n4") == 3);

        // A new leader or epoch is never a change in place.
        assertThatThrownBy(() -> changeReplicas(new ReplicaRole("n1", 2, "n1", three))).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * A learner made a replica of three, with one of them down: a majority of the four (three) must hold what
     * was committed before the leader answers the change (an election among the four needs only two answers,
     * but two of the old three sufficed to commit), so it answers once the new replica caught up.
     */
    @Test
    void aChangeInPlaceIsAnsweredOnceAMajorityOfTheNewVotersHoldsTheCommitPoint() throws Exception {
        List<String> learners = List.of("n4");
        deploy(new ReplicaRole("n1", 1, "n1", NODES, learners));
        deploy(new ReplicaRole("n2", 1, "n1", NODES, learners));
        assertThat(await(put("a", "b")).offsets()).containsExactly(0, 1);

        List<String> four = List.of("n1", "n2", "n3", "n4");
        java.util.concurrent.CompletableFuture<Boolean> change = verticles.get("n1").changeReplicas(new ReplicaRole("n1", 1, "n1", four))
                .toCompletableFuture();
        // The leader counts four replicas now, of which it knows only itself and n2 to hold "a" and "b".
        waitUntil(() -> meters.get("n1").get("riffle.shard.replicas").gauge().value() == 4);
        assertThat(change).isNotDone();
        deploy(new ReplicaRole("n4", 1, "n1", four));

        assertThat(await(Future.fromCompletionStage(change))).isTrue();
        assertThat(endOf("n4")).isEqualTo(2);
    }

    /**
     * New voters that cannot hold the commit point (of four, only the leader is known to hold it): the change is
     * answered after a bound; a change of learners alone at once.
     */
    @Test
    void aChangeInPlaceTheNewVotersCannotSettleIsAnsweredAfterABound() throws Exception {
        deploy("n1", 1, "n1");
        deploy("n2", 1, "n1");
        assertThat(await(put("a")).offsets()).containsExactly(0);
        undeploy("n2");
        Future<AppendReply> waiting = put("b");
        // Sending "b" fails: the leader no longer knows n2 to hold anything.
        waitUntil(() -> !inSync().contains("n2"));

        List<String> four = List.of("n1", "n2", "n3", "n4");
        assertThat(changeReplicas(new ReplicaRole("n1", 1, "n1", four))).isFalse();
        // A learner added leaves the voters as they were: nothing to wait for.
        assertThat(changeReplicas(new ReplicaRole("n1", 1, "n1", four, List.of("n5")))).isTrue();
        waiting.otherwiseEmpty();
    }

    /**
     * A leader whose log start retention moved past 0: a follower and a learner with empty logs can never
     * continue from their ends, so each restarts its log empty at the leader's start and catches up from there.
     */
    @Test
    void replicasWhoseLogsEndBelowTheLeadersStartRestartThereAndCatchUp() throws Exception {
        long twoDaysAgo = System.currentTimeMillis() - TimeUnit.DAYS.toMillis(2);
        try (ShardLog log = ShardLog.open(root.resolve("n1"), LogConfig.defaults(), Clock.systemUTC(), io.riffle.log.crypto.Keyring::empty)) {
            List<io.riffle.log.AppendRecord> expired = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                expired.add(new io.riffle.log.AppendRecord("key", ("expired-" + i).getBytes(StandardCharsets.UTF_8), twoDaysAgo));
            }
            log.append(expired);
            log.append(List.of(new io.riffle.log.AppendRecord("key", "kept".getBytes(StandardCharsets.UTF_8), System.currentTimeMillis())));
        }
        List<String> replicas = List.of("n1", "n2");
        List<String> learners = List.of("n3");
        // Retention is a day: the leader's log starts at 10.
        replicas.forEach(n -> deploy(new ReplicaRole(n, 1, "n1", replicas, learners)));
        deploy(new ReplicaRole("n3", 1, "n1", replicas, learners));

        // Committed only once the follower holds the leader's log from its start.
        assertThat(await(put("new")).offsets()).containsExactly(11);
        waitUntil(() -> endOf("n3") == 12);
        waitUntil(() -> inSync().containsAll(List.of("n2", "n3")));
        assertThat(values(read(0).records())).containsExactly("kept", "new");
        List.copyOf(deployed.keySet()).forEach(this::undeploy);
        for (String node : List.of("n2", "n3")) {
            assertThat(logOf(node)).as(node).containsExactly("kept", "new");
            // Durably: the log opens again where it restarted.
            try (ShardLog log = ShardLog.open(root.resolve(node), LogConfig.defaults(), Clock.systemUTC(), io.riffle.log.crypto.Keyring::empty)) {
                assertThat(log.startOffset()).as(node).isEqualTo(10);
                assertThat(log.endOffset()).as(node).isEqualTo(12);
            }
        }
    }

    /** The followers and learners the leader reports in sync, as the catalog leader's moves ask. */
    private List<Object> inSync() {
        return await(vertx.eventBus().<io.vertx.core.json.JsonObject>request(Addresses.shardStatus(STREAM, SHARD_ID),
                new io.vertx.core.json.JsonObject())).body().getJsonArray("inSync").getList();
    }

    @Test
    void aDeposedLeaderAcknowledgesNothingAndItsUncommittedTailIsCutWhenItFollows() throws Exception {
        NODES.forEach(n -> deploy(n, 1, "n1"));
        assertThat(await(put("a", "b")).offsets()).containsExactly(0, 1);
        // An answer needs only a majority; the catalog would elect the replica with the most: here both have all.
        waitUntil(() -> endOf("n2") == 2 && endOf("n3") == 2);
        // n1 is cut off from its followers: what it writes now reaches no majority.
        undeploy("n2");
        undeploy("n3");
        assertThatThrownBy(() -> await(put("lost-1", "lost-2"))).isInstanceOf(ReplyException.class);
        // The catalog makes n2 the leader at epoch 2, with n3; n1 still believes it leads epoch 1.
        deploy("n3", 2, "n2");
        undeploy("n1");
        deploy("n2", 2, "n2");
        assertThat(await(put("c")).offsets()).containsExactly(2);
        assertThat(values(read(0).records())).containsExactly("a", "b", "c");

        // The old leader comes back still believing in epoch 1: the followers refuse it, so it answers no put.
        undeploy("n2");
        deploy("n1", 1, "n1");
        assertThatThrownBy(() -> await(put("stale"))).isInstanceOfSatisfying(ReplyException.class,
                e -> assertThat(e.failureCode()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE.failureCode()));
        undeploy("n1");
        deploy("n2", 2, "n2");

        // Told by the catalog, n1 follows n2: its tail "lost-1", "lost-2" at offsets 2, 3 is replaced by n2's log.
        deploy("n1", 2, "n2");
        assertThat(await(put("d")).offsets()).containsExactly(3);
        waitUntil(() -> {
            undeploy("n1");
            List<String> log = logOf("n1");
            deploy("n1", 2, "n2");
            return log.equals(List.of("a", "b", "c", "d"));
        });
        assertThat(LeaderEpochs.read(root.resolve("n1")).encode()).isEqualTo("1:0,2:2");
    }

    @Test
    void repliesThatVotedInAnElectionRefuseTheOldLeaderWhichAsksForAnotherElection() throws Exception {
        NODES.forEach(n -> deploy(n, 1, "n1"));
        assertThat(await(put("a")).offsets()).containsExactly(0);
        // The answer needed only a majority: let the third replica receive "a" too before the election.
        waitUntil(() -> endOf("n2") == 1 && endOf("n3") == 1);
        List<io.vertx.core.json.JsonObject> reelections = java.util.Collections.synchronizedList(new ArrayList<>());
        await(vertx.eventBus().<io.vertx.core.json.JsonObject>consumer(Addresses.shardReelect(), m -> reelections.add(m.body()))
                .completion());
        // A catalog leader that believes n1 gone elects the leader of epoch 2: n2 and n3 answer, and so vote.
        for (String n : List.of("n2", "n3")) {
            var state = await(vertx.eventBus().<io.vertx.core.json.JsonObject>request(Addresses.replicaState(n, STREAM, SHARD_ID),
                    new io.vertx.core.json.JsonObject().put("epoch", 2L))).body();
            assertThat(state.getLong("end")).isEqualTo(1L);
        }
        // n1 is alive after all (a pause): nothing it writes from now on is acknowledged.
        assertThatThrownBy(() -> await(put("late"))).isInstanceOfSatisfying(ReplyException.class,
                e -> assertThat(e.failureCode()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE.failureCode()));
        // Nor does it serve reads: another replica may lead already.
        assertThatThrownBy(() -> read(0)).isInstanceOfSatisfying(ReplyException.class,
                e -> assertThat(e.failureCode()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE.failureCode()));
        // The election never committed, so nobody leads epoch 2: n1 asks the catalog leader to elect again.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (reelections.isEmpty() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(reelections).first().satisfies(r -> {
            assertThat(r.getString("stream")).isEqualTo(STREAM.value());
            assertThat(r.getInteger("shard")).isZero();
            assertThat(r.getLong("epoch")).isEqualTo(1L);
        });
    }

    /** A running replica's log end, as it tells the catalog leader. */
    private long endOf(String node) {
        return await(vertx.eventBus().<io.vertx.core.json.JsonObject>request(Addresses.replicaState(node, STREAM, SHARD_ID),
                new io.vertx.core.json.JsonObject())).body().getLong("end");
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void waitUntil(Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(50);
        }
    }
}
