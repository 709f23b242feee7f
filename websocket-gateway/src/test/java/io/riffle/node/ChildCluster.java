package io.riffle.node;

import static io.riffle.node.RunningNode.await;

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

/**
 * Clustered nodes as child JVMs (the node jar when built), each with its data directory under one test
 * directory, and HTTP calls to them, for the ITs that {@code kill -9} nodes. A restarted node keeps its data
 * directory (and so its node id) and gets a new Hazelcast member UUID, as a real restart does.
 */
final class ChildCluster implements AutoCloseable {
    /** The last put failure printed by {@link #putsAll}, so each is printed once. */
    private String lastPutFailure;
    /** The same for {@link #readAll}. */
    private String lastReadFailure;
    private final Path dir;
    private final String name;
    private final Vertx vertx = Vertx.vertx();
    private final WebClient web = WebClient.create(vertx);
    private final Process[] children;
    private final int[] httpPorts;
    private final int[] clusterPorts;
    /** Settings every node gets besides the cluster's own. */
    private final List<String> settings;
    /** Each node's log of its current start. */
    private final Path[] logs;
    private int starts;

    ChildCluster(Path dir, String name, int size, String... settings) throws java.io.IOException {
        this.dir = dir;
        this.settings = List.of(settings);
        this.name = name;
        this.children = new Process[size];
        this.httpPorts = new int[size];
        this.clusterPorts = ClusterIT.freePorts(size);
        this.logs = new Path[size];
    }

    /** Starts every node at once (so they form one cluster) and waits until each listens. */
    void startAll() throws Exception {
        for (int i = 0; i < children.length; i++) {
            launch(i);
        }
        for (int i = 0; i < children.length; i++) {
            httpPorts[i] = NodeLifecycleIT.awaitPort(children[i], log(i, starts - children.length + i));
        }
    }

    /** The HTTP port node {@code i} listens on now. */
    int httpPort(int i) {
        return httpPorts[i];
    }

    /** Starts node {@code i} again on its data directory and waits until it listens. */
    void restart(int i) throws Exception {
        launch(i);
        httpPorts[i] = NodeLifecycleIT.awaitPort(children[i], log(i, starts - 1));
    }

    /**
     * Starts node {@code i} again on its data directory but at a new cluster port, so at a new Hazelcast
     * address (as a rescheduled Kubernetes pod comes back with a new IP), and waits until it listens.
     */
    void restartElsewhere(int i) throws Exception {
        clusterPorts[i] = ClusterIT.freePorts(1)[0];
        restart(i);
    }

    /** {@code kill -9} of node {@code i}. */
    void kill(int i) throws InterruptedException {
        children[i].destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    /** {@code kill -STOP} (true) or {@code kill -CONT} (false) of node {@code i}: a pause as a long GC or a frozen VM. */
    void pause(int i, boolean stop) throws Exception {
        Process signal = new ProcessBuilder("kill", stop ? "-STOP" : "-CONT", String.valueOf(children[i].pid())).inheritIO().start();
        if (signal.waitFor() != 0) {
            throw new IllegalStateException("kill " + (stop ? "-STOP" : "-CONT") + " of node " + i + " failed");
        }
    }

    void killAll() throws InterruptedException {
        for (int i = 0; i < children.length; i++) {
            kill(i);
        }
    }

    private void launch(int i) throws Exception {
        String members = IntStream.of(clusterPorts).mapToObj(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
        logs[i] = log(i, starts);
        List<String> args = new ArrayList<>(List.of("--data-dir", dir.resolve("node" + i).toString(),
                "--cluster", "true", "--cluster-name", name, "--cluster-port", String.valueOf(clusterPorts[i]),
                "--cluster-members", members, "--event-bus-host", "127.0.0.1", "--throttling", "false"));
        args.addAll(settings);
        children[i] = NodeLifecycleIT.startChild(log(i, starts++), args.toArray(String[]::new));
    }

    /** Node {@code i}'s log of its current start. */
    String log(int i) throws java.io.IOException {
        return java.nio.file.Files.readString(logs[i]);
    }

    /**
     * The node that leads the catalog now, from the nodes' logs (their lines start with the time of day):
     * the one whose latest "leads the catalog" line is the newest and was not followed by a loss.
     */
    int catalogLeader() throws java.io.IOException {
        int leader = -1;
        String newest = "";
        for (int i = 0; i < children.length; i++) {
            if (children[i] == null || !children[i].isAlive()) {
                continue;
            }
            String won = "";
            for (String line : java.nio.file.Files.readAllLines(logs[i])) {
                if (line.contains("leads the catalog at epoch")) {
                    won = line.substring(0, 12);
                } else if (line.contains("lost catalog leadership")) {
                    won = "";
                }
            }
            if (won.compareTo(newest) > 0) {
                newest = won;
                leader = i;
            }
        }
        if (leader < 0) {
            throw new IllegalStateException("No node logged that it leads the catalog");
        }
        return leader;
    }

    private Path log(int node, int start) {
        return dir.resolve("node" + node + "-start" + start + ".log");
    }

    /** {@code count} records with keys k0.. and texts {@code prefix}0.., for a native batch put. */
    static JsonArray records(String prefix, int count) {
        JsonArray records = new JsonArray();
        IntStream.range(0, count).forEach(i -> records.add(new JsonObject().put("partitionKey", "k" + i).put("text", prefix + i)));
        return records;
    }

    /** Puts {@code records} through {@code node}: true if every one was stored, false on any failure (to retry). */
    boolean putsAll(int node, String stream, JsonArray records) {
        String failure;
        try {
            HttpResponse<Buffer> r = post(node, "/v1/streams/" + stream + "/records", new JsonObject().put("records", records));
            if (r.statusCode() == 200 && r.bodyAsJsonObject().getInteger("failedRecordCount") == 0) {
                lastPutFailure = null;
                return true;
            }
            failure = r.statusCode() != 200 ? r.statusCode() + " " + r.bodyAsString() : failedRecords(r.bodyAsJsonObject());
        } catch (RuntimeException timedOut) {
            failure = timedOut.getMessage();
        }
        // Printed when it changes, so a test that times out waiting for puts shows why they failed.
        if (!failure.equals(lastPutFailure)) {
            System.out.printf("%tT.%<tL puts through node %d failed: %s%n", System.currentTimeMillis(), node, failure);
            lastPutFailure = failure;
        }
        return false;
    }

    /** The distinct error codes and messages of a put's failed records, each with how many records had it. */
    private static String failedRecords(JsonObject answer) {
        java.util.Map<String, Long> errors = answer.getJsonArray("records").stream().map(o -> (JsonObject) o)
                .filter(o -> o.getString("errorCode") != null)
                .collect(java.util.stream.Collectors.groupingBy(o -> o.getString("errorCode") + ": " + o.getString("errorMessage"),
                        java.util.TreeMap::new, java.util.stream.Collectors.counting()));
        return answer.getInteger("failedRecordCount") + " failed records: " + errors;
    }

    /** Each shard's answer to a read through {@code node}. */
    List<Integer> statuses(int node, String stream, int shards) {
        List<Integer> statuses = new ArrayList<>();
        for (int s = 0; s < shards; s++) {
            statuses.add(get(node, "/v1/streams/" + stream + "/shards/" + shardId(s) + "/records").statusCode());
        }
        return statuses;
    }

    /**
     * The texts of every record readable through {@code node} now, in shard order. The shards are read at
     * once, as one consumer per shard reads them: a shard held up by a failover does not delay the others.
     */
    List<String> readAll(int node, String stream, int shards) {
        List<io.vertx.core.Future<HttpResponse<Buffer>>> sent = IntStream.range(0, shards)
                .mapToObj(s -> getting(node, "/v1/streams/" + stream + "/shards/" + shardId(s) + "/records?from=TRIM_HORIZON&limit=1000"))
                .toList();
        List<String> texts = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (int s = 0; s < shards; s++) {
            HttpResponse<Buffer> r = answer(sent.get(s));
            if (r.statusCode() == 200) {
                r.bodyAsJsonObject().getJsonArray("records").forEach(o -> texts.add(new String(
                        java.util.Base64.getDecoder().decode(((JsonObject) o).getString("data")))));
            } else {
                failures.add(shardId(s) + ": " + r.statusCode() + " " + r.bodyAsString());
            }
        }
        // Printed when it changes, as put failures are: a test waiting for reads shows why they failed.
        String failure = failures.isEmpty() ? null : String.join("; ", failures);
        if (failure != null && !failure.equals(lastReadFailure)) {
            System.out.printf("%tT.%<tL reads through node %d failed: %s%n", System.currentTimeMillis(), node, failure);
        }
        lastReadFailure = failure;
        return texts;
    }

    private static String shardId(int s) {
        return "shardId-" + String.format("%012d", s);
    }

    HttpResponse<Buffer> get(int node, String uri) {
        return answer(getting(node, uri));
    }

    private io.vertx.core.Future<HttpResponse<Buffer>> getting(int node, String uri) {
        return web.get(httpPorts[node], "127.0.0.1", uri).timeout(10_000).send();
    }

    HttpResponse<Buffer> post(int node, String uri, JsonObject body) {
        return answer(web.post(httpPorts[node], "127.0.0.1", uri).timeout(10_000).sendJsonObject(body));
    }

    /** The answer, or an unchecked exception if none came (a node just killed): {@link #awaitTrue} retries those. */
    private static HttpResponse<Buffer> answer(io.vertx.core.Future<HttpResponse<Buffer>> request) {
        try {
            return request.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("No answer: " + e.getMessage(), e);
        }
    }

    /**
     * Waits up to {@code seconds} for {@code condition}. A request that times out (sent to a node killed a
     * moment ago, before the others noticed) counts as "not yet"; the last such failure is in the
     * assertion's cause.
     */
    static void awaitTrue(String what, int seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
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
        throw new AssertionError("Timed out after " + seconds + " s waiting for " + what, last);
    }

    /**
     * {@code condition}, printing each attempt's start (ms after {@code sinceNanos}), its duration and its
     * outcome as {@code <test>: <what> at +S ms took D ms: true|false|<failure>}, so a run's output shows where
     * the time after a fault went (a request waiting for its timeout, a retryable answer, success).
     */
    static BooleanSupplier traced(String test, String what, long sinceNanos, BooleanSupplier condition) {
        return () -> {
            long start = System.nanoTime();
            String outcome = "exception";
            try {
                boolean ok = condition.getAsBoolean();
                outcome = String.valueOf(ok);
                return ok;
            } catch (RuntimeException e) {
                outcome = e.getMessage();
                throw e;
            } finally {
                System.out.printf("%s: %s at +%d ms took %d ms: %s%n", test, what, TimeUnit.NANOSECONDS.toMillis(start - sinceNanos),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), outcome);
            }
        };
    }

    /** Kills every node; their logs are kept in {@code target/it-logs/<cluster name>/} for a post-mortem. */
    @Override
    public void close() {
        for (Process p : children) {
            if (p != null) {
                p.destroyForcibly();
            }
        }
        await(vertx.close());
        Path kept = Path.of("target", "it-logs", name);
        try (var logs = java.nio.file.Files.list(dir)) {
            java.nio.file.Files.createDirectories(kept);
            for (Path log : logs.filter(f -> f.getFileName().toString().endsWith(".log")).toList()) {
                java.nio.file.Files.copy(log, kept.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (java.io.IOException e) {
            System.err.println("ChildCluster: could not keep the node logs: " + e);
        }
    }
}
