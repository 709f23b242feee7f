package io.riffle.gateway;

import io.riffle.node.RunningNode;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A WebSocket subscriber for tests: a real Vert.x ClientWebSocket whose frames land in a queue. */
final class Subscriber implements AutoCloseable {
    final LinkedBlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    final CompletableFuture<Short> closed = new CompletableFuture<>();
    final ClientWebSocket socket;

    private Subscriber(ClientWebSocket socket) {
        this.socket = socket;
    }

    /** Connects to {@code uri}; handlers are set before connecting so no early frame is lost. */
    static Subscriber connect(RunningNode node, String uri) {
        ClientWebSocket socket = node.ws.webSocket();
        Subscriber s = new Subscriber(socket);
        socket.textMessageHandler(t -> s.frames.add(new JsonObject(t)));
        socket.closeHandler(v -> s.closed.complete(socket.closeStatusCode()));
        RunningNode.await(socket.connect(node.port(), "127.0.0.1", uri));
        return s;
    }

    /** The HTTP status a refused upgrade got. */
    static UpgradeRejectedException refused(RunningNode node, String uri) {
        ClientWebSocket socket = node.ws.webSocket();
        try {
            socket.connect(node.port(), "127.0.0.1", uri).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof UpgradeRejectedException r) {
                return r;
            }
            throw new AssertionError("Expected a refused upgrade, got " + e.getCause(), e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("The upgrade to " + uri + " was accepted");
    }

    JsonObject next(long timeoutMillis) throws InterruptedException {
        JsonObject f = frames.poll(timeoutMillis, TimeUnit.MILLISECONDS);
        if (f == null) {
            throw new AssertionError("No frame within " + timeoutMillis + " ms");
        }
        return f;
    }

    /** Reads record frames (skipping heartbeats) until {@code count} records came, in arrival order. */
    List<JsonObject> records(int count, long timeoutMillis) throws InterruptedException {
        List<JsonObject> out = new ArrayList<>();
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (out.size() < count) {
            long left = deadline - System.currentTimeMillis();
            JsonObject f = frames.poll(Math.max(1, left), TimeUnit.MILLISECONDS);
            if (f == null) {
                throw new AssertionError("Only " + out.size() + " of " + count + " records within " + timeoutMillis + " ms");
            }
            if ("records".equals(f.getString("type"))) {
                JsonArray rs = f.getJsonArray("records");
                for (int i = 0; i < rs.size(); i++) {
                    out.add(rs.getJsonObject(i).put("shardId", f.getString("shardId"))
                            .put("frameContinuation", f.getString("continuationSequenceNumber")));
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        if (!closed.isDone()) {
            socket.close();
        }
    }
}
