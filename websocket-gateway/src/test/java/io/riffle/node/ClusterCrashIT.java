package io.riffle.node;

import static io.riffle.node.RunningNode.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three clustered nodes as child JVMs (the node jar when built): a node killed with -9 loses no record and
 * stops no shard for long, since its shards fail over to their replicas on the others; it comes back as a
 * follower; then the whole cluster is killed and restarted, and the catalog and every record are still there.
 */
class ClusterCrashIT {
    private static final int SHARDS = 6;
    private static final int RECORDS = 60;

    @TempDir
    Path dir;
    private final Vertx vertx = Vertx.vertx();
    private final WebClient web = WebClient.create(vertx);
    private final Process[] children = new Process[3];
    private final int[] httpPorts = new int[3];
    private int[] clusterPorts;
    private int starts;

    @AfterEach
    void stop() {
        for (Process p : children) {
            if (p != null) {
                p.destroyForcibly();
            }
        }
        await(vertx.close());
    }

    @Test
    void aKilledNodesShardsFailOverAndAWholeClusterRestartKeepsEverything() throws Exception {
        clusterPorts = ClusterIT.freePorts(3);
        for (int i = 0; i < 3; i++) {
            start(i);
        }
        for (int i = 0; i < 3; i++) {
            httpPorts[i] = NodeLifecycleIT.awaitPort(children[i], log(i, starts - 3 + i));
        }
        awaitTrue("a catalog leader", () -> get(0, "/v1/streams").statusCode() == 200);
        HttpResponse<Buffer> created = post(0, "/v1/streams", new JsonObject().put("name", "crash").put("shardCount", SHARDS));
        assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
        JsonArray records = new JsonArray();
        IntStream.range(0, RECORDS).forEach(i -> records.add(new JsonObject().put("partitionKey", "k" + i).put("text", "r" + i)));
        JsonObject put = post(1, "/v1/streams/crash/records", new JsonObject().put("records", records)).bodyAsJsonObject();
        assertThat(put.getInteger("failedRecordCount")).isZero();

        long killed = System.nanoTime();
        children[2].destroyForcibly().waitFor(30, TimeUnit.SECONDS); // kill -9
        // Node 2's shards fail over to their replicas on nodes 0 and 1: every record stays readable, every
        // shard takes puts again (until then a shard answers 200 or a retryable 503, never 404).
        awaitTrue("every record readable after node 2's kill", () -> readAll(0).size() == RECORDS);
        JsonArray more = new JsonArray();
        IntStream.range(0, RECORDS).forEach(i -> more.add(new JsonObject().put("partitionKey", "k" + i).put("text", "after" + i)));
        awaitTrue("puts to every shard after node 2's kill", () -> putsAll(0, more));
        System.out.printf("ClusterCrashIT: reads and puts on every shard %d ms after kill -9 of a node%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
        assertThat(statuses(1)).containsOnly(200);

        start(2);
        httpPorts[2] = NodeLifecycleIT.awaitPort(children[2], log(2, starts - 1));
        awaitTrue("node 2 serves every record after its restart", () -> readAll(2).size() == 2 * RECORDS);

        for (Process p : children) {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        for (int i = 0; i < 3; i++) {
            start(i);
        }
        for (int i = 0; i < 3; i++) {
            httpPorts[i] = NodeLifecycleIT.awaitPort(children[i], log(i, starts - 3 + i));
        }
        awaitTrue("every record back after the whole cluster restarted", () -> readAll(1).size() == 2 * RECORDS);
        assertThat(readAll(2)).containsExactlyInAnyOrderElementsOf(IntStream.range(0, RECORDS)
                .boxed().flatMap(i -> java.util.stream.Stream.of("r" + i, "after" + i)).toList());
        HttpResponse<Buffer> again = post(2, "/v1/streams", new JsonObject().put("name", "crash").put("shardCount", 1));
        assertThat(again.statusCode()).as("the name is still taken").isEqualTo(409);
    }

    private void start(int i) throws Exception {
        String members = IntStream.of(clusterPorts).mapToObj(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
        children[i] = NodeLifecycleIT.startChild(log(i, starts++), "--data-dir", dir.resolve("node" + i).toString(),
                "--cluster", "true", "--cluster-name", "crash-it", "--cluster-port", String.valueOf(clusterPorts[i]),
                "--cluster-members", members, "--event-bus-host", "127.0.0.1", "--throttling", "false");
    }

    private Path log(int node, int start) {
        return dir.resolve("node" + node + "-start" + start + ".log");
    }

    /** Puts {@code records} through {@code node}: true if every one was stored, false on any failure (to retry). */
    private boolean putsAll(int node, JsonArray records) {
        try {
            HttpResponse<Buffer> r = post(node, "/v1/streams/crash/records", new JsonObject().put("records", records));
            return r.statusCode() == 200 && r.bodyAsJsonObject().getInteger("failedRecordCount") == 0;
        } catch (RuntimeException timedOut) {
            return false;
        }
    }

    /** Each shard's answer to a read through {@code node}. */
    private List<Integer> statuses(int node) {
        List<Integer> statuses = new ArrayList<>();
        for (int s = 0; s < SHARDS; s++) {
            statuses.add(get(node, "/v1/streams/crash/shards/shardId-" + String.format("%012d", s) + "/records").statusCode());
        }
        return statuses;
    }

    /** The texts of every record readable through {@code node} now. */
    private List<String> readAll(int node) {
        List<String> texts = new ArrayList<>();
        for (int s = 0; s < SHARDS; s++) {
            HttpResponse<Buffer> r = get(node, "/v1/streams/crash/shards/shardId-" + String.format("%012d", s)
                    + "/records?from=TRIM_HORIZON&limit=1000");
            if (r.statusCode() == 200) {
                r.bodyAsJsonObject().getJsonArray("records").forEach(o -> texts.add(new String(
                        java.util.Base64.getDecoder().decode(((JsonObject) o).getString("data")))));
            }
        }
        return texts;
    }

    private HttpResponse<Buffer> get(int node, String uri) {
        return await(web.get(httpPorts[node], "127.0.0.1", uri).timeout(10_000).send());
    }

    private HttpResponse<Buffer> post(int node, String uri, JsonObject body) {
        return await(web.post(httpPorts[node], "127.0.0.1", uri).timeout(10_000).sendJsonObject(body));
    }

    /**
     * Waits up to 60 s for {@code condition}. A request that times out (sent to a node killed a moment ago,
     * before the others noticed) counts as "not yet"; the last such failure is in the assertion's cause.
     */
    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                last = e;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("Timed out waiting for " + what, last);
    }
}
