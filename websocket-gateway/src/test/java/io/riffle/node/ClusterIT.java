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
        int[] ports = freePorts(3);
        String members = Arrays.stream(ports).mapToObj(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
        for (int i = 0; i < 3; i++) {
            nodes.add(RunningNode.start(dir.resolve("node" + i), "--cluster", "true", "--cluster-name", "cluster-it",
                    "--cluster-port", String.valueOf(ports[i]), "--cluster-members", members,
                    "--event-bus-host", "127.0.0.1"));
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
    void eachNodeStillServesOnlyItsOwnStreamsWhileClusteringIsMembershipOnly() {
        nodes.get(0).createStream("only-on-node-0", 1);

        assertThat(nodes.get(0).get("/v1/streams").bodyAsJsonObject().encode()).contains("only-on-node-0");
        assertThat(nodes.get(1).get("/v1/streams").bodyAsJsonObject().encode()).doesNotContain("only-on-node-0");
        assertThat(nodes.get(2).get("/v1/streams/only-on-node-0").statusCode()).isEqualTo(404);
    }

    @Test
    @Order(3)
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
    @Order(4)
    void aStoppedNodeDropsOutOfTheOthersView() {
        RunningNode stopped = nodes.remove(2);
        String stoppedId = ids.get(2);
        stopped.close();

        for (RunningNode n : nodes) {
            JsonObject view = awaitView(n, 2);
            assertThat(nodeIds(view)).containsExactlyInAnyOrder(ids.get(0), ids.get(1)).doesNotContain(stoppedId);
        }
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

    private static int[] freePorts(int n) throws IOException {
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
