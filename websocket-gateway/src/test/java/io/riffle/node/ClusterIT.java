package io.riffle.node;

import static io.riffle.node.RunningNode.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.bus.BinaryCodec;
import io.riffle.model.Record;
import io.riffle.model.ShardId;
import io.riffle.model.StreamName;
import io.riffle.shard.AppendReply;
import io.riffle.shard.AppendRequest;
import io.riffle.shard.Codecs;
import io.riffle.shard.ReadRequest;
import io.riffle.stream.ReadBatch;
import io.riffle.stream.ShardRecords;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
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
 * Three clustered nodes in this JVM (each its own Vert.x and Hazelcast member on 127.0.0.1), shared by the
 * methods, which run in order: the last one stops a node.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    @TempDir
    static Path dir;

    private static final List<RunningNode> nodes = new ArrayList<>();
    private static final List<String> ids = new ArrayList<>();

    @BeforeAll
    static void startThreeNodes() throws IOException {
        startThreeNodes(dir, "cluster-it", nodes, ids);
    }

    /** Starts three clustered nodes in {@code dir}/node0..2 with {@code extra} flags, adding them and their node ids to the lists. */
    static void startThreeNodes(Path dir, String clusterName, List<RunningNode> nodes, List<String> ids, String... extra)
            throws IOException {
        startThreeNodes(dir, clusterName, java.time.Clock.systemUTC(), nodes, ids, extra);
    }

    /** As above, every engine on {@code clock}. */
    static void startThreeNodes(Path dir, String clusterName, java.time.Clock clock, List<RunningNode> nodes, List<String> ids,
                                String... extra) throws IOException {
        int[] ports = freePorts(3);
        String members = Arrays.stream(ports).mapToObj(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
        for (int i = 0; i < 3; i++) {
            List<String> flags = new ArrayList<>(List.of("--cluster", "true", "--cluster-name", clusterName,
                    "--cluster-port", String.valueOf(ports[i]), "--cluster-members", members,
                    "--event-bus-host", "127.0.0.1"));
            flags.addAll(List.of(extra));
            nodes.add(RunningNode.startOnClock(dir.resolve("node" + i), clock, flags.toArray(String[]::new)));
            ids.add(new JsonObject(Files.readString(dir.resolve("node" + i).resolve("node.json"))).getString("nodeId"));
        }
    }

    @AfterAll
    static void stopNodes() {
        nodes.forEach(RunningNode::close);
    }

    @Test
    @Order(1)
    void everyNodeListsAllThreeMembersWithTheirNodeIdsAndHttpAddresses() {
        for (int i = 0; i < 3; i++) {
            JsonObject view = awaitView(nodes.get(i), 3);
            assertThat(view.getString("mode")).isEqualTo("clustered");
            assertThat(view.getString("clusterName")).isEqualTo("cluster-it");
            assertThat(view.getString("self")).isEqualTo(ids.get(i));
            assertThat(nodeIds(view)).containsExactlyInAnyOrderElementsOf(ids);
            for (Object m : view.getJsonArray("members")) {
                JsonObject member = (JsonObject) m;
                int n = ids.indexOf(member.getString("nodeId"));
                assertThat(member.getString("httpAddress")).isEqualTo("127.0.0.1:" + nodes.get(n).port());
                assertThat(member.getString("address")).startsWith("127.0.0.1:");
                assertThat(member.getString("status")).isEqualTo("UP");
            }
        }
    }

    @Test
    @Order(2)
    void aStreamCreatedOnOneNodeIsSpreadOverAllThreeAndServedTheSameByEach() {
        awaitCatalog(nodes.get(0));
        nodes.get(0).createStream("orders", 12);

        // Placement: 4 shard leaders on each node; three replicas of each shard, so every node's disk holds all 12.
        for (int i = 0; i < 3; i++) {
            assertThat(shardDirs(dir.resolve("node" + i))).as("shard replicas on node %d", i).isEqualTo(12);
            assertThat(nodes.get(i).get("/v1/streams").bodyAsJsonObject().getJsonArray("streams")).contains("orders");
        }
        JsonObject placement = nodes.get(2).get("/v1/cluster").bodyAsJsonObject().getJsonObject("placement").getJsonObject("orders");
        assertThat(placement.size()).isEqualTo(12);
        assertThat(placement.getMap().values().stream().collect(Collectors.groupingBy(o -> o, Collectors.counting())))
                .containsOnlyKeys(ids.toArray(Object[]::new)).allSatisfy((node, count) -> assertThat(count).isEqualTo(4L));
        JsonObject replicas = nodes.get(0).get("/v1/cluster").bodyAsJsonObject().getJsonObject("replicas").getJsonObject("orders");
        assertThat(replicas.size()).isEqualTo(12);
        replicas.forEach(e -> {
            JsonObject set = (JsonObject) e.getValue();
            assertThat(set.getJsonArray("nodes").getList()).as(e.getKey()).containsExactlyInAnyOrderElementsOf(ids)
                    .contains(placement.getString(e.getKey()));
            assertThat(set.getLong("leaderEpoch")).isEqualTo(1L);
        });
        // Put on node 1, read every shard on node 2: everything acknowledged is there, in order per shard.
        JsonArray records = new JsonArray();
        for (int i = 0; i < 120; i++) {
            records.add(new JsonObject().put("partitionKey", "key-" + i).put("text", "record-" + i));
        }
        JsonObject put = nodes.get(1).postJson("/v1/streams/orders/records", new JsonObject().put("records", records)).bodyAsJsonObject();
        assertThat(put.getInteger("failedRecordCount")).isZero();
        List<String> read = new ArrayList<>();
        JsonArray shards = nodes.get(2).get("/v1/streams/orders").bodyAsJsonObject().getJsonArray("shards");
        assertThat(shards).hasSize(12);
        for (Object s : shards) {
            String shardId = ((JsonObject) s).getString("shardId");
            JsonArray got = nodes.get(2).get("/v1/streams/orders/shards/" + shardId + "/records?from=TRIM_HORIZON&limit=1000")
                    .bodyAsJsonObject().getJsonArray("records");
            got.forEach(r -> read.add(new String(java.util.Base64.getDecoder().decode(((JsonObject) r).getString("data")), StandardCharsets.UTF_8)));
        }
        assertThat(read).hasSize(120).containsExactlyInAnyOrderElementsOf(
                IntStream.range(0, 120).mapToObj(i -> "record-" + i).toList());
    }

    @Test
    @Order(3)
    void twoNodesCreatingOneNameAtOnceGetOneWinnerAndOneResourceInUse() {
        var a = nodes.get(1).web.post(nodes.get(1).port(), "127.0.0.1", "/v1/streams")
                .sendJsonObject(new JsonObject().put("name", "contested").put("shardCount", 2));
        var b = nodes.get(2).web.post(nodes.get(2).port(), "127.0.0.1", "/v1/streams")
                .sendJsonObject(new JsonObject().put("name", "contested").put("shardCount", 3));
        List<Integer> statuses = List.of(await(a).statusCode(), await(b).statusCode());

        assertThat(statuses).containsExactlyInAnyOrder(201, 409);
        int shards = nodes.get(0).get("/v1/streams/contested").bodyAsJsonObject().getJsonArray("shards").size();
        assertThat(shards).isEqualTo(statuses.get(0) == 201 ? 2 : 3);
    }

    @Test
    @Order(4)
    void aShardIteratorIssuedByOneNodeReadsOnEveryOther() {
        JsonObject it = kinesis(nodes.get(0), "GetShardIterator", new JsonObject().put("StreamName", "orders")
                .put("ShardId", "shardId-000000000000").put("ShardIteratorType", "TRIM_HORIZON"));
        for (int i = 1; i < 3; i++) {
            JsonObject records = kinesis(nodes.get(i), "GetRecords", new JsonObject().put("ShardIterator", it.getString("ShardIterator")));
            assertThat(records.getJsonArray("Records")).as("records read on node %d", i).isNotEmpty();
            assertThat(records.getString("NextShardIterator")).isNotBlank();
        }
    }

    @Test
    @Order(4)
    void aWebSocketSubscriberOnOneNodeGetsEveryRecordPutOnAnotherOnceAndInOrder() throws Exception {
        nodes.get(0).createStream("pushed", 3);
        assertThat(nodes.get(1).postJson("/v1/streams/pushed/consumers", new JsonObject().put("name", "tail")).statusCode()).isEqualTo(201);
        List<String> got = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.CountDownLatch all = new java.util.concurrent.CountDownLatch(90);
        var socket = await(nodes.get(2).ws.connect(new io.vertx.core.http.WebSocketConnectOptions().setHost("127.0.0.1")
                .setPort(nodes.get(2).port()).setURI("/v1/streams/pushed/subscribe?consumer=tail&from=TRIM_HORIZON")));
        socket.textMessageHandler(text -> {
            JsonObject frame = new JsonObject(text);
            if ("records".equals(frame.getString("type"))) {
                frame.getJsonArray("records").forEach(r -> {
                    got.add(new String(java.util.Base64.getDecoder().decode(((JsonObject) r).getString("data")), StandardCharsets.UTF_8));
                    all.countDown();
                });
            }
        });
        // Three batches from node 0 while node 2 pushes: catch-up and live, no gap and no duplicate.
        for (int b = 0; b < 3; b++) {
            JsonArray records = new JsonArray();
            for (int i = 0; i < 30; i++) {
                records.add(new JsonObject().put("partitionKey", "same-key").put("text", "m" + (b * 30 + i)));
            }
            assertThat(nodes.get(0).postJson("/v1/streams/pushed/records", new JsonObject().put("records", records))
                    .bodyAsJsonObject().getInteger("failedRecordCount")).isZero();
        }
        assertThat(all.await(30, java.util.concurrent.TimeUnit.SECONDS)).as("received %s", got.size()).isTrue();
        Thread.sleep(200);
        await(socket.close());
        // One key: one shard, so the order of the puts.
        assertThat(got).containsExactlyElementsOf(IntStream.range(0, 90).mapToObj(i -> "m" + i).toList());
    }

    @Test
    @Order(4)
    void aConsumersNewerSubscriptionOnAnotherNodeTakesTheShardOver() throws Exception {
        nodes.get(0).createStream("taken", 1);
        assertThat(nodes.get(0).postJson("/v1/streams/taken/consumers", new JsonObject().put("name", "app")).statusCode()).isEqualTo(201);
        String uri = "/v1/streams/taken/subscribe?consumer=app&from=LATEST";
        var first = await(nodes.get(1).ws.connect(new io.vertx.core.http.WebSocketConnectOptions().setHost("127.0.0.1")
                .setPort(nodes.get(1).port()).setURI(uri)));
        java.util.concurrent.CompletableFuture<Short> closed = new java.util.concurrent.CompletableFuture<>();
        first.closeHandler(v -> closed.complete(first.closeStatusCode()));
        Thread.sleep(500); // the first subscription's takeover handler is registered cluster-wide
        var second = await(nodes.get(2).ws.connect(new io.vertx.core.http.WebSocketConnectOptions().setHost("127.0.0.1")
                .setPort(nodes.get(2).port()).setURI(uri)));

        assertThat(closed.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo((short) 4409);
        assertThat(second.isClosed()).isFalse();
        await(second.close());
    }

    @Test
    @Order(4)
    void theConsumerLimitOfAStreamCountsConsumersRegisteredThroughEveryNode() {
        nodes.get(0).createStream("many-consumers", 1);
        for (int i = 0; i < 20; i++) {
            assertThat(nodes.get(i % 3).postJson("/v1/streams/many-consumers/consumers", new JsonObject().put("name", "c" + i))
                    .statusCode()).isEqualTo(201);
        }
        var refused = nodes.get(1).postJson("/v1/streams/many-consumers/consumers", new JsonObject().put("name", "c20"));
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.bodyAsString()).contains("LimitExceeded");
    }

    @Test
    @Order(4)
    void aShardsWriteLimitHoldsForProducersSprayingEveryNode() {
        nodes.get(0).postJson("/v1/streams", new JsonObject().put("name", "limited").put("shardCount", 1)
                .put("limits", new JsonObject().put("writeRecordsPerSecond", 50)));
        int accepted = 0;
        long started = System.nanoTime();
        for (int round = 0; round < 5; round++) {
            for (RunningNode n : nodes) {
                JsonArray records = new JsonArray();
                for (int i = 0; i < 40; i++) {
                    records.add(new JsonObject().put("partitionKey", "k" + i).put("text", "x"));
                }
                JsonObject answer = n.postJson("/v1/streams/limited/records", new JsonObject().put("records", records)).bodyAsJsonObject();
                accepted += 40 - answer.getInteger("failedRecordCount");
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        // 600 records offered to three nodes; one bucket at the shard: at most its burst (a second's worth)
        // plus 50/s for the time the puts took, whichever node each went through.
        assertThat(accepted).isPositive().isLessThanOrEqualTo((int) (50 + 50 * seconds) + 1);
    }

    @Test
    @Order(4)
    void aMembersHealthIsLiveInEveryNodesClusterView() {
        // What a shard whose disk fills up tells its node (node-local: only that node's /health hears it).
        var failing = new io.riffle.stream.ShardWriteHealth(StreamName.of("orders"), new ShardId(1), true, "No space left on device");
        nodes.get(1).node.vertx().eventBus().publish(io.riffle.bus.Addresses.shardHealthChanged(), failing.toJson());
        JsonObject degraded = awaitMember(nodes.get(0), ids.get(1), "DEGRADED");
        assertThat(degraded.getString("reason")).contains("shardId-000000000001").contains("No space left on device");
        assertThat(nodes.get(1).get("/health").statusCode()).isEqualTo(503);

        var recovered = new io.riffle.stream.ShardWriteHealth(StreamName.of("orders"), new ShardId(1), false, "");
        nodes.get(1).node.vertx().eventBus().publish(io.riffle.bus.Addresses.shardHealthChanged(), recovered.toJson());
        assertThat(awaitMember(nodes.get(2), ids.get(1), "UP").containsKey("reason")).isFalse();
    }

    /** Node {@code id} as {@code n}'s cluster view shows it, once its status is {@code status} (or after 10 s). */
    private static JsonObject awaitMember(RunningNode n, String id, String status) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JsonObject member;
        do {
            member = n.get("/v1/cluster").bodyAsJsonObject().getJsonArray("members").stream().map(JsonObject.class::cast)
                    .filter(m -> id.equals(m.getString("nodeId"))).findFirst().orElseThrow();
            if (!status.equals(member.getString("status"))) {
                sleep();
            }
        } while (!status.equals(member.getString("status")) && System.nanoTime() < deadline);
        assertThat(member.getString("status")).as("%s", member).isEqualTo(status);
        return member;
    }

    static JsonObject kinesis(RunningNode n, String operation, JsonObject body) {
        var r = await(n.web.post(n.port(), "127.0.0.1", "/").putHeader("X-Amz-Target", "Kinesis_20131202." + operation)
                .putHeader("Content-Type", "application/x-amz-json-1.1").sendBuffer(io.vertx.core.buffer.Buffer.buffer(body.encode())));
        assertThat(r.statusCode()).as("%s: %s", operation, r.bodyAsString()).isEqualTo(200);
        return new JsonObject(r.bodyAsString());
    }

    @Test
    @Order(4)
    void everyShardCodecRoundTripsThroughTheClusteredEventBusBetweenTwoNodes() {
        List<Object> messages = List.of(
                new AppendRequest(List.of(new AppendRequest.Entry("key-é", bytes("one")), new AppendRequest.Entry("k", new byte[0]))),
                new AppendReply(new long[] {7, AppendReply.THROTTLED, 9}, 250),
                new ReadRequest(42, 100, 1 << 20, true),
                new ReadBatch(List.of(record(3, "a"), record(4, "bé")), 5, 1200, true),
                new ShardRecords(StreamName.of("codec-stream"), new ShardId(2), List.of(record(0, "x"))));
        assertThat(messages.stream().map(Object::getClass).collect(Collectors.toSet())).isEqualTo(codecTypes());
        // Only node 1 answers on this address, so node 0's requests and node 1's replies cross the wire.
        await(nodes.get(1).node.vertx().eventBus().consumer("test.codecs.echo", m -> m.reply(m.body())).completion());

        for (Object sent : messages) {
            Object echoed = await(nodes.get(0).node.vertx().eventBus().request("test.codecs.echo", sent)).body();
            assertThat(echoed).isNotSameAs(sent).usingRecursiveComparison().isEqualTo(sent);
        }
    }

    @Test
    @Order(5)
    void aStoppedNodesShardsFailOverToTheirReplicasAndItRejoinsAsAFollower() throws Exception {
        // A WebSocket subscriber on node 0 reads every shard, through the failover.
        assertThat(nodes.get(0).postJson("/v1/streams/orders/consumers", new JsonObject().put("name", "through")).statusCode()).isEqualTo(201);
        List<String> pushed = java.util.Collections.synchronizedList(new ArrayList<>());
        var socket = await(nodes.get(0).ws.connect(new io.vertx.core.http.WebSocketConnectOptions().setHost("127.0.0.1")
                .setPort(nodes.get(0).port()).setURI("/v1/streams/orders/subscribe?consumer=through&from=TRIM_HORIZON")));
        socket.textMessageHandler(text -> {
            JsonObject frame = new JsonObject(text);
            if ("records".equals(frame.getString("type"))) {
                frame.getJsonArray("records").forEach(r -> pushed.add(
                        new String(java.util.Base64.getDecoder().decode(((JsonObject) r).getString("data")), StandardCharsets.UTF_8)));
            }
        });
        awaitSize(pushed, 120);
        RunningNode stopped = nodes.get(2);
        String stoppedId = ids.get(2);
        // And the AWS SDK's SubscribeToShard on node 0, on a shard the stopped node leads, as another consumer (a
        // second subscription of one consumer to a shard takes it over, as on Kinesis).
        assertThat(nodes.get(0).postJson("/v1/streams/orders/consumers", new JsonObject().put("name", "through-sdk")).statusCode()).isEqualTo(201);
        String failingShard = nodes.get(0).get("/v1/cluster").bodyAsJsonObject().getJsonObject("placement").getJsonObject("orders")
                .getMap().entrySet().stream().filter(e -> stoppedId.equals(e.getValue())).map(java.util.Map.Entry::getKey)
                .sorted().findFirst().orElseThrow();
        var async = software.amazon.awssdk.services.kinesis.KinesisAsyncClient.builder()
                .endpointOverride(java.net.URI.create("http://127.0.0.1:" + nodes.get(0).port()))
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("AKIDRIFFLECLUSTER", "cluster-it-secret")))
                .build();
        String streamArn = async.describeStreamSummary(b -> b.streamName("orders")).get().streamDescriptionSummary().streamARN();
        String consumerArn = async.describeStreamConsumer(b -> b.streamARN(streamArn).consumerName("through-sdk")).get()
                .consumerDescription().consumerARN();
        var sdk = io.riffle.kinesis.SdkSubscription.open(async, consumerArn, failingShard,
                software.amazon.awssdk.services.kinesis.model.ShardIteratorType.TRIM_HORIZON);
        stopped.stopNode();

        for (RunningNode n : List.of(nodes.get(0), nodes.get(1))) {
            JsonObject view = awaitView(n, 2);
            assertThat(nodeIds(view)).containsExactlyInAnyOrder(ids.get(0), ids.get(1)).doesNotContain(stoppedId);
        }
        // The stopped node's 4 shards get new leaders among their replicas: every record stays readable and
        // every shard takes puts again; meanwhile a shard answers 200 or a retryable 503, never 404.
        assertThat(readAll(nodes.get(0), Duration.ofSeconds(15))).isEqualTo(120);
        JsonObject placement = nodes.get(1).get("/v1/cluster").bodyAsJsonObject().getJsonObject("placement").getJsonObject("orders");
        assertThat(placement.getMap().values()).doesNotContain(stoppedId).hasSize(12);
        // Every shard is under-replicated now: once the new leaders' followers caught up, 2 of 3 in sync.
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<String> inSync;
        do {
            sleep();
            inSync = nodes.get(0).get("/metrics").bodyAsString().lines()
                    .filter(l -> l.startsWith("riffle_shard_replicas_in_sync{") && l.contains("stream=\"orders\"")).toList();
        } while (!inSync.stream().allMatch(l -> l.endsWith(" 2.0")) && System.nanoTime() < deadline);
        assertThat(inSync).isNotEmpty().allSatisfy(l -> assertThat(l).endsWith(" 2.0"));
        JsonArray more = new JsonArray();
        for (int i = 0; i < 60; i++) {
            more.add(new JsonObject().put("partitionKey", "key-" + i).put("text", "after-" + i));
        }
        JsonObject put = nodes.get(0).postJson("/v1/streams/orders/records", new JsonObject().put("records", more)).bodyAsJsonObject();
        assertThat(put.getInteger("failedRecordCount")).isZero();
        // The subscription went on from where each shard's push stood: every record once, none twice.
        awaitSize(pushed, 180);
        Thread.sleep(200);
        await(socket.close());
        assertThat(pushed).hasSize(180).doesNotHaveDuplicates();
        // SubscribeToShard went on through its shard's failover too: the shard's every record, once, in order.
        List<String> shardRecords = nodes.get(0).get("/v1/streams/orders/shards/" + failingShard + "/records?from=TRIM_HORIZON&limit=1000")
                .bodyAsJsonObject().getJsonArray("records").stream()
                .map(r -> new String(java.util.Base64.getDecoder().decode(((JsonObject) r).getString("data")), StandardCharsets.UTF_8)).toList();
        assertThat(shardRecords).anyMatch(t -> t.startsWith("after-"));
        long sdkDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (sdk.received.size() < shardRecords.size() && System.nanoTime() < sdkDeadline) {
            sleep();
        }
        assertThat(sdk.errors).as("the SubscribeToShard call ended in error").isEmpty();
        assertThat(sdk.received.stream().map(r -> r.data().asUtf8String()).toList()).containsExactlyElementsOf(shardRecords);
        sdk.cancel();
        async.close();

        // Back, the node follows the new leaders (catching up on the 60 it missed); every node reads all 180.
        stopped.startNode();
        awaitView(nodes.get(0), 3);
        for (RunningNode n : nodes) {
            assertThat(readAll(n, Duration.ofSeconds(30))).isEqualTo(180);
        }
    }

    private static void awaitSize(List<String> list, int size) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (list.size() < size && System.nanoTime() < deadline) {
            sleep();
        }
        assertThat(list).as("records pushed").hasSize(size);
    }

    /** Records read from every shard of "orders" through {@code node}, retrying until all answer or the time is up. */
    private int readAll(RunningNode node, Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        int total;
        boolean all;
        do {
            total = 0;
            all = true;
            for (int i = 0; i < 12; i++) {
                var r = node.get("/v1/streams/orders/shards/shardId-" + String.format("%012d", i) + "/records?from=TRIM_HORIZON&limit=1000");
                assertThat(r.statusCode()).as("shard %d: %s", i, r.bodyAsString()).isIn(200, 503);
                if (r.statusCode() == 503) {
                    assertThat(r.getHeader("Retry-After")).isNotNull();
                    all = false;
                } else {
                    total += r.bodyAsJsonObject().getJsonArray("records").size();
                }
            }
            if (!all) {
                sleep();
            }
        } while (!all && System.nanoTime() < deadline);
        return total;
    }

    @Test
    void aStandaloneNodeIsTheOneMemberOfItsCluster(@TempDir Path standaloneDir) throws IOException {
        try (RunningNode n = RunningNode.start(standaloneDir)) {
            JsonObject view = n.get("/v1/cluster").bodyAsJsonObject();
            String id = new JsonObject(Files.readString(standaloneDir.resolve("node.json"))).getString("nodeId");

            assertThat(view.getString("mode")).isEqualTo("standalone");
            assertThat(view.getString("clusterName")).isEqualTo("riffle");
            assertThat(view.getString("self")).isEqualTo(id);
            assertThat(view.getJsonArray("members")).containsExactly(new JsonObject().put("nodeId", id)
                    .putNull("address").put("httpAddress", "127.0.0.1:" + n.port()).put("status", "UP"));
        }
    }

    /** The view once it has {@code size} members, all announced: membership changes take a moment to spread. */
    private static JsonObject awaitView(RunningNode n, int size) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonObject view;
        do {
            view = n.get("/v1/cluster").bodyAsJsonObject();
            List<String> ids = nodeIds(view);
            if (ids.size() == size && !ids.contains(null)) {
                return view;
            }
            sleep();
        } while (System.nanoTime() < deadline);
        return view;
    }

    /** Waits until the cluster has elected its catalog leader: the streams list answers instead of 503. */
    private static void awaitCatalog(RunningNode n) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int status;
        do {
            status = n.get("/v1/streams").statusCode();
            sleep();
        } while (status != 200 && System.nanoTime() < deadline);
        assertThat(status).isEqualTo(200);
    }

    private static long shardDirs(Path dataDir) {
        try (var streams = Files.list(dataDir.resolve("streams"))) {
            return streams.mapToLong(s -> {
                try (var shards = Files.list(s.resolve("shards"))) {
                    return shards.count();
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> nodeIds(JsonObject view) {
        JsonArray members = view.getJsonArray("members");
        return IntStream.range(0, members.size()).mapToObj(i -> members.getJsonObject(i).getString("nodeId")).toList();
    }

    private static Set<Class<?>> codecTypes() {
        return Arrays.stream(Codecs.class.getDeclaredClasses())
                .filter(BinaryCodec.class::isAssignableFrom)
                .map(c -> (Class<?>) ((ParameterizedType) c.getGenericSuperclass()).getActualTypeArguments()[0])
                .collect(Collectors.toSet());
    }

    private static Record record(long offset, String text) {
        return new Record(offset, 1_700_000_000_000L + offset, "pk-" + text, bytes(text));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static int[] freePorts(int n) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                sockets.add(new ServerSocket(0));
            }
            return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
