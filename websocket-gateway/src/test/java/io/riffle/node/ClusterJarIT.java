package io.riffle.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node jar (or, without it, the class path) in a child JVM with {@code --cluster true}. */
class ClusterJarIT {
    @TempDir
    Path dataDir;
    @TempDir
    Path logDir;

    @Test
    void aClusteredNodeRunsFromPlainJavaJarWithoutHazelcastWarningsAndStopsCleanly() throws Exception {
        int clusterPort;
        try (ServerSocket free = new ServerSocket(0)) {
            clusterPort = free.getLocalPort();
        }
        Path log = logDir.resolve("clustered.log");
        Process child = NodeLifecycleIT.startChild(log, "--data-dir", dataDir.toString(), "--cluster", "true",
                "--cluster-port", String.valueOf(clusterPort), "--cluster-members", "127.0.0.1:" + clusterPort);
        Vertx vertx = Vertx.vertx();
        try {
            int port = NodeLifecycleIT.awaitPort(child, log);
            JsonObject view = RunningNode.await(WebClient.create(vertx).get(port, "127.0.0.1", "/v1/cluster").send())
                    .bodyAsJsonObject();
            assertThat(view.getString("mode")).isEqualTo("clustered");
            assertThat(view.getJsonArray("members")).hasSize(1);

            child.destroy(); // SIGTERM
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String output = Files.readString(log);
            assertThat(child.exitValue()).as(output).isZero();
            if (NodeLifecycleIT.runsTheJar()) {
                // The manifest's Add-Opens/Add-Exports; on the class path the child lacks the test JVM's flags.
                assertThat(output).doesNotContain("without proper access").doesNotContain("WARNING:");
            }
            // Membership chatter stays below WARN: no INFO line from Hazelcast.
            assertThat(output).doesNotContain("INFO com.hazelcast");
        } finally {
            child.destroyForcibly();
            RunningNode.await(vertx.close());
        }
    }

    @Test
    void aClusterWithoutSeedsStopsTheNodeWithExitCodeTwoNamingTheSetting() throws Exception {
        Path log = logDir.resolve("no-seeds.log");
        Process child = NodeLifecycleIT.startChild(log, "--data-dir", dataDir.toString(), "--cluster", "true");
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(child.exitValue()).isEqualTo(2);
        assertThat(Files.readString(log)).contains("Invalid setting 'clusterMembers'");
    }
}
