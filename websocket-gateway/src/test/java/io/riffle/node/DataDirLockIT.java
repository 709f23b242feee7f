package io.riffle.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** One data directory, one node: a second node on it refuses to start and leaves the first one's files alone. */
@Timeout(120)
class DataDirLockIT {
    @TempDir
    Path dataDir;
    @TempDir
    Path logDir;

    private static NodeConfig configFor(Path dataDir) {
        return NodeConfig.load(new String[] {"--host", "127.0.0.1", "--port", "0", "--data-dir", dataDir.toString(),
                "--gateway-instances", "1"}, Map.of());
    }

    private static Map<String, Long> files(Path dir) {
        Map<String, Long> sizes = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.filter(Files::isRegularFile).forEach(p -> sizes.put(dir.relativize(p).toString(), p.toFile().length()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sizes;
    }

    private static HttpResponse<Buffer> put(RunningNode node, String text) {
        HttpResponse<Buffer> r = node.postRaw("/v1/streams/orders/records?partitionKey=k", "application/octet-stream", Buffer.buffer(text));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        return r;
    }

    @Test
    void aSecondNodeOnTheSameDataDirectoryFailsToStartAndTheFirstKeepsServing() throws Exception {
        try (RunningNode first = RunningNode.start(dataDir)) {
            first.createStream("orders", 2);
            put(first, "before");
            Map<String, Long> before = files(dataDir);

            var second = Node.start(configFor(dataDir)).toCompletionStage().toCompletableFuture();
            assertThatThrownBy(() -> second.get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(ConfigException.class)
                    .hasMessageContaining(dataDir.toAbsolutePath().toString())
                    .hasMessageContaining("in use by another Riffle node (pid " + ProcessHandle.current().pid() + ")");
            assertThat(files(dataDir)).isEqualTo(before);

            put(first, "after");
            assertThat(first.get("/v1/streams/orders").statusCode()).isEqualTo(200);
            // Once the first node stops, the directory is free.
            first.restart();
            assertThat(first.get("/v1/streams/orders/shards/shardId-000000000001/records").bodyAsJsonObject()
                    .getJsonArray("records").size() + first.get("/v1/streams/orders/shards/shardId-000000000000/records")
                    .bodyAsJsonObject().getJsonArray("records").size()).isEqualTo(2);
        }
    }

    @Test
    void aNodeThatFailsToStartReleasesTheDataDirectory() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            NodeConfig onTakenPort = NodeConfig.load(new String[] {"--host", "127.0.0.1", "--port",
                    Integer.toString(taken.getLocalPort()), "--data-dir", dataDir.toString(), "--gateway-instances", "1"}, Map.of());
            var failed = Node.start(onTakenPort).toCompletionStage().toCompletableFuture();
            assertThatThrownBy(() -> failed.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        }
        Node node = RunningNode.await(Node.start(configFor(dataDir)));
        RunningNode.await(node.stop());
    }

    @Test
    void aSecondNodeProcessExitsWithCodeTwoNamingTheDirectory() throws Exception {
        try (RunningNode first = RunningNode.start(dataDir)) {
            first.createStream("orders", 1);
            Map<String, Long> before = files(dataDir);
            Path log = logDir.resolve("second.log");
            Process child = NodeLifecycleIT.startChild(log, "--data-dir", dataDir.toString());
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String out = Files.readString(log);
            assertThat(child.exitValue()).as(out).isEqualTo(2);
            assertThat(out).contains("riffle: Data directory " + dataDir.toAbsolutePath() + " is in use by another Riffle node");
            assertThat(files(dataDir)).isEqualTo(before);
            put(first, "still");
        }
    }
}
