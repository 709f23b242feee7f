package io.riffle.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replica placement and moves on clustered nodes in this JVM (each its own Vert.x and Hazelcast member on
 * 127.0.0.1), in order: zones and the replication factor at creation, repair after a node leaves (of
 * replication factor 2 too), a new node filling up, a decommission, and taking a decommissioned node back. {@code replicaRepairSeconds} is 2, so repair starts soon after a node is gone.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterReplicaMovesIT {
    @TempDir
    static Path dir;

    private static final List<RunningNode> nodes = new ArrayList<>();
    private static final List<String> ids = new ArrayList<>();
    /** Zones of the first four nodes: the first two share one. */
    private static final List<String> ZONES = List.of("zone-a", "zone-a", "zone-b", "zone-c");
    private static String members;
    private static final Map<String, String> zoneOf = new HashMap<>();
    /** Every record put to "moved" so far, which every later check reads back. */
    private static final List<String> written = new ArrayList<>();

    @BeforeAll
    static void startFourNodes() throws IOException {
        int[] ports = ClusterIT.freePorts(5);
        members = Arrays.stream(ports).limit(4).mapToObj(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
        for (int i = 0; i < 4; i++) {
            start(i, ports[i], ZONES.get(i));
        }
        // The fifth port is for the node that joins later.
        joinPort = ports[4];
    }

    private static int joinPort;

    private static void start(int i, int port, String zone) throws IOException {
        nodes.add(RunningNode.start(dir.resolve("node" + i), "--cluster", "true", "--cluster-name", "moves-it",
                "--cluster-port", String.valueOf(port), "--cluster-members", members, "--event-bus-host", "127.0.0.1",
                "--zone", zone, "--replica-repair-seconds", "2"));
        ids.add(new JsonObject(Files.readString(dir.resolve("node" + i).resolve("node.json"))).getString("nodeId"));
        zoneOf.put(ids.get(i), zone);
    }

    @AfterAll
    static void stopNodes() {
        // All at once: one by one, the last ones would wait for a Raft majority that already left.
        nodes.parallelStream().forEach(RunningNode::close);
    }

    @Test
    @Order(1)
    void replicasSpreadOverZonesAndTheReplicationFactorIsTheStreamsOwn() {
        awaitCatalog(nodes.get(0));
        create(nodes.get(0), "moved", 8, 3);
        JsonObject cluster = nodes.get(1).get("/v1/cluster").bodyAsJsonObject();
        JsonObject sets = cluster.getJsonObject("replicas").getJsonObject("moved");
        assertThat(sets.size()).isEqualTo(8);
        // Four nodes in three zones: every shard has one replica per zone, though zone-a has two nodes.
        sets.forEach(e -> assertThat(nodesOf((JsonObject) e.getValue()).stream().map(zoneOf::get).distinct().count())
                .as("zones of %s", e.getValue()).isEqualTo(3));
        assertThat(cluster.getJsonObject("replicationFactors").getInteger("moved")).isEqualTo(3);
        assertThat(nodes.get(2).get("/v1/streams/moved").bodyAsJsonObject().getInteger("replicationFactor")).isEqualTo(3);

        create(nodes.get(1), "pair", 2, 2);
        assertThat(nodes.get(3).get("/v1/cluster").bodyAsJsonObject().getJsonObject("replicas").getJsonObject("pair"))
                .allSatisfy(e -> assertThat(nodesOf((JsonObject) e.getValue())).hasSize(2));
        assertThat(nodes.get(0).get("/v1/streams/pair").bodyAsJsonObject().getInteger("replicationFactor")).isEqualTo(2);
        // Over the live nodes, or out of 1..5: refused, with the reason.
        var five = nodes.get(0).postJson("/v1/streams", new JsonObject().put("name", "five").put("shardCount", 1).put("replicationFactor", 5));
        assertThat(five.statusCode()).as(five.bodyAsString()).isEqualTo(400);
        assertThat(five.bodyAsString()).contains("Replication factor 5", "has 4");
        var zero = nodes.get(0).postJson("/v1/streams", new JsonObject().put("name", "zero").put("shardCount", 1).put("replicationFactor", 0));
        assertThat(zero.statusCode()).isEqualTo(400);
        assertThat(zero.bodyAsString()).contains("replicationFactor");
        // The Kinesis API takes it as Riffle's extension member of CreateStream.
        var kinesisSix = kinesis(nodes.get(3), "CreateStream", new JsonObject().put("StreamName", "k-six").put("ShardCount", 1)
                .put("ReplicationFactor", 6));
        assertThat(kinesisSix.statusCode()).isEqualTo(400);
        assertThat(kinesisSix.bodyAsString()).contains("ValidationException", "replicationFactor");
        assertThat(kinesis(nodes.get(3), "CreateStream", new JsonObject().put("StreamName", "k-two").put("ShardCount", 1)
                .put("ReplicationFactor", 2)).statusCode()).isEqualTo(200);
        awaitCluster(nodes.get(0), c -> Integer.valueOf(2).equals(c.getJsonObject("replicationFactors").getInteger("k-two"))
                && "ACTIVE".equals(nodes.get(0).get("/v1/streams/k-two").bodyAsJsonObject().getString("status")));
        // The next tests count the replicas of "moved" alone.
        for (String name : List.of("pair", "k-two")) {
            assertThat(nodes.get(0).delete("/v1/streams/" + name).statusCode()).isEqualTo(204);
        }
        putAndReadBack(nodes.get(2), 200, nodes.get(3));
    }

    private static io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer> kinesis(RunningNode n, String operation, JsonObject body) {
        return RunningNode.await(n.web.post(n.port(), "127.0.0.1", "/").putHeader("X-Amz-Target", "Kinesis_20131202." + operation)
                .putHeader("Content-Type", "application/x-amz-json-1.1").sendBuffer(io.vertx.core.buffer.Buffer.buffer(body.encode())));
    }

    @Test
    @Order(2)
    void aShardUnderReplicatedForLongerThanTheRepairTimeGetsANewReplicaAndDropsTheMissingOne() {
        String gone = ids.get(3);
        // Two replicas per shard: the one left of a pair is elected alone and repaired from.
        create(nodes.get(1), "twin", 8, 2);
        awaitCluster(nodes.get(0), c -> "ACTIVE".equals(nodes.get(0).get("/v1/streams/twin").bodyAsJsonObject().getString("status")));
        List<String> twins = new ArrayList<>();
        put(nodes.get(2), "twin", twins, 200);
        JsonObject before = nodes.get(0).get("/v1/cluster").bodyAsJsonObject();
        JsonObject twinSets = before.getJsonObject("replicas").getJsonObject("twin");
        Map<String, Object> twinLeaders = before.getJsonObject("placement").getJsonObject("twin").getMap();
        assertThat(twinLeaders).as("premise: the stopped node leads a shard of twin").containsValue(gone);
        assertThat(twinSets.stream().filter(e -> nodesOf((JsonObject) e.getValue()).contains(gone)).count())
                .as("premise: the stopped node follows a shard of twin too: %s", twinSets).isGreaterThan(
                        twinLeaders.values().stream().filter(gone::equals).count());

        nodes.get(3).stopNode();
        // Every shard that had a replica on the stopped node gets one on the one node left that lacks it.
        JsonObject sets = awaitReplicas(nodes.get(0), "moved", all -> all.stream().allMatch(set -> set.size() == 3 && !set.contains(gone)));
        sets.forEach(e -> assertThat(nodesOf((JsonObject) e.getValue())).containsExactlyInAnyOrder(ids.get(0), ids.get(1), ids.get(2)));
        assertThat(readAll(nodes.get(1))).containsExactlyInAnyOrderElementsOf(written);
        putAndReadBack(nodes.get(0), 100, nodes.get(2));
        assertThat(nodes.get(0).get("/metrics").bodyAsString()).contains("riffle_replica_moves_in_progress");

        // The pairs that lost a replica (their leader, or their follower) have two again, none on the stopped node.
        awaitReplicas(nodes.get(0), "twin", all -> all.stream().allMatch(set -> set.size() == 2 && !set.contains(gone)));
        assertThat(readAll(nodes.get(1), "twin")).containsExactlyInAnyOrderElementsOf(twins);
        put(nodes.get(0), "twin", twins, 100);
        assertThat(readAll(nodes.get(2), "twin")).containsExactlyInAnyOrderElementsOf(twins);
        assertThat(nodes.get(0).delete("/v1/streams/twin").statusCode()).isEqualTo(204);

        // The stopped node comes back to a catalog that places nothing on it (decommissioned meanwhile, so
        // nothing is rebalanced onto it either): it removes the logs of the replicas that moved away.
        assertThat(shardDirs(nodes.get(3))).as("premise: the stopped node holds logs").isNotEmpty();
        var drain = nodes.get(0).postJson("/v1/cluster/nodes/" + gone + "/decommission", new JsonObject());
        assertThat(drain.statusCode()).as(drain.bodyAsString()).isEqualTo(202);
        assertThat(drain.bodyAsJsonObject().getLong("replicasLeft")).isZero();
        nodes.get(3).startNode();
        awaitCluster(nodes.get(0), c -> shardDirs(nodes.get(3)).isEmpty());
    }

    /** The shard log directories in a node's data directory, of every stream. */
    private static List<Path> shardDirs(RunningNode n) {
        Path streams = n.dataDir.resolve("streams");
        if (!Files.isDirectory(streams)) {
            return List.of();
        }
        try (var dirs = Files.walk(streams, 3)) {
            return dirs.filter(p -> p.getNameCount() == streams.getNameCount() + 3 && p.getParent().getFileName().toString().equals("shards")).toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            // A directory went while it was walked: not done yet.
            return List.of(streams);
        }
    }

    @Test
    @Order(3)
    void aJoiningNodeTakesReplicasAndLeadershipsOneMoveAtATime() throws IOException {
        start(4, joinPort, "zone-c");
        String joined = ids.get(4);
        // 24 replicas on 4 nodes: 6 each once balanced (within one).
        awaitReplicas(nodes.get(1), "moved", all -> all.stream().anyMatch(set -> set.contains(joined)));
        // Moves start one after the other, a bounded few at a time.
        assertThat(nodes.get(4).get("/v1/cluster").bodyAsJsonObject().getJsonArray("moves").size()).isLessThanOrEqualTo(2);
        JsonObject done = awaitCluster(nodes.get(1), c -> c.getJsonArray("moves").isEmpty()
                && c.getJsonObject("replicas").getJsonObject("moved").stream().filter(e -> nodesOf((JsonObject) e.getValue()).contains(joined)).count() >= 5);
        done.getJsonObject("replicas").getJsonObject("moved").forEach(e -> assertThat(nodesOf((JsonObject) e.getValue())).hasSize(3));
        // Leaderships follow once no replica moves are left.
        awaitCluster(nodes.get(1), c -> c.getJsonObject("placement").getJsonObject("moved").getMap().containsValue(joined));
        assertThat(readAll(nodes.get(4))).containsExactlyInAnyOrderElementsOf(written);
        putAndReadBack(nodes.get(4), 100, nodes.get(0));
    }

    @Test
    @Order(4)
    void decommissioningMovesEveryReplicaAndLeadershipOffTheNodeWhilePutsGoOn() {
        String leaving = ids.get(1);
        var unknown = nodes.get(0).postJson("/v1/cluster/nodes/no-such-node/decommission", new JsonObject());
        assertThat(unknown.statusCode()).as(unknown.bodyAsString()).isEqualTo(404);

        JsonObject setsBefore = nodes.get(0).get("/v1/cluster").bodyAsJsonObject().getJsonObject("replicas").getJsonObject("moved");
        Map<String, String> hashKeys = new TreeMap<>();
        nodes.get(0).get("/v1/streams/moved").bodyAsJsonObject().getJsonArray("shards").forEach(o -> hashKeys.put(
                ((JsonObject) o).getString("shardId"), ((JsonObject) o).getJsonObject("hashKeyRange").getString("startingHashKey")));
        Map<String, Integer> failedPuts = new TreeMap<>();
        var started = nodes.get(2).postJson("/v1/cluster/nodes/" + leaving + "/decommission", new JsonObject());
        assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
        assertThat(started.bodyAsJsonObject().getLong("replicasLeft")).isPositive();
        assertThat(started.bodyAsJsonObject().containsKey("leadershipsLeft")).isTrue();
        // Puts go on while the replicas move, to every shard, and asking again tells the progress, until nothing is left.
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        JsonObject progress;
        int round = 0;
        do {
            putToEachShard(nodes.get(round++ % 2 == 0 ? 0 : 4), hashKeys, failedPuts);
            progress = nodes.get(4).postJson("/v1/cluster/nodes/" + leaving + "/decommission", new JsonObject()).bodyAsJsonObject();
        } while ((progress.getLong("replicasLeft") > 0 || progress.getLong("leadershipsLeft") > 0) && System.nanoTime() < deadline);
        assertThat(progress.getLong("replicasLeft")).as("%s", progress).isZero();
        assertThat(progress.getLong("leadershipsLeft")).isZero();
        JsonObject sets = awaitReplicas(nodes.get(0), "moved", all -> all.stream().noneMatch(set -> set.contains(leaving)));
        // Only a change of leader raises a shard's epoch: a shard whose epoch stayed moved its replica on the
        // leaving node (learner added, made a replica, the old one removed) under its running leader, and
        // none of its puts failed, not even with the retryable 503 that a leader hand-off gives.
        List<String> movedInPlace = hashKeys.keySet().stream().filter(id -> nodesOf(setsBefore.getJsonObject(id)).contains(leaving)
                && setsBefore.getJsonObject(id).getLong("leaderEpoch").equals(sets.getJsonObject(id).getLong("leaderEpoch"))).toList();
        assertThat(movedInPlace).as("premise: a follower on the leaving node moved without a new leader: %s, %s", setsBefore, sets)
                .isNotEmpty();
        movedInPlace.forEach(id -> assertThat(failedPuts.getOrDefault(id, 0)).as("failed puts to %s, moved in place", id).isZero());
        sets.forEach(e -> assertThat(nodesOf((JsonObject) e.getValue())).hasSize(3));
        JsonObject cluster = nodes.get(0).get("/v1/cluster").bodyAsJsonObject();
        assertThat(cluster.getJsonArray("decommissioning")).containsExactlyInAnyOrder(ids.get(3), leaving);
        assertThat(cluster.getJsonObject("placement").getJsonObject("moved").getMap()).doesNotContainValue(leaving);
        assertThat(readAll(nodes.get(2))).containsExactlyInAnyOrderElementsOf(written);
        // Its replicas' logs went with them.
        awaitCluster(nodes.get(0), c -> shardDirs(nodes.get(1)).isEmpty());

        // Three nodes are left for streams of factor 3: none more can go.
        var tooMany = nodes.get(0).postJson("/v1/cluster/nodes/" + ids.get(2) + "/decommission", new JsonObject());
        assertThat(tooMany.statusCode()).as(tooMany.bodyAsString()).isEqualTo(400);
        assertThat(tooMany.bodyAsString()).contains("3 replicas per shard");
    }

    @Test
    @Order(5)
    void aDecommissionedNodeTakenBackGetsReplicasAgain() {
        String back = ids.get(1);
        assertThat(nodes.get(0).delete("/v1/cluster/nodes/no-such-node/decommission").statusCode()).isEqualTo(404);
        assertThat(shardDirs(nodes.get(1))).as("premise: the decommissioned node holds nothing").isEmpty();

        var readmitted = nodes.get(2).delete("/v1/cluster/nodes/" + back + "/decommission");
        assertThat(readmitted.statusCode()).as(readmitted.bodyAsString()).isEqualTo(200);
        assertThat(readmitted.bodyAsJsonObject().getString("status")).isEqualTo("ACTIVE");
        awaitCluster(nodes.get(0), c -> c.getJsonArray("decommissioning").equals(new JsonArray().add(ids.get(3))));
        // Rebalancing moves replicas of "moved" onto it again (the node stopped in test 2 stays decommissioned).
        awaitReplicas(nodes.get(4), "moved", all -> all.stream().filter(set -> set.contains(back)).count() >= 2);
        assertThat(shardDirs(nodes.get(1))).isNotEmpty();
        putAndReadBack(nodes.get(1), 50, nodes.get(0));
        // Asking again changes nothing.
        assertThat(nodes.get(2).delete("/v1/cluster/nodes/" + back + "/decommission").statusCode()).isEqualTo(200);
    }

    private static void create(RunningNode n, String name, int shards, int factor) {
        var r = n.postJson("/v1/streams", new JsonObject().put("name", name).put("shardCount", shards).put("replicationFactor", factor));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
        assertThat(r.bodyAsJsonObject().getInteger("replicationFactor")).isEqualTo(factor);
    }

    /** Puts {@code count} records through one node and reads every record written so far through another. */
    private static void putAndReadBack(RunningNode putVia, int count, RunningNode readVia) {
        put(putVia, count);
        assertThat(readAll(readVia)).containsExactlyInAnyOrderElementsOf(written);
    }

    /** Puts {@code count} new records to "moved", retrying the retryable answers of a shard changing hands. */
    private static void put(RunningNode n, int count) {
        put(n, "moved", written, count);
    }

    /** Puts {@code count} new records to {@code stream}, adding their texts to {@code acknowledged}. */
    private static void put(RunningNode n, String stream, List<String> acknowledged, int count) {
        JsonArray records = new JsonArray();
        List<String> texts = IntStream.range(acknowledged.size(), acknowledged.size() + count).mapToObj(i -> stream + "-" + i).toList();
        texts.forEach(t -> records.add(new JsonObject().put("partitionKey", t).put("text", t)));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            var r = n.postJson("/v1/streams/" + stream + "/records", new JsonObject().put("records", records));
            if (r.statusCode() == 200 && r.bodyAsJsonObject().getInteger("failedRecordCount") == 0) {
                break;
            }
            assertThat(r.statusCode()).as(r.bodyAsString()).isIn(200, 503);
            assertThat(System.nanoTime()).as("puts kept failing: %s", r.bodyAsString()).isLessThan(deadline);
            // A partly failed batch is put again whole: the read-back below counts distinct texts.
            sleep(200);
        }
        acknowledged.addAll(texts);
    }

    /**
     * Puts one new record to each shard of "moved" (by its starting hash key), retrying what fails (a shard
     * changing hands), and counts each shard's failed attempts in {@code failed}.
     */
    private static void putToEachShard(RunningNode n, Map<String, String> hashKeys, Map<String, Integer> failed) {
        hashKeys.forEach((shardId, hashKey) -> {
            String text = "moved-" + written.size();
            JsonArray records = new JsonArray().add(new JsonObject().put("partitionKey", text).put("explicitHashKey", hashKey).put("text", text));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (true) {
                var r = n.postJson("/v1/streams/moved/records", new JsonObject().put("records", records));
                if (r.statusCode() == 200 && r.bodyAsJsonObject().getInteger("failedRecordCount") == 0) {
                    assertThat(r.bodyAsJsonObject().getJsonArray("records").getJsonObject(0).getString("shardId")).isEqualTo(shardId);
                    break;
                }
                assertThat(r.statusCode()).as(r.bodyAsString()).isIn(200, 503);
                assertThat(System.nanoTime()).as("puts kept failing: %s", r.bodyAsString()).isLessThan(deadline);
                failed.merge(shardId, 1, Integer::sum);
                sleep(100);
            }
            written.add(text);
        });
    }

    /** The distinct texts of every record of "moved", read through {@code n}, retrying shards that answer 503. */
    private static Set<String> readAll(RunningNode n) {
        return readAll(n, "moved");
    }

    private static Set<String> readAll(RunningNode n, String stream) {
        Set<String> read = new TreeSet<>();
        JsonArray shards = n.get("/v1/streams/" + stream).bodyAsJsonObject().getJsonArray("shards");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (Object s : shards) {
            String shardId = ((JsonObject) s).getString("shardId");
            while (true) {
                var r = n.get("/v1/streams/" + stream + "/shards/" + shardId + "/records?from=TRIM_HORIZON&limit=10000");
                if (r.statusCode() == 200) {
                    r.bodyAsJsonObject().getJsonArray("records").forEach(rec -> read.add(
                            new String(Base64.getDecoder().decode(((JsonObject) rec).getString("data")), StandardCharsets.UTF_8)));
                    break;
                }
                assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(503);
                assertThat(System.nanoTime()).as("shard %s kept answering 503", shardId).isLessThan(deadline);
                sleep(200);
            }
        }
        return read;
    }

    /** The stream's replica sets once {@code done} holds for them (every move takes seconds; the patience is generous). */
    private static JsonObject awaitReplicas(RunningNode n, String stream, Predicate<List<List<String>>> done) {
        JsonObject cluster = awaitCluster(n, c -> {
            JsonObject sets = c.getJsonObject("replicas").getJsonObject(stream);
            return done.test(sets.stream().map(e -> nodesOf((JsonObject) e.getValue())).toList());
        });
        return cluster.getJsonObject("replicas").getJsonObject(stream);
    }

    private static JsonObject awaitCluster(RunningNode n, Predicate<JsonObject> done) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        JsonObject cluster;
        do {
            cluster = n.get("/v1/cluster").bodyAsJsonObject();
            if (done.test(cluster)) {
                return cluster;
            }
            sleep(250);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("the cluster never got there: " + cluster.encodePrettily());
    }

    private static List<String> nodesOf(JsonObject set) {
        return set.getJsonArray("nodes").stream().map(String::valueOf).toList();
    }

    private static void awaitCatalog(RunningNode n) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int status;
        do {
            status = n.get("/v1/streams").statusCode();
            sleep(100);
        } while (status != 200 && System.nanoTime() < deadline);
        assertThat(status).isEqualTo(200);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
