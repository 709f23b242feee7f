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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Back-to-back faults on different nodes of three (child JVMs): a node that does not lead the catalog is
 * killed with -9 and restarted on its data directory at a new address (a new cluster port, as a rescheduled
 * pod gets a new IP), so Hazelcast sees a new member; then the catalog leader is killed. Before
 * {@link CpMembership} the CP group kept the restarted node's old identity as a voter for 30 s (the
 * auto-removal then) and the restarted node could not join a full group, so the second kill within that time
 * left one live voter of three: nobody could take the catalog lock, so no leader, no failover, until a
 * whole-cluster restart. Now the restarted node removes its old identity (remembered on its disk) and joins
 * in its place within seconds, and the catalog and every shard go on after the second kill.
 *
 * <p>A new address, because at the same one Hazelcast 5.3 sends the old identity's Raft traffic to the new
 * process, which blurs what the test shows (by hand, the old code got through a same-address restart followed
 * by the kill of a node that did not lead the catalog).
 */
class ClusterCpRejoinIT {
    private static final String STREAM = "rejoin";
    private static final int SHARDS = 6;
    private static final int RECORDS = 60;
    /** Generous for a busy 2-core machine; the failure detection it waits on is 3 s. */
    private static final int BOUND_SECONDS = 30;
    /**
     * How long a restarted, listening node may take to be a CP member again: seconds with the fix, while
     * Hazelcast alone would wait out its old identity's auto-removal (30 s before, counted from the kill).
     */
    private static final int REJOIN_SECONDS = 15;

    @TempDir
    Path dir;

    /**
     * With the default 3 s, Hazelcast has removed the old CP identity (missing for 3 s) before the restarted
     * node is up; with 20 s the old identity is still a voter then, and the restarted node removes it itself,
     * found by the UUID it remembered. The node comes back at a new address (a rescheduled Kubernetes pod) or
     * at its old one (a node with fixed ports restarted in place): there the old identity's address is the
     * new process's, which Raft's messages to the old identity now reach.
     */
    @ParameterizedTest(name = "clusterFailureDetectionSeconds {0}, same address {1}")
    @CsvSource({"3, false", "20, false", "20, true"})
    void aRestartedNodeTakesItsOldPlaceInTheCpGroupSoKillingTheCatalogLeaderNextLeavesALeader(int detectionSeconds, boolean sameAddress)
            throws Exception {
        // A Raft leader on the killed node is replaced after about detectionSeconds; the rest as before.
        int bound = BOUND_SECONDS + detectionSeconds;
        try (ChildCluster cluster = new ChildCluster(dir, "cp-rejoin-it-" + detectionSeconds + (sameAddress ? "-same" : ""), 3,
                "--cluster-failure-detection-seconds", String.valueOf(detectionSeconds))) {
            startWithRecords(cluster);
            // First a node that does not lead the catalog, so the leader keeps its lock through the restart.
            int leader = cluster.catalogLeader();
            int restartedNode = (leader + 1) % 3;
            int survivor = (leader + 2) % 3;
            Path remembered = dir.resolve("node" + restartedNode).resolve("cluster").resolve(CpMembership.FILE);
            String before = Files.readString(remembered);

            cluster.kill(restartedNode);
            if (sameAddress) {
                cluster.restart(restartedNode);
            } else {
                cluster.restartElsewhere(restartedNode);
            }
            long restarted = System.nanoTime();
            // A new Hazelcast member: it must be a CP member again, in its old place (it writes its new CP member
            // UUID only once it is one), and the group must be three live members again.
            // Plus detectionSeconds: when the killed node led the CP groups' Raft, nothing about CP membership can
            // be decided until the others replace that leader, after about detectionSeconds; then the restarted
            // node's round may be in the middle of a probe that waits out its 10 s bound (one 20 s run here took
            // more than 35 s). With detectionSeconds 20 Hazelcast alone would take 40 s from the kill: the log
            // check below shows the node itself removed its old identity.
            awaitTrue("the restarted node back in the CP group", REJOIN_SECONDS + detectionSeconds + 10, () -> !read(remembered).equals(before)
                    && cpMembers(cluster, survivor) == 3 && cpMembers(cluster, restartedNode) == 3);
            System.out.printf("ClusterCpRejoinIT (%d s%s): restarted node is a CP member again %d ms after it listened%n",
                    detectionSeconds, sameAddress ? ", same address" : "", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted));
            if (detectionSeconds > 10) {
                assertThat(cluster.log(restartedNode)).as("the restarted node removed its remembered CP identity")
                        .contains("removes its previous CP member");
            }
            awaitTrue("the restarted node serves every record", 60,
                    () -> cluster.readAll(restartedNode, STREAM, SHARDS).size() == RECORDS);

            // Now the catalog leader dies: another node must take its lock, which needs the CP group's
            // majority, so the restarted node must count in it.
            // Usually still the first leader; if the CP group's change during the rejoin moved the catalog lock
            // (seen once in CI), the node that leads now dies instead, and the other two must go on.
            int victim = cluster.catalogLeader();
            if (victim != leader) {
                System.out.printf("ClusterCpRejoinIT (%d s): catalog leadership moved from node %d to node %d during the rejoin%n",
                        detectionSeconds, leader, victim);
            }
            // The two nodes left: the first takes the puts, the second (the restarted one unless it died) reads.
            int first = victim == survivor ? leader : survivor;
            int second = victim == restartedNode ? leader : restartedNode;
            long killed = System.nanoTime();
            cluster.kill(victim);
            awaitTrue("puts to every shard after the leader's kill", bound,
                    () -> cluster.putsAll(first, STREAM, records("after", RECORDS)));
            // A put retried after a late answer may store a record twice: every record is there, maybe more.
            java.util.List<String> all = java.util.stream.Stream.of("r", "after")
                    .flatMap(p -> java.util.stream.IntStream.range(0, RECORDS).mapToObj(i -> p + i)).toList();
            awaitTrue("every record readable through both nodes left", bound, () -> cluster.readAll(first, STREAM, SHARDS)
                    .containsAll(all) && cluster.readAll(second, STREAM, SHARDS).containsAll(all));
            System.out.printf("ClusterCpRejoinIT (%d s%s): reads and puts on every shard %d ms after the second kill -9%n",
                    detectionSeconds, sameAddress ? ", same address" : "", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
            // A catalog change needs the lock and a majority of the voters: the catalog has a leader. 409: an
            // earlier attempt, answered too late, did create it.
            awaitTrue("a catalog change after the second kill", bound, () -> java.util.Set.of(201, 409).contains(
                    cluster.post(second, "/v1/streams", new JsonObject().put("name", "after-kill").put("shardCount", 1))
                            .statusCode()));
            assertThat(cluster.statuses(second, STREAM, SHARDS)).containsOnly(200);
        }
    }

    /**
     * Two of three nodes die at once and come back at new addresses: the CP group (Raft, in memory) keeps their
     * old identities as two voters of three, so it can never decide again, not even to remove them (the fault
     * run with seed 21 ended so, after a kill, a pause and a partition close together). The Hazelcast master
     * resets the CP Subsystem once every catalog voter is live again, and the catalog, every shard and every
     * acknowledged record come back without a restart of the survivor.
     */
    @org.junit.jupiter.api.Test
    void aCpGroupThatLostItsMajorityForGoodIsResetOnceTheWholeClusterIsBack() throws Exception {
        try (ChildCluster cluster = new ChildCluster(dir, "cp-reset-it", 3)) {
            startWithRecords(cluster);

            cluster.kill(1);
            cluster.kill(2);
            cluster.restartElsewhere(1);
            cluster.restartElsewhere(2);
            long back = System.nanoTime();
            // Killing two of three at once loses the Hazelcast partitions only they held, the survivor's
            // directory entry perhaps among them: it writes it again, so the restarted nodes count it live.
            awaitTrue("every node announced in node 1's view", BOUND_SECONDS, () -> members(cluster, 1).stream()
                    .map(m -> (JsonObject) m).filter(m -> m.getString("nodeId") != null).count() == 3);
            // A reset waits until the CP Subsystem has not answered for 24 s (counted from the kill).
            awaitTrue("puts to every shard after both came back", 120, () -> cluster.putsAll(1, STREAM, records("after", RECORDS)));
            System.out.printf("ClusterCpRejoinIT (reset): puts on every shard %d ms after both nodes listened again%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - back));
            // Puts may work before the reset: the catalog leader, if it survived, keeps its lease without Raft and
            // commits failovers with the catalog's own majority. The CP group itself comes back only by the reset.
            awaitTrue("a node reset the CP Subsystem", 120, () -> java.util.stream.IntStream.range(0, 3)
                    .anyMatch(n -> logOf(cluster, n).contains("reset the CP Subsystem")));
            java.util.List<String> all = java.util.stream.Stream.of("r", "after")
                    .flatMap(p -> java.util.stream.IntStream.range(0, RECORDS).mapToObj(i -> p + i)).toList();
            awaitTrue("every record readable through every node", BOUND_SECONDS, () -> java.util.stream.IntStream.range(0, 3)
                    .allMatch(n -> cluster.readAll(n, STREAM, SHARDS).containsAll(all)));
            awaitTrue("three CP members again", BOUND_SECONDS, () -> cpMembers(cluster, 0) == 3);
            awaitTrue("a catalog change after the reset", BOUND_SECONDS, () -> java.util.Set.of(201, 409).contains(
                    cluster.post(2, "/v1/streams", new JsonObject().put("name", "after-reset").put("shardCount", 1)).statusCode()));
        }
    }

    /**
     * A node paused past failure detection is counted dead, then merges back with a new Hazelcast member UUID.
     * It must announce itself again: otherwise the others never count it live (seed 21's fault run: after a
     * merge, the next fault on another node left one "live" node of three, and every shard 503 for good).
     * So after the pause, killing another node must leave a majority: puts go on.
     */
    @org.junit.jupiter.api.Test
    void aNodeThatMergesBackAfterAPauseIsLiveAgainSoAnotherNodesKillLeavesAMajority() throws Exception {
        try (ChildCluster cluster = new ChildCluster(dir, "merge-it", 3)) {
            startWithRecords(cluster);

            // Not the Hazelcast master (the oldest member, first in the view): pausing the master makes the
            // other two claim mastership within the 3 s heartbeat timeout, and on a busy machine they have
            // split into singletons that did not merge within 30 s (two runs on 2026-12-07, noted on #10).
            // This test is about a merged node's announcement, so it pauses a member that is not the master.
            String masterHttp = members(cluster, 0).getJsonObject(0).getString("httpAddress");
            int master = java.util.stream.IntStream.range(0, 3)
                    .filter(i -> masterHttp.endsWith(":" + cluster.httpPort(i))).findFirst().orElseThrow();
            int paused = master == 1 ? 2 : 1;
            int killed = 3 - master - paused;
            cluster.pause(paused, true);
            awaitTrue("the paused node out of the others' view", BOUND_SECONDS, () -> members(cluster, master).size() == 2);
            cluster.pause(paused, false);
            awaitTrue("the paused node merged back", 60, () -> logOf(cluster, paused).contains("merged back into the cluster"));
            awaitTrue("every node announced in the master's view", BOUND_SECONDS, () -> {
                JsonArray members = members(cluster, master);
                return members.size() == 3 && members.stream().map(m -> (JsonObject) m)
                        .allMatch(m -> m.getString("nodeId") != null && "UP".equals(m.getString("status")));
            });
            // Back as a CP member too, before the next fault (the README's rule between faults).
            awaitTrue("three CP members after the merge", BOUND_SECONDS, () -> cpMembers(cluster, master) == 3);
            awaitTrue("the merged node serves every record", BOUND_SECONDS,
                    () -> cluster.readAll(paused, STREAM, SHARDS).size() >= RECORDS);

            cluster.kill(killed);
            awaitTrue("puts to every shard after the kill", BOUND_SECONDS, () -> cluster.putsAll(master, STREAM, records("after", RECORDS)));
            java.util.List<String> all = java.util.stream.Stream.of("r", "after")
                    .flatMap(p -> java.util.stream.IntStream.range(0, RECORDS).mapToObj(i -> p + i)).toList();
            awaitTrue("every record readable through the merged node", BOUND_SECONDS,
                    () -> cluster.readAll(paused, STREAM, SHARDS).containsAll(all));
        }
    }

    /** Starts the three nodes, creates the stream and puts the first records; waits for three CP members. */
    private static void startWithRecords(ChildCluster cluster) throws Exception {
        cluster.startAll();
        awaitTrue("a catalog leader", 60, () -> cluster.get(0, "/v1/streams").statusCode() == 200);
        HttpResponse<Buffer> created = cluster.post(0, "/v1/streams", new JsonObject().put("name", STREAM).put("shardCount", SHARDS));
        assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
        assertThat(cluster.putsAll(1, STREAM, records("r", RECORDS))).isTrue();
        awaitTrue("three CP members", BOUND_SECONDS, () -> cpMembers(cluster, 0) == 3);
    }

    private static String logOf(ChildCluster cluster, int node) {
        try {
            return cluster.log(node);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static JsonArray members(ChildCluster cluster, int node) {
        return cluster.get(node, "/v1/cluster").bodyAsJsonObject().getJsonArray("members");
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
        JsonArray members = members(cluster, node);
        return members.stream().filter(m -> ((JsonObject) m).getBoolean("cpMember", false)).count();
    }
}
