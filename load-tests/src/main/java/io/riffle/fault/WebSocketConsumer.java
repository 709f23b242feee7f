package io.riffle.fault;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

/**
 * A consumer on the native WebSocket API (one subscription for every shard, with the JDK's WebSocket). When
 * the socket closes, fails, or is silent for longer than three heartbeats, it subscribes again through
 * another random node with {@code positions=} each shard's last continuation sequence number, so it
 * resumes where it was: every repeat it then reads is a fault of the node's, which the checker counts.
 */
final class WebSocketConsumer implements Runnable {
    static final String NAME = "WebSocket";
    private static final long SILENCE_MILLIS = 15_000;

    private final HttpClient http;
    private final IntFunction<URI> endpoint;
    private final int nodes;
    private final String stream;
    private final String consumer;
    private final History history;
    private final Random random;
    private final Map<String, String> positions = new ConcurrentHashMap<>();
    private volatile boolean running = true;
    private volatile long lastFrameAt;
    private volatile int subscriptions;

    WebSocketConsumer(HttpClient http, IntFunction<URI> endpoint, int nodes, String stream, String consumer,
                      History history, long seed) {
        this.http = http;
        this.endpoint = endpoint;
        this.nodes = nodes;
        this.stream = stream;
        this.consumer = consumer;
        this.history = history;
        this.random = new Random(seed);
    }

    void stop() {
        running = false;
    }

    /** How many times it subscribed (1 + reconnections). */
    int subscriptions() {
        return subscriptions;
    }

    @Override
    public void run() {
        while (running) {
            CompletableFuture<Void> closed = new CompletableFuture<>();
            WebSocket ws = null;
            try {
                subscriptions++;
                ws = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(3))
                        .buildAsync(uri(random.nextInt(nodes)), new Listener(closed)).get(5, TimeUnit.SECONDS);
                lastFrameAt = history.now();
                while (running && !closed.isDone() && history.now() - lastFrameAt < SILENCE_MILLIS) {
                    Thread.sleep(100);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                // refused, timed out, or answered with an error before the upgrade: try another node
            } finally {
                if (ws != null) {
                    ws.abort();
                }
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private URI uri(int node) {
        String ws = endpoint.apply(node).toString().replaceFirst("^http", "ws");
        String query = "consumer=" + consumer + "&from=TRIM_HORIZON";
        if (!positions.isEmpty()) {
            query += "&positions=" + positions.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue())
                    .collect(Collectors.joining(","));
        }
        return URI.create(ws + "/v1/streams/" + stream + "/subscribe?" + query);
    }

    private final class Listener implements WebSocket.Listener {
        private final CompletableFuture<Void> closed;
        private final StringBuilder text = new StringBuilder();

        Listener(CompletableFuture<Void> closed) {
            this.closed = closed;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                frame(new JsonObject(text.toString()));
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        private void frame(JsonObject frame) {
            lastFrameAt = history.now();
            String shardId = frame.getString("shardId");
            if ("records".equals(frame.getString("type"))) {
                for (Object o : frame.getJsonArray("records")) {
                    JsonObject r = (JsonObject) o;
                    history.read(NAME, new History.Read(shardId, r.getString("sequenceNumber"),
                            new String(Base64.getDecoder().decode(r.getString("data")), StandardCharsets.UTF_8)));
                }
            }
            String continuation = frame.getString("continuationSequenceNumber");
            if (continuation != null) {
                positions.put(shardId, continuation);
            }
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
            closed.complete(null);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.complete(null);
        }
    }
}
