package io.riffle.node;

import static io.riffle.node.ChildCluster.awaitTrue;
import static io.riffle.node.ChildCluster.records;
import static io.riffle.node.ChildCluster.traced;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three clustered nodes as child JVMs (the node jar when built): a node killed with -9 loses no record and
 * stops no shard for long, since its shards fail over to their replicas on the others; it comes back as a
 * follower; then the whole cluster is killed and restarted, and the catalog and every record are still there.
 */
class ClusterCrashIT {
    private static final String STREAM = "crash";
    private static final int SHARDS = 6;
    private static final int RECORDS = 60;

    @TempDir
    Path dir;
    private ChildCluster cluster;

    @BeforeEach
    void create() throws java.io.IOException {
        cluster = new ChildCluster(dir, "crash-it", 3);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void aKilledNodesShardsFailOverAndAWholeClusterRestartKeepsEverything() throws Exception {
        cluster.startAll();
        awaitTrue("a catalog leader", 60, () -> cluster.get(0, "/v1/streams").statusCode() == 200);
        HttpResponse<Buffer> created = cluster.post(0, "/v1/streams", new JsonObject().put("name", STREAM).put("shardCount", SHARDS));
        assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
        assertThat(cluster.putsAll(1, STREAM, records("r", RECORDS))).isTrue();

        long killed = System.nanoTime();
        cluster.kill(2);
        // The wall time, to line the test's attempts up with the node logs (their lines start with the time of day).
        System.out.printf("ClusterCrashIT: node 2 killed at %s%n", java.time.LocalTime.now());
        // Node 2's shards fail over to their replicas on nodes 0 and 1: every record stays readable, every
        // shard takes puts again (until then a shard answers 200 or a retryable 503, never 404).
        awaitTrue("every record readable after node 2's kill", 60, traced("ClusterCrashIT", "reading every shard", killed,
                () -> cluster.readAll(0, STREAM, SHARDS).size() == RECORDS));
        awaitTrue("puts to every shard after node 2's kill", 60, traced("ClusterCrashIT", "putting to every shard", killed,
                () -> cluster.putsAll(0, STREAM, records("after", RECORDS))));
        System.out.printf("ClusterCrashIT: reads and puts on every shard %d ms after kill -9 of a node%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
        // Through the other node too, which may be a moment behind (a retryable 503 meanwhile, seen once in CI
        // 3.4 s after the kill): within the 10 s the issue allows.
        awaitTrue("every shard answers reads through node 1", 10, () -> cluster.statuses(1, STREAM, SHARDS).stream().allMatch(c -> c == 200));
        System.out.printf("ClusterCrashIT: reads through node 1 on every shard %d ms after kill -9 of a node%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));

        cluster.restart(2);
        awaitTrue("node 2 serves every record after its restart", 60, () -> cluster.readAll(2, STREAM, SHARDS).size() == 2 * RECORDS);

        cluster.killAll();
        cluster.startAll();
        awaitTrue("every record back after the whole cluster restarted", 60,
                () -> cluster.readAll(1, STREAM, SHARDS).size() == 2 * RECORDS);
        assertThat(cluster.readAll(2, STREAM, SHARDS)).containsExactlyInAnyOrderElementsOf(IntStream.range(0, RECORDS)
                .boxed().flatMap(i -> java.util.stream.Stream.of("r" + i, "after" + i)).toList());
        HttpResponse<Buffer> again = cluster.post(2, "/v1/streams", new JsonObject().put("name", STREAM).put("shardCount", 1));
        assertThat(again.statusCode()).as("the name is still taken").isEqualTo(409);
    }
}
