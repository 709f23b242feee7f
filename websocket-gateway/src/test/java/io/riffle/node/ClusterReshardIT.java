package io.riffle.node;

import static io.riffle.node.RunningNode.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resharding in a cluster of three nodes in this JVM (as {@link ClusterIT}), shared by the methods, which
 * run in order: splits and merges while one key is put and read, placement of the children, uniform
 * scaling, ON_DEMAND scaling, a parent whose leader's node stops after the split, one whose leader's
 * node stops during it, (a day later on the engines' clock) expired parents leaving every node, and the
 * catalog leader's node stopping right after it took a split.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterReshardIT {
    @TempDir
    static Path dir;

    /** Every engine's clock: real time, moved a day on by the last test to expire the closed parents. */
    private static final AheadClock CLOCK = new AheadClock();
    private static final List<RunningNode> nodes = new ArrayList<>();
    private static final List<String> ids = new ArrayList<>();

    @BeforeAll
    static void startThreeNodes() throws IOException {
        // ON_DEMAND judged over half-second windows, a second apart (the defaults are 5 s and 30 s).
        ClusterIT.startThreeNodes(dir, "cluster-reshard-it", CLOCK, nodes, ids, "--on-demand-window-millis", "500",
                "--on-demand-cool-down-millis", "1000", "--on-demand-scale-up-percent", "95");
        awaitTrue("a catalog leader", () -> nodes.get(0).get("/v1/streams").statusCode() == 200);
    }

    /**
     * As the README says, a restarted node takes its place in the CP group again before the next fault: else
     * the CP group may have no majority once another node stops (CI saw that).
     */
    private static void awaitThreeCpMembers() {
        awaitTrue("three CP members", () -> nodes.get(0).get("/v1/cluster").bodyAsJsonObject().getJsonArray("members").stream()
                .filter(m -> ((JsonObject) m).getBoolean("cpMember", false)).count() == 3);
    }

    @AfterAll
    static void stopNodes() {
        nodes.forEach(RunningNode::close);
    }

    @Test
    @Order(1)
    void oneKeyPutAcrossASplitAndAMergeIsReadOnAnotherNodeCompleteAndInOrder() throws Exception {
        int total = 300;
        nodes.get(0).createStream("lineage", 1);
        assertThat(nodes.get(1).postJson("/v1/streams/lineage/consumers", new JsonObject().put("name", "app")).statusCode()).isEqualTo(201);
        List<String> got = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch all = new CountDownLatch(total);
        var socket = await(nodes.get(2).ws.connect(new io.vertx.core.http.WebSocketConnectOptions().setHost("127.0.0.1")
                .setPort(nodes.get(2).port()).setURI("/v1/streams/lineage/subscribe?consumer=app&from=TRIM_HORIZON")));
        socket.textMessageHandler(text -> {
            JsonObject frame = new JsonObject(text);
            if ("records".equals(frame.getString("type"))) {
                frame.getJsonArray("records").forEach(r -> {
                    got.add(new String(Base64.getDecoder().decode(((JsonObject) r).getString("data")), StandardCharsets.UTF_8));
                    all.countDown();
                });
            }
        });
        // One producer on node 0 puts one key's records one after the other while node 1 splits and merges.
        AtomicInteger acknowledged = new AtomicInteger();
        AtomicReference<String> failure = new AtomicReference<>();
        Thread producer = new Thread(() -> {
            for (int i = 0; i < total && failure.get() == null; i++) {
                JsonObject record = new JsonObject().put("partitionKey", "one-key").put("text", "m" + i);
                HttpResponse<Buffer> r = nodes.get(0).postJson("/v1/streams/lineage/records",
                        new JsonObject().put("records", new JsonArray().add(record)));
                if (r.statusCode() != 200 || r.bodyAsJsonObject().getInteger("failedRecordCount") != 0) {
                    failure.set("put m" + i + ": " + r.statusCode() + " " + r.bodyAsString());
                }
                acknowledged.incrementAndGet();
            }
        });
        producer.start();
        awaitTrue("100 puts", () -> acknowledged.get() >= 100 || failure.get() != null);
        HttpResponse<Buffer> split = nodes.get(1).postJson("/v1/streams/lineage/shards/shardId-000000000000/split", new JsonObject());
        assertThat(split.statusCode()).as(split.bodyAsString()).isEqualTo(200);
        awaitTrue("200 puts", () -> acknowledged.get() >= 200 || failure.get() != null);
        HttpResponse<Buffer> merge = nodes.get(1).postJson("/v1/streams/lineage/shards/shardId-000000000001/merge",
                new JsonObject().put("adjacentShardId", "shardId-000000000002"));
        assertThat(merge.statusCode()).as(merge.bodyAsString()).isEqualTo(200);
        producer.join(TimeUnit.SECONDS.toMillis(60));
        assertThat(failure.get()).isNull();

        assertThat(all.await(30, TimeUnit.SECONDS)).as("received %s", got.size()).isTrue();
        Thread.sleep(200);
        await(socket.close());
        assertThat(got).containsExactlyElementsOf(IntStream.range(0, total).mapToObj(i -> "m" + i).toList());

        // Placement: the split's children lead on the two nodes other than the parent's; every shard has three
        // replicas at leader epoch 1, and so every node's disk holds the parent, both children and the merge.
        JsonObject replicas = nodes.get(0).get("/v1/cluster").bodyAsJsonObject().getJsonObject("replicas").getJsonObject("lineage");
        JsonObject placement = nodes.get(0).get("/v1/cluster").bodyAsJsonObject().getJsonObject("placement").getJsonObject("lineage");
        assertThat(placement.fieldNames()).containsExactlyInAnyOrder("shardId-000000000000", "shardId-000000000001",
                "shardId-000000000002", "shardId-000000000003");
        assertThat(List.of(placement.getString("shardId-000000000000"), placement.getString("shardId-000000000001"),
                placement.getString("shardId-000000000002"))).containsExactlyInAnyOrderElementsOf(ids);
        replicas.forEach(e -> {
            JsonObject set = (JsonObject) e.getValue();
            assertThat(set.getJsonArray("nodes").getList()).as(e.getKey()).containsExactlyInAnyOrderElementsOf(ids);
            assertThat(set.getLong("leaderEpoch")).as(e.getKey()).isEqualTo(1L);
        });
        for (int i = 0; i < 3; i++) {
            assertThat(shardDirs(i, "lineage")).as("shard logs on node %d", i).isEqualTo(4);
        }
        JsonObject d = nodes.get(2).get("/v1/streams/lineage").bodyAsJsonObject();
        assertThat(d.getString("status")).isEqualTo("ACTIVE");
        assertThat(open(d)).containsExactly("shardId-000000000003");
    }

    @Test
    @Order(2)
    void updateShardCountScalesAClusteredStreamAndKeepsEveryRecord() {
        nodes.get(1).createStream("uniform", 2);
        put(nodes.get(2), "uniform", "before", 60);
        HttpResponse<Buffer> scaled = await(nodes.get(0).web.request(HttpMethod.PUT, nodes.get(0).port(), "127.0.0.1",
                "/v1/streams/uniform/shard-count").sendJsonObject(new JsonObject().put("targetShardCount", 3)));
        assertThat(scaled.statusCode()).as(scaled.bodyAsString()).isEqualTo(200);
        put(nodes.get(1), "uniform", "after", 60);

        JsonObject d = nodes.get(2).get("/v1/streams/uniform").bodyAsJsonObject();
        assertThat(open(d)).hasSize(3);
        assertThat(readAll(nodes.get(0), d)).hasSize(120);
        int shards = d.getJsonArray("shards").size();
        for (int i = 0; i < 3; i++) {
            assertThat(shardDirs(i, "uniform")).as("shard logs on node %d", i).isEqualTo(shards);
        }
    }

    /**
     * An ON_DEMAND stream of 4 shards (led on all three nodes) at 100 records/s each, offered 160/s per shard:
     * the catalog leader hears every shard's write totals from its leader's node, splits them all, and at
     * 80/s per shard the writes are no longer throttled.
     */
    @Test
    @Order(3)
    void anOnDemandStreamInAClusterSplitsItsHotShardsOnEveryNodeAndStopsThrottling() throws Exception {
        HttpResponse<Buffer> created = nodes.get(0).postJson("/v1/streams", new JsonObject().put("name", "auto")
                .put("mode", "ON_DEMAND").put("limits", new JsonObject().put("writeRecordsPerSecond", 100)));
        assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
        JsonObject placement = nodes.get(0).get("/v1/cluster").bodyAsJsonObject().getJsonObject("placement").getJsonObject("auto");
        assertThat(placement.getMap().values()).as("leaders of the 4 shards").containsAll(ids);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int quietPuts = 0;
        // Bounded: until 10 puts in a row (a second) had nothing throttled once the stream has 8 shards or more.
        while (quietPuts < 10 && System.nanoTime() < deadline) {
            JsonObject put = nodes.get(1).postJson("/v1/streams/auto/records", evenBatch(2)).bodyAsJsonObject();
            boolean grown = open(nodes.get(2).get("/v1/streams/auto").bodyAsJsonObject()).size() >= 8;
            quietPuts = grown && put.getInteger("failedRecordCount") == 0 ? quietPuts + 1 : 0;
            Thread.sleep(100);
        }
        JsonObject d = nodes.get(2).get("/v1/streams/auto").bodyAsJsonObject();
        assertThat(open(d)).as("open shards").hasSizeGreaterThanOrEqualTo(8);
        assertThat(quietPuts).as("puts in a row without throttling").isEqualTo(10);
    }

    /** 2 records at the middle of each 1/32 of the key space: 16 per shard of 4 even ones. */
    private static JsonObject evenBatch(int perSlot) {
        JsonArray records = new JsonArray();
        java.math.BigInteger step = java.math.BigInteger.ONE.shiftLeft(123);
        for (int r = 0; r < perSlot; r++) {
            for (int j = 0; j < 32; j++) {
                records.add(new JsonObject().put("partitionKey", "k").put("text", "x")
                        .put("explicitHashKey", step.multiply(java.math.BigInteger.valueOf(j)).add(step.shiftRight(1)).toString()));
            }
        }
        return new JsonObject().put("records", records);
    }

    @Test
    @Order(4)
    void aClosedParentWhoseLeadersNodeStopsIsLedByAReplicaThatEndsItWithItsChildren() {
        nodes.get(0).createStream("handover", 1);
        put(nodes.get(0), "handover", "r", 50);
        assertThat(nodes.get(1).postJson("/v1/streams/handover/shards/shardId-000000000000/split", new JsonObject()).statusCode())
                .isEqualTo(200);
        String leader = nodes.get(0).get("/v1/cluster").bodyAsJsonObject().getJsonObject("placement").getJsonObject("handover")
                .getString("shardId-000000000000");
        int stopped = ids.indexOf(leader);
        nodes.get(stopped).stopNode();
        RunningNode other = nodes.get((stopped + 1) % 3);

        // A new leader serves the closed parent: all 50 records, then its end with both children.
        awaitTrue("the parent's records on a new leader", () -> {
            HttpResponse<Buffer> r = other.get("/v1/streams/handover/shards/shardId-000000000000/records?limit=1000");
            return r.statusCode() == 200 && r.bodyAsJsonObject().getJsonArray("records").size() == 50;
        });
        JsonObject it = ClusterIT.kinesis(other, "GetShardIterator", new JsonObject().put("StreamName", "handover")
                .put("ShardId", "shardId-000000000000").put("ShardIteratorType", "TRIM_HORIZON"));
        JsonObject end = ClusterIT.kinesis(other, "GetRecords", new JsonObject().put("ShardIterator", it.getString("ShardIterator")));
        assertThat(end.getJsonArray("Records")).hasSize(50);
        assertThat(end.containsKey("NextShardIterator")).isFalse();
        assertThat(end.getJsonArray("ChildShards").stream().map(c -> ((JsonObject) c).getString("ShardId")))
                .containsExactlyInAnyOrder("shardId-000000000001", "shardId-000000000002");
        JsonObject replicas = other.get("/v1/cluster").bodyAsJsonObject().getJsonObject("replicas").getJsonObject("handover");
        assertThat(replicas.getJsonObject("shardId-000000000000").getLong("leaderEpoch")).isEqualTo(2L);
        // The children take the writes; the parent takes none.
        awaitTrue("puts after the parent's leader stopped", () -> {
            JsonObject put = other.postJson("/v1/streams/handover/records", records("after", 20)).bodyAsJsonObject();
            return put.getInteger("failedRecordCount", -1) == 0;
        });
        JsonObject d = other.get("/v1/streams/handover").bodyAsJsonObject();
        assertThat(readAll(other, d)).hasSizeGreaterThanOrEqualTo(70);
        assertThat(readAll(other, d).stream().filter(r -> r.startsWith("r"))).hasSize(50);
    }

    /**
     * The node leading a parent stops right after its split was asked for, so the stop meets the reshard at
     * some step (the seal, the commit, the close, or not yet begun). Whatever the outcome, the stream ends up
     * ACTIVE and whole: the parent either still takes writes or is closed with its children, every record
     * put before is read exactly once, puts work, and a split that answered 200 stands.
     */
    @Test
    @Order(5)
    void aParentsLeaderStoppedWhileItsSplitRunsLeavesOneConsistentStream() {
        // The node test 4 stopped is back first: the cluster needs two of three to go on after this stop.
        nodes.stream().filter(n -> n.node == null).forEach(RunningNode::startNode);
        awaitTrue("a catalog leader", () -> nodes.get(0).get("/v1/streams").statusCode() == 200);
        awaitThreeCpMembers();
        nodes.get(0).createStream("during", 1);
        put(nodes.get(0), "during", "r", 50);
        String leader = nodes.get(0).get("/v1/cluster").bodyAsJsonObject().getJsonObject("placement").getJsonObject("during")
                .getString("shardId-000000000000");
        int stopped = ids.indexOf(leader);
        RunningNode other = nodes.get((stopped + 1) % 3);
        var split = other.web.post(other.port(), "127.0.0.1", "/v1/streams/during/shards/shardId-000000000000/split").timeout(60_000)
                .sendJsonObject(new JsonObject());
        nodes.get(stopped).stopNode();
        int answer = split.toCompletionStage().toCompletableFuture().handle((r, err) -> err == null ? r.statusCode() : -1).join();

        awaitTrue("puts after the stop", () -> {
            HttpResponse<Buffer> put = other.postJson("/v1/streams/during/records", records("after", 20));
            return put.statusCode() == 200 && put.bodyAsJsonObject().getInteger("failedRecordCount") == 0;
        });
        awaitTrue("the stream ACTIVE", () -> "ACTIVE".equals(other.get("/v1/streams/during").bodyAsJsonObject().getString("status")));
        JsonObject d = other.get("/v1/streams/during").bodyAsJsonObject();
        JsonObject parent = d.getJsonArray("shards").getJsonObject(0);
        boolean closed = !"OPEN".equals(parent.getString("state"));
        System.out.printf("ClusterReshardIT: split answered %d, parent %s%n", answer, closed ? "closed" : "open");
        if (answer == 200) {
            assertThat(closed).as("a split that answered 200 stands").isTrue();
        }
        assertThat(open(d)).hasSize(closed ? 2 : 1);
        List<String> read = readAll(other, d);
        assertThat(read.stream().filter(r -> r.startsWith("r")).toList())
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 50).mapToObj(i -> "r" + i).toList());
        if (closed) {
            JsonObject it = ClusterIT.kinesis(other, "GetShardIterator", new JsonObject().put("StreamName", "during")
                    .put("ShardId", "shardId-000000000000").put("ShardIteratorType", "TRIM_HORIZON"));
            JsonObject end = ClusterIT.kinesis(other, "GetRecords", new JsonObject().put("ShardIterator", it.getString("ShardIterator")));
            assertThat(end.getJsonArray("Records")).as("the closed parent holds what was put before the split").hasSize(50);
            assertThat(end.getJsonArray("ChildShards")).hasSize(2);
        }
    }

    /**
     * A day later (the clocks of all engines move on), every closed parent is past the 24 h retention period:
     * it leaves its stream, its replica sets leave the catalog, its replicas stop and remove their logs, on
     * the two live nodes at once and on the third (stopped by test 5) when it is back. Children stay.
     */
    @Test
    @Order(6)
    void closedParentsPastTheRetentionPeriodLeaveTheCatalogAndEveryNodesDisk() {
        RunningNode live = nodes.stream().filter(n -> n.node != null).findFirst().orElseThrow();
        int down = IntStream.range(0, 3).filter(i -> nodes.get(i).node == null).findFirst().orElseThrow();
        assertThat(live.get("/v1/streams/lineage").bodyAsJsonObject().getJsonArray("shards")).hasSize(4);
        CLOCK.ahead(24 * 3_600_000L + 1);
        // Parents 0, 1 and 2 closed; 3 (the merge, the highest index) is open.
        awaitTrue("the expired parents gone", () -> {
            HttpResponse<Buffer> r = live.get("/v1/streams/lineage");
            return r.statusCode() == 200 && r.bodyAsJsonObject().getJsonArray("shards").size() == 1;
        });
        JsonObject placement = live.get("/v1/cluster").bodyAsJsonObject().getJsonObject("placement").getJsonObject("lineage");
        assertThat(placement.fieldNames()).containsExactly("shardId-000000000003");
        for (int i = 0; i < 3; i++) {
            int node = i;
            if (node != down) {
                awaitTrue("node " + node + " removed the parents' logs", () -> shardDirs(node, "lineage") == 1);
            }
        }
        assertThat(shardDirs(down, "lineage")).as("logs on the node that was down").isEqualTo(4);
        nodes.get(down).startNode();
        awaitTrue("the node back removed the parents' logs", () -> shardDirs(down, "lineage") == 1);
        put(live, "lineage", "later", 5);
    }

    /**
     * The node running the control plane (the catalog leader) stops right after it took a SplitShard (sent
     * through another node, answered at once, UPDATING): the split finishes before the node stops, the next
     * leader has it, and every replica's disk holds exactly the stream's shards.
     */
    @Test
    @Order(7)
    void theCatalogLeadersNodeStoppingFinishesASplitItTookFirst() {
        awaitTrue("a catalog leader", () -> nodes.stream().anyMatch(n -> n.node != null && n.node.engine().runsControlPlane()));
        // Test 6 restarted a node.
        awaitThreeCpMembers();
        int leading = IntStream.range(0, 3).filter(i -> nodes.get(i).node.engine().runsControlPlane()).findFirst().orElseThrow();
        RunningNode other = nodes.get((leading + 1) % 3);
        other.createStream("leaderstop", 1);
        put(other, "leaderstop", "r", 30);
        var split = other.web.post(other.port(), "127.0.0.1", "/").timeout(60_000)
                .putHeader("X-Amz-Target", "Kinesis_20131202.SplitShard").putHeader("Content-Type", "application/x-amz-json-1.1")
                .sendBuffer(Buffer.buffer(new JsonObject().put("StreamName", "leaderstop").put("ShardToSplit", "shardId-000000000000")
                        .put("NewStartingHashKey", "170141183460469231731687303715884105728").encode()));
        // SplitShard answers as soon as the reshard's steps start: the stop comes while they run.
        assertThat(await(split).statusCode()).isEqualTo(200);
        nodes.get(leading).stopNode();

        awaitTrue("puts after the leader's stop", () -> {
            HttpResponse<Buffer> put = other.postJson("/v1/streams/leaderstop/records", records("after", 10));
            return put.statusCode() == 200 && put.bodyAsJsonObject().getInteger("failedRecordCount") == 0;
        });
        awaitTrue("the stream ACTIVE", () -> "ACTIVE".equals(other.get("/v1/streams/leaderstop").bodyAsJsonObject().getString("status")));
        JsonObject d = other.get("/v1/streams/leaderstop").bodyAsJsonObject();
        boolean closed = !"OPEN".equals(d.getJsonArray("shards").getJsonObject(0).getString("state"));
        assertThat(closed).as("the split the stopping leader took stands").isTrue();
        assertThat(d.getJsonArray("shards")).hasSize(3);
        assertThat(readAll(other, d).stream().filter(r -> r.startsWith("r")).toList())
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 30).mapToObj(i -> "r" + i).toList());
        for (int i = 0; i < 3; i++) {
            int node = i;
            if (node != leading) {
                awaitTrue("node " + node + " holds the stream's shards", () -> shardDirs(node, "leaderstop") == d.getJsonArray("shards").size());
            }
        }
    }

    /** The system clock, ahead by what the test says. */
    private static final class AheadClock extends java.time.Clock {
        private final java.util.concurrent.atomic.AtomicLong aheadMillis = new java.util.concurrent.atomic.AtomicLong();

        void ahead(long millis) {
            aheadMillis.addAndGet(millis);
        }

        @Override
        public long millis() {
            return System.currentTimeMillis() + aheadMillis.get();
        }

        @Override
        public java.time.Instant instant() {
            return java.time.Instant.ofEpochMilli(millis());
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private static List<String> open(JsonObject description) {
        return description.getJsonArray("shards").stream().map(s -> (JsonObject) s)
                .filter(s -> "OPEN".equals(s.getString("state"))).map(s -> s.getString("shardId")).toList();
    }

    private static JsonObject records(String prefix, int count) {
        JsonArray records = new JsonArray();
        IntStream.range(0, count).forEach(i -> records.add(new JsonObject().put("partitionKey", "k" + i).put("text", prefix + i)));
        return new JsonObject().put("records", records);
    }

    private static void put(RunningNode n, String stream, String prefix, int count) {
        JsonObject put = n.postJson("/v1/streams/" + stream + "/records", records(prefix, count)).bodyAsJsonObject();
        assertThat(put.getInteger("failedRecordCount")).as(put.encode()).isZero();
    }

    /** The text of every record of every shard of the description, read on {@code n}. */
    private static List<String> readAll(RunningNode n, JsonObject description) {
        List<String> read = new ArrayList<>();
        for (Object s : description.getJsonArray("shards")) {
            String shardId = ((JsonObject) s).getString("shardId");
            HttpResponse<Buffer> r = n.get("/v1/streams/" + description.getString("name") + "/shards/" + shardId
                    + "/records?from=TRIM_HORIZON&limit=10000");
            assertThat(r.statusCode()).as("%s: %s", shardId, r.bodyAsString()).isEqualTo(200);
            r.bodyAsJsonObject().getJsonArray("records").forEach(x -> read.add(
                    new String(Base64.getDecoder().decode(((JsonObject) x).getString("data")), StandardCharsets.UTF_8)));
        }
        return read;
    }

    /** Shard log directories of the stream on node {@code i}: its directory is the one whose catalog record names it. */
    private static long shardDirs(int i, String stream) {
        String id = streamId(stream);
        try (var shards = Files.list(dir.resolve("node" + i).resolve("streams").resolve(id).resolve("shards"))) {
            return shards.count();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The stream's engine id, from node 0's stored catalog. */
    private static String streamId(String stream) {
        try {
            JsonObject catalog = new JsonObject(Files.readString(dir.resolve("node0").resolve("cluster").resolve("catalog.json")));
            JsonObject streams = catalog.getJsonObject("snapshot").getJsonObject("streams");
            return streams.fieldNames().stream()
                    .filter(k -> stream.equals(streams.getJsonObject(k).getJsonObject("description").getString("name")))
                    .findFirst().orElseThrow();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void awaitTrue(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out waiting for " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
