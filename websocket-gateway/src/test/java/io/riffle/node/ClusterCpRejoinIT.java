package io.riffle.node;

import static io.riffle.node.ChildCluster.awaitTrue;
import static io.riffle.node.ChildCluster.records;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Back-to-back faults on different nodes of three (child JVMs): node 2 is killed with -9 and restarted on
 * its data directory, so Hazelcast sees a new member UUID; then node 0 is killed. Before {@link CpMembership}
 * the CP group still counted node 2's old identity as a voter, so the second kill left it one live voter of
 * three: no catalog lock, no leader, no failover, until a whole-cluster restart. Now the restarted node
 * replaces its old identity in the CP group, and the catalog and every shard go on after the second kill.
 */
class ClusterCpRejoinIT {
    private static final String STREAM = "rejoin";
    private static final int SHARDS = 6;
    private static final int RECORDS = 60;
    /** Generous for a busy 2-core machine; the failure detection it waits on is 3 s. */
    private static final int BOUND_SECONDS = 30;

    @TempDir
    Path dir;

    @Test
    void aRestartedNodeTakesItsOldPlaceInTheCpGroupSoASecondKillLeavesALeader() throws Exception {
        try (ChildCluster cluster = new ChildCluster(dir, "cp-rejoin-it", 3)) {
            cluster.startAll();
            awaitTrue("a catalog leader", 60, () -> cluster.get(0, "/v1/streams").statusCode() == 200);
            HttpResponse<Buffer> created = cluster.post(0, "/v1/streams", new JsonObject().put("name", STREAM).put("shardCount", SHARDS));
            assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
            assertThat(cluster.putsAll(1, STREAM, records("r", RECORDS))).isTrue();
            awaitTrue("three CP members", BOUND_SECONDS, () -> cpMembers(cluster, 1) == 3);
            Path remembered = dir.resolve("node2").resolve("cluster").resolve(CpMembership.FILE);
            String before = Files.readString(remembered);

            cluster.kill(2);
            long restarted = System.nanoTime();
            cluster.restart(2);
            // The restarted node is a new Hazelcast member: it must be a CP member again, in its old place (it
            // writes its new UUID only once it is one), and the group must be three live members again.
            awaitTrue("node 2 back in the CP group under its new member UUID", BOUND_SECONDS,
                    () -> !read(remembered).equals(before) && cpMembers(cluster, 1) == 3 && cpMembers(cluster, 2) == 3);
            System.out.printf("ClusterCpRejoinIT: restarted node is a CP member again %d ms after its start%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted));
            awaitTrue("node 2 serves every record after its restart", 60,
                    () -> cluster.readAll(2, STREAM, SHARDS).size() == RECORDS);

            long killed = System.nanoTime();
            cluster.kill(0);
            awaitTrue("puts to every shard after the second kill", BOUND_SECONDS,
                    () -> cluster.putsAll(1, STREAM, records("after", RECORDS)));
            // A put retried after a late answer may store a record twice: every record is there, maybe more.
            java.util.List<String> all = java.util.stream.Stream.of("r", "after")
                    .flatMap(p -> java.util.stream.IntStream.range(0, RECORDS).mapToObj(i -> p + i)).toList();
            awaitTrue("every record readable through both nodes left", BOUND_SECONDS,
                    () -> cluster.readAll(1, STREAM, SHARDS).containsAll(all) && cluster.readAll(2, STREAM, SHARDS).containsAll(all));
            System.out.printf("ClusterCpRejoinIT: reads and puts on every shard %d ms after the second kill -9%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
            // A catalog change needs the lock and a majority of the voters: the catalog has a leader. 409: an
            // earlier attempt, answered too late, did create it.
            awaitTrue("a catalog change after the second kill", BOUND_SECONDS, () -> java.util.Set.of(201, 409).contains(
                    cluster.post(2, "/v1/streams", new JsonObject().put("name", "after-kill").put("shardCount", 1)).statusCode()));
            assertThat(cluster.statuses(2, STREAM, SHARDS)).containsOnly(200);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** How many members {@code GET /v1/cluster} on {@code node} shows as CP members (0 if it cannot tell). */
    private static long cpMembers(ChildCluster cluster, int node) {
        JsonArray members = cluster.get(node, "/v1/cluster").bodyAsJsonObject().getJsonArray("members");
        return members.stream().filter(m -> ((JsonObject) m).getBoolean("cpMember", false)).count();
    }
}
