package io.riffle.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Starting, stopping and restarting nodes: health, metrics, durability across restarts, SIGTERM, bad config. */
@Timeout(120)
class NodeLifecycleIT {
    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path dataDir;
    @TempDir
    Path logDir;

    @Test
    void healthAndPrometheusMetricsAreServed() {
        try (RunningNode node = RunningNode.start(dataDir)) {
            HttpResponse<Buffer> health = node.get("/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.bodyAsJsonObject().getString("status")).isEqualTo("UP");
            assertThat(node.get("/health/live").statusCode()).isEqualTo(200);
            node.createStream("watched", 1);
            node.postRaw("/v1/streams/watched/records?partitionKey=k", "application/octet-stream", Buffer.buffer("x"));
            HttpResponse<Buffer> metrics = node.get("/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.getHeader("Content-Type")).startsWith("text/plain");
            assertThat(metrics.bodyAsString())
                    .contains("riffle_shard_incoming_records_total{shard=\"shardId-000000000000\",stream=\"watched\"} 1.0")
                    .contains("vertx_http_server_requests_total")
                    .contains("jvm_memory_used_bytes{area=\"heap\"");
        }
    }

    @Test
    void restartKeepsEveryAcknowledgedRecord() {
        try (RunningNode node = RunningNode.start(dataDir)) {
            node.createStream("durable", 2);
            List<String> acked = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                HttpResponse<Buffer> r = node.postRaw("/v1/streams/durable/records?partitionKey=k" + i, "application/octet-stream",
                        Buffer.buffer("r" + i));
                assertThat(r.statusCode()).isEqualTo(200);
                acked.add(r.bodyAsJsonObject().getString("sequenceNumber"));
            }
            node.restart();
            assertThat(node.get("/v1/streams/durable").bodyAsJsonObject().getJsonArray("shards")).hasSize(2);
            assertThat(sequenceNumbers(node.web, node.port(), "durable", 2)).containsExactlyInAnyOrderElementsOf(acked);
        }
    }

    @Test
    void stoppingTheNodeClosesSubscribersWithGoingAway() throws Exception {
        try (RunningNode node = RunningNode.start(dataDir)) {
            node.createStream("leaving", 1);
            node.postJson("/v1/streams/leaving/consumers", new JsonObject().put("name", "app"));
            ClientWebSocket ws = node.ws.webSocket();
            CompletableFuture<Short> closed = new CompletableFuture<>();
            LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
            ws.textMessageHandler(frames::add);
            ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
            RunningNode.await(ws.connect(node.port(), "127.0.0.1", "/v1/streams/leaving/subscribe?consumer=app"));
            RunningNode.await(node.node.stop());
            assertThat(closed.get(30, TimeUnit.SECONDS)).isEqualTo((short) 1001);
        }
    }

    @Test
    void sigtermFinishesInFlightPutsFlushesAndExitsZero() throws Exception {
        Path log = logDir.resolve("child.log");
        Process child = startChild(log, "--data-dir", dataDir.toString(), "--throttling", "false");
        int port = awaitPort(child, log);
        Vertx vertx = Vertx.vertx();
        try {
            WebClient web = WebClient.create(vertx);
            HttpResponse<Buffer> created = RunningNode.await(web.post(port, "127.0.0.1", "/v1/streams")
                    .sendJsonObject(new JsonObject().put("name", "sig").put("shardCount", 2)));
            assertThat(created.statusCode()).isEqualTo(201);
            // Fire puts and send SIGTERM as soon as the first is acknowledged: others are still in flight.
            List<Future<HttpResponse<Buffer>>> puts = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                JsonArray records = new JsonArray();
                for (int j = 0; j < 25; j++) {
                    records.add(new JsonObject().put("partitionKey", "k" + i + "-" + j).put("text", "r" + i + "-" + j));
                }
                puts.add(web.post(port, "127.0.0.1", "/v1/streams/sig/records")
                        .sendJsonObject(new JsonObject().put("records", records)));
            }
            RunningNode.await(Future.any(puts));
            child.destroy(); // SIGTERM
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String output = Files.readString(log);
            assertThat(child.exitValue()).as(output).isZero();

            Set<String> acked = new HashSet<>();
            for (Future<HttpResponse<Buffer>> f : puts) {
                RunningNode.await(f.transform(ar -> Future.succeededFuture(ar.succeeded() ? ar.result() : null)));
                if (f.succeeded() && f.result().statusCode() == 200) {
                    f.result().bodyAsJsonObject().getJsonArray("records")
                            .forEach(r -> acked.add(((JsonObject) r).getString("sequenceNumber")));
                } else if (f.succeeded()) {
                    assertThat(f.result().statusCode()).as(f.result().bodyAsString()).isEqualTo(503);
                }
            }
            assertThat(acked).isNotEmpty();
            assertThat(output).contains("Riffle node stopping").contains("Riffle node stopped");

            try (RunningNode again = RunningNode.start(dataDir)) {
                assertThat(sequenceNumbers(again.web, again.port(), "sig", 2)).containsAll(acked);
            }
        } finally {
            child.destroyForcibly();
            RunningNode.await(vertx.close());
        }
    }

    @Test
    void killMinus9NeverLosesOrChangesAnAcknowledgedRecord() throws Exception {
        Path log = logDir.resolve("killed.log");
        Process child = startChild(log, "--data-dir", dataDir.toString(), "--throttling", "false");
        int port = awaitPort(child, log);
        Vertx vertx = Vertx.vertx();
        try {
            WebClient web = WebClient.create(vertx);
            assertThat(RunningNode.await(web.post(port, "127.0.0.1", "/v1/streams")
                    .sendJsonObject(new JsonObject().put("name", "crash").put("shardCount", 2))).statusCode()).isEqualTo(201);
            // Keep puts flowing and kill the node with SIGKILL in the middle of them.
            java.util.Map<String, String> acked = new java.util.concurrent.ConcurrentHashMap<>();
            List<Future<HttpResponse<Buffer>>> puts = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                JsonArray records = new JsonArray();
                List<String> texts = new ArrayList<>();
                for (int j = 0; j < 20; j++) {
                    String text = "record-" + i + "-" + j;
                    texts.add(text);
                    records.add(new JsonObject().put("partitionKey", "k" + j).put("text", text));
                }
                Future<HttpResponse<Buffer>> put = web.post(port, "127.0.0.1", "/v1/streams/crash/records")
                        .sendJsonObject(new JsonObject().put("records", records));
                put.onSuccess(r -> {
                    if (r.statusCode() == 200) {
                        JsonArray results = r.bodyAsJsonObject().getJsonArray("records");
                        for (int k = 0; k < results.size(); k++) {
                            acked.put(results.getJsonObject(k).getString("sequenceNumber"), texts.get(k));
                        }
                    }
                });
                puts.add(put);
                if (i == 100) {
                    RunningNode.await(put);
                    child.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
                }
            }
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            for (Future<HttpResponse<Buffer>> f : puts) {
                RunningNode.await(f.transform(ar -> Future.succeededFuture()));
            }
            assertThat(acked).isNotEmpty();

            try (RunningNode again = RunningNode.start(dataDir)) {
                java.util.Map<String, String> stored = new java.util.HashMap<>();
                for (int s = 0; s < 2; s++) {
                    String shard = String.format("shardId-%012d", s);
                    String from = "TRIM_HORIZON";
                    String after = null;
                    while (true) {
                        String url = "/v1/streams/crash/shards/" + shard + "/records?limit=10000&from=" + from
                                + (after == null ? "" : "&sequenceNumber=" + after);
                        JsonObject page = RunningNode.await(again.web.get(again.port(), "127.0.0.1", url).send()).bodyAsJsonObject();
                        JsonArray records = page.getJsonArray("records");
                        if (records.isEmpty()) {
                            break;
                        }
                        for (Object o : records) {
                            JsonObject rec = (JsonObject) o;
                            stored.put(rec.getString("sequenceNumber"),
                                    new String(Base64.getDecoder().decode(rec.getString("data")), java.nio.charset.StandardCharsets.UTF_8));
                        }
                        from = "AFTER_SEQUENCE_NUMBER";
                        after = records.getJsonObject(records.size() - 1).getString("sequenceNumber");
                    }
                }
                assertThat(stored).containsAllEntriesOf(acked);
            }
        } finally {
            child.destroyForcibly();
            RunningNode.await(vertx.close());
        }
    }

    @Test
    void theTlsPortServesTheApisOverH2AndHttp11() throws Exception {
        try (RunningNode node = RunningNode.start(dataDir, "--tls", "true", "--tls-port", "0")) {
            int tlsPort = node.node.tlsPort().orElseThrow();
            assertThat(dataDir.resolve("kinesis-tls/cert.pem")).exists();
            for (var variant : List.of(
                    new io.vertx.ext.web.client.WebClientOptions().setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2).setUseAlpn(true),
                    new io.vertx.ext.web.client.WebClientOptions().setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_1_1))) {
                WebClient tls = WebClient.create(node.clientVertx, variant.setSsl(true).setTrustAll(true).setVerifyHost(false));
                HttpResponse<Buffer> created = RunningNode.await(tls.post(tlsPort, "127.0.0.1", "/v1/streams")
                        .sendJsonObject(new JsonObject().put("name", "tls-" + variant.getProtocolVersion().name().toLowerCase()
                                + "-" + variant.isUseAlpn()).put("shardCount", 1)));
                assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
                assertThat(created.version()).isEqualTo(variant.getProtocolVersion());
                tls.close();
            }
            // h2 without ALPN (as the AWS SDK's async client may assume it) is covered by KinesisTlsIT.
            assertThat(node.get("/v1/streams").bodyAsJsonObject().getJsonArray("streams")).hasSize(2);
        }
    }

    @Test
    void badConfigurationStopsTheNodeWithAMessageNamingTheSetting() throws Exception {
        Path log = logDir.resolve("bad.log");
        Process child = startChild(log, "--data-dir", dataDir.toString(), "--port", "not-a-port");
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(log);
        assertThat(child.exitValue()).isEqualTo(2);
        assertThat(out).contains("Invalid setting 'port' = 'not-a-port' (from flag --port)");
    }

    @Test
    void helpPrintsTheOptionsAndExitsZero() throws Exception {
        Path log = logDir.resolve("help.log");
        Process child = startChild(log, "--help");
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(log);
        assertThat(child.exitValue()).isZero();
        assertThat(out).contains("--port").contains("--data-dir").contains("RIFFLE_PORT").contains("--config");
    }

    /** All sequence numbers in every shard of a stream, read from TRIM_HORIZON. */
    private static List<String> sequenceNumbers(WebClient web, int port, String stream, int shards) {
        List<String> out = new ArrayList<>();
        for (int s = 0; s < shards; s++) {
            HttpResponse<Buffer> r = RunningNode.await(web.get(port, "127.0.0.1",
                    String.format("/v1/streams/%s/shards/shardId-%012d/records", stream, s)).send());
            assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
            r.bodyAsJsonObject().getJsonArray("records").forEach(o -> {
                JsonObject rec = (JsonObject) o;
                assertThat(Base64.getDecoder().decode(rec.getString("data"))).isNotEmpty();
                out.add(rec.getString("sequenceNumber"));
            });
        }
        return out;
    }

    private static final Path JAR = Path.of("target", "riffle.jar");

    /** Whether {@link #startChild} runs the shaded jar. */
    static boolean runsTheJar() {
        return Files.exists(JAR);
    }

    /** The shaded jar when the build made it (the real artifact), else the test class path. */
    static Process startChild(Path log, String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Times in the node's log, to read a crash test's timeline from it.
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS"));
        if (runsTheJar()) {
            cmd.addAll(List.of("-jar", JAR.toString()));
        } else {
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), RiffleMain.class.getName()));
        }
        cmd.addAll(List.of("--host", "127.0.0.1", "--port", "0", "--gateway-instances", "2"));
        cmd.addAll(List.of(args));
        // Output goes to a file: reading a pipe races the JVM draining it when the child exits.
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Waits until the child logs the port it listens on. */
    static int awaitPort(Process child, Path log) throws Exception {
        for (int i = 0; i < 600; i++) {
            Matcher m = LISTENING.matcher(Files.readString(log));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            if (!child.isAlive()) {
                throw new AssertionError("The node exited before listening:\n" + Files.readString(log));
            }
            Thread.sleep(100);
        }
        throw new AssertionError("The node did not listen within 60 s:\n" + Files.readString(log));
    }
}
