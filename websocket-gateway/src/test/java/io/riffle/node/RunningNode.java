package io.riffle.node;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A node started in-process on 127.0.0.1, port 0, plus real clients (WebClient, WebSocketClient) on a
 * separate Vert.x instance. Test helper: blocking calls, each bounded by a timeout.
 */
public final class RunningNode implements AutoCloseable {
    public final Path dataDir;
    private final List<String> args;
    /** The engine's clock, the same across restarts. */
    private java.time.Clock clock = java.time.Clock.systemUTC();
    public Node node;
    public final Vertx clientVertx = Vertx.vertx();
    public final WebClient web;
    public final WebSocketClient ws;

    private RunningNode(Path dataDir, List<String> args) {
        this.dataDir = dataDir;
        this.args = args;
        this.web = WebClient.create(clientVertx, new WebClientOptions().setDefaultHost("127.0.0.1"));
        // Records of up to 1 MiB arrive in one message of about 1.4 MB.
        this.ws = clientVertx.createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(16 << 20));
    }

    /** Starts a node with data in {@code dataDir}; {@code extra} flags override the test defaults. */
    public static RunningNode start(Path dataDir, String... extra) {
        return startOnClock(dataDir, java.time.Clock.systemUTC(), extra);
    }

    /** As {@link #start}, the engine on {@code clock}. */
    public static RunningNode startOnClock(Path dataDir, java.time.Clock clock, String... extra) {
        List<String> args = new ArrayList<>(List.of("--host", "127.0.0.1", "--port", "0", "--data-dir",
                dataDir.toString(), "--gateway-instances", "2", "--throttling", "false"));
        args.addAll(List.of(extra));
        RunningNode n = new RunningNode(dataDir, args);
        n.clock = clock;
        n.startNode();
        return n;
    }

    /** Stops the node only (its clients stay, for {@link #startNode()} on the same directory later). */
    public void stopNode() {
        awaitStop(node);
        node = null;
    }

    /** Starts the node on its data directory and flags. */
    public void startNode() {
        node = await(Node.start(NodeConfig.load(args.toArray(String[]::new), Map.of()), clock));
    }

    /** Stops the node in order and starts a new one on the same data directory and flags. */
    public void restart() {
        awaitStop(node);
        startNode();
    }

    public int port() {
        return node.port();
    }

    public HttpResponse<Buffer> send(HttpMethod method, String uri) {
        return await(web.request(method, port(), "127.0.0.1", uri).send());
    }

    public HttpResponse<Buffer> get(String uri) {
        return send(HttpMethod.GET, uri);
    }

    public HttpResponse<Buffer> delete(String uri) {
        return send(HttpMethod.DELETE, uri);
    }

    public HttpResponse<Buffer> postJson(String uri, JsonObject body) {
        return await(web.post(port(), "127.0.0.1", uri).sendJsonObject(body));
    }

    public HttpResponse<Buffer> postRaw(String uri, String contentType, Buffer body) {
        return await(web.post(port(), "127.0.0.1", uri).putHeader("Content-Type", contentType).sendBuffer(body));
    }

    /** Creates a stream and checks it worked. */
    public JsonObject createStream(String name, int shards) {
        HttpResponse<Buffer> r = postJson("/v1/streams", new JsonObject().put("name", name).put("shardCount", shards));
        if (r.statusCode() != 201) {
            throw new AssertionError("create stream " + name + ": " + r.statusCode() + " " + r.bodyAsString());
        }
        return r.bodyAsJsonObject();
    }

    public static <T> T await(Future<T> f) {
        return await(f, 30);
    }

    /**
     * A clustered node's stop waits for Hazelcast to let it leave, up to 10 s for the CP group alone: the
     * bound is the one {@code RiffleMain} gives a stop (the 30 s shutdown timeout plus 30 s).
     */
    static void awaitStop(Node node) {
        await(node.stop(), 60);
    }

    private static <T> T await(Future<T> f, int seconds) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            // What every thread of the JVM (all its nodes) was doing: a CI log then shows where a stop hung.
            System.out.println("Future did not complete in " + seconds + " s; the JVM's threads:");
            Thread.getAllStackTraces().forEach((t, frames) -> {
                StringBuilder b = new StringBuilder("\"" + t.getName() + "\" " + t.getState() + "\n");
                for (StackTraceElement frame : frames) {
                    b.append("    at ").append(frame).append('\n');
                }
                System.out.print(b);
            });
            throw new AssertionError("Future did not complete: " + e, e);
        } catch (Exception e) {
            throw new AssertionError("Future did not complete: " + e, e);
        }
    }

    @Override
    public void close() {
        try {
            if (node != null) {
                awaitStop(node);
            }
        } finally {
            await(clientVertx.close());
        }
    }
}
