package io.riffle.cluster;

import static io.riffle.testing.Futures.await;
import static io.riffle.testing.Waits.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.bus.Addresses;
import io.riffle.log.LogConfig;
import io.riffle.log.ShardLog;
import io.riffle.model.HashKeyRange;
import io.riffle.model.SequenceNumber;
import io.riffle.model.ShardDescription;
import io.riffle.model.ShardId;
import io.riffle.model.ShardState;
import io.riffle.model.StreamDescription;
import io.riffle.model.StreamMode;
import io.riffle.model.StreamName;
import io.riffle.model.StreamStatus;
import io.riffle.shard.AppendReply;
import io.riffle.shard.AppendRequest;
import io.riffle.shard.Codecs;
import io.riffle.shard.ReadRequest;
import io.riffle.stream.EngineConfig;
import io.riffle.stream.ReadBatch;
import io.riffle.stream.StreamJson;
import io.riffle.throttle.ThroughputLimits;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica move's catalog steps, as the catalog leader's {@code ReplicaMoves} commits them, applied by four
 * nodes' catalog replicas (each its own data directory, all on one Vert.x) while puts run: adding a learner,
 * making it a replica and removing a follower change the running leader's replica set in place. No put fails,
 * no replica that stays restarts, only the new replica is opened and only the removed one closed.
 */
class ReplicaMoveInPlaceTest {
    private static final List<String> NODES = List.of("a", "b", "c", "d");
    private static final String STREAM_ID = "0f0f0f0f-0000-0000-0000-000000000002";
    private static final StreamName STREAM = StreamName.of("moving");
    private static final ShardId SHARD = new ShardId(0);
    /** Puts kept in flight at once, each sent again as soon as it is answered. */
    private static final int IN_FLIGHT = 4;

    @TempDir
    Path root;
    private Vertx vertx;
    private long version;
    private JsonObject record;
    private final List<String> acknowledged = Collections.synchronizedList(new ArrayList<>());
    private final List<Throwable> failed = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger sent = new AtomicInteger();
    private volatile boolean putting = true;
    /** The catalog replicas' deployments: the others are shard replicas. */
    private Set<String> catalogReplicas = Set.of();

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        Codecs.register(vertx.eventBus());
        NODES.forEach(n -> await(vertx.deployVerticle(new CatalogReplica(EngineConfig.defaults(root.resolve(n)), n, ""))));
    }

    @AfterEach
    void stop() {
        await(vertx.close());
    }

    /** A stream of one shard led by a, with replicas a, b, c at epoch 1. */
    private static JsonObject stream() {
        ShardDescription shard = new ShardDescription(SHARD, Optional.empty(), Optional.empty(),
                HashKeyRange.evenSplit(1).get(0), new SequenceNumber(0, 0), Optional.empty(), ShardState.OPEN);
        JsonObject description = StreamJson.toJson(new StreamDescription(STREAM, StreamStatus.ACTIVE,
                StreamMode.PROVISIONED, 24, 1L, 1024, List.of(shard), List.of(), Map.of(), Set.of(), ThroughputLimits.OFF));
        description.remove("limits");
        return ReplicaSets.place(new JsonObject().put("description", description), List.of(0), List.of(List.of("a", "b", "c")))
                .put("open", true).put("deleting", false).put(ReplicaSets.FACTOR, 3);
    }

    /** Commits {@code change} of the stream's record as a catalog leader does: every node applies it, then hears it committed. */
    private void commit(UnaryOperator<JsonObject> change) {
        record = change.apply(record == null ? stream() : record.copy());
        version++;
        CatalogSnapshot snapshot = CatalogSnapshot.EMPTY.next(1, version, Set.copyOf(NODES), streams -> streams.put(STREAM_ID, record));
        JsonObject apply = new JsonObject().put("op", "apply").put("epoch", 1L).put("snapshot", snapshot.toJson());
        List<Future<io.vertx.core.eventbus.Message<JsonObject>>> applied = NODES.stream()
                .map(n -> vertx.eventBus().<JsonObject>request(Addresses.catalogReplica(n), apply)).toList();
        await(Future.all(applied));
        JsonObject notice = new JsonObject().put("op", "committed").put("epoch", 1L).put("version", version);
        NODES.forEach(n -> await(vertx.eventBus().request(Addresses.catalogReplica(n), notice)));
    }

    /** One chain of puts: each answered put is followed by the next, until {@link #putting} ends. */
    private Future<Void> putChain() {
        if (!putting) {
            return Future.succeededFuture();
        }
        String value = "r" + sent.getAndIncrement();
        AppendRequest request = new AppendRequest(List.of(new AppendRequest.Entry("key", value.getBytes(StandardCharsets.UTF_8))));
        return vertx.eventBus().<AppendReply>request(Addresses.shardAppend(STREAM, SHARD), request,
                        new DeliveryOptions().setSendTimeout(10_000))
                .onSuccess(m -> acknowledged.add(value))
                .onFailure(failed::add)
                .transform(ar -> putChain());
    }

    private Set<String> inSync() {
        return new HashSet<>(await(vertx.eventBus().<JsonObject>request(Addresses.shardStatus(STREAM, SHARD), new JsonObject()))
                .body().getJsonArray("inSync").getList());
    }

    private Set<String> shardDeployments() {
        Set<String> ids = new HashSet<>(vertx.deploymentIDs());
        ids.removeAll(catalogReplicas);
        return ids;
    }

    private Path shardDir(String node) {
        return root.resolve(node).resolve("streams").resolve(STREAM_ID).resolve("shards").resolve("0");
    }

    private List<String> logOf(String node) throws Exception {
        try (ShardLog log = ShardLog.open(shardDir(node), LogConfig.defaults(), Clock.systemUTC(), io.riffle.log.crypto.Keyring::empty)) {
            return log.read(0, 100_000, Long.MAX_VALUE).stream().map(r -> new String(r.data(), StandardCharsets.UTF_8)).toList();
        }
    }

    @Test
    void aMoveOfAFollowerChangesTheRunningLeadersReplicaSetInPlaceWhilePutsRun() throws Exception {
        catalogReplicas = Set.copyOf(vertx.deploymentIDs());
        commit(r -> r);
        Set<String> before = shardDeployments();
        assertThat(before).hasSize(3);
        List<Future<Void>> chains = new ArrayList<>();
        for (int i = 0; i < IN_FLIGHT; i++) {
            chains.add(putChain());
        }
        waitUntil(() -> acknowledged.size() >= 50);

        // 1: d becomes a learner, at the same epoch: only d's replica is opened.
        commit(r -> ReplicaSets.startMove(r, 0, new ReplicaSets.Move("d", "b")));
        assertThat(ReplicaSets.epoch(record, 0)).isEqualTo(1);
        Set<String> withLearner = shardDeployments();
        assertThat(withLearner).containsAll(before).hasSize(4);
        assertThat(shardDir("d")).isDirectory();
        int beforePromotion = acknowledged.size();
        waitUntil(() -> inSync().contains("d") && acknowledged.size() > beforePromotion);

        // 2: d becomes a replica: nothing restarts.
        commit(r -> ReplicaSets.reconfigure(r, 0, List.of("a", "b", "c", "d")));
        assertThat(shardDeployments()).isEqualTo(withLearner);
        int beforeRemoval = acknowledged.size();
        waitUntil(() -> inSync().containsAll(List.of("c", "d")) && acknowledged.size() > beforeRemoval);

        // 4: b (a follower) leaves and the move ends: only b's replica closes, and its log goes once committed.
        commit(r -> ReplicaSets.endMove(ReplicaSets.reconfigure(r, 0, List.of("a", "c", "d")), 0));
        assertThat(ReplicaSets.epoch(record, 0)).isEqualTo(1);
        Set<String> after = shardDeployments();
        assertThat(after).hasSize(3);
        assertThat(withLearner).containsAll(after);
        assertThat(shardDir("b")).doesNotExist();
        int afterRemoval = acknowledged.size();
        waitUntil(() -> acknowledged.size() > afterRemoval + 50);

        putting = false;
        await(Future.all(chains));
        assertThat(failed).isEmpty();
        assertThat(shardDeployments()).isEqualTo(after);
        List<String> readable = await(vertx.eventBus().<ReadBatch>request(Addresses.shardRead(STREAM, SHARD),
                new ReadRequest(0, 100_000, 10 << 20, false))).body().records().stream()
                .map(r -> new String(r.data(), StandardCharsets.UTF_8)).toList();
        assertThat(readable).containsAll(acknowledged);

        // Every acknowledged record is on a majority of the new set: the leader and c or d.
        await(vertx.close());
        vertx = Vertx.vertx();
        List<String> onA = logOf("a");
        List<String> onC = logOf("c");
        List<String> onD = logOf("d");
        assertThat(onA).containsAll(acknowledged);
        assertThat(acknowledged).allSatisfy(v -> assertThat(onC.contains(v) || onD.contains(v)).as(v).isTrue());
        // The new replica copied the leader's log, in its order.
        assertThat(onA.subList(0, onD.size())).isEqualTo(onD);
    }
}
