package io.riffle.client;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.FluxSink;

/**
 * One {@link RiffleClient#subscribe} call: a WebSocket to the node whose reading follows Reactor's demand,
 * and that reconnects after a break from just after the last received record of each shard.
 *
 * <p>Backpressure: the socket stays paused and the subscription asks Vert.x for one frame at a time, only
 * when every record of the previous frame has been delivered and the downstream still has demand. While
 * it does not ask, TCP's window fills and the node stops pushing for this subscriber. So the client holds
 * at most one frame's records beyond the downstream's demand.
 *
 * <p>Threading: every field is touched only on the client's Vert.x context; Reactor's request and cancel
 * signals hop onto it.
 */
final class Subscription {
    private static final Logger LOG = LoggerFactory.getLogger(Subscription.class);
    /** The node closes with 1000 when every subscribed shard ended (closed shards, fully delivered). */
    static final short CLOSE_NORMAL = 1000;
    /** The node closes with this code when another subscription of the consumer takes a shard over. */
    static final short CLOSE_TAKEN_OVER = 4409;

    private final Context context;
    private final WebSocketClient client;
    private final RiffleClientOptions options;
    private final String stream;
    private final String consumer;
    private final Optional<List<String>> shards;
    private final FluxSink<Record> sink;
    private final java.util.function.BooleanSupplier clientClosed;
    private final ResumePositions positions;
    private final ArrayDeque<Record> pending = new ArrayDeque<>();
    private ClientWebSocket ws;
    private boolean connected;
    private boolean fetching;
    private Buffer partial;
    private boolean done;
    private boolean ended;
    private int failedConnects;
    private long lastFrameMillis;
    private long watchdog = -1;

    Subscription(Context context, WebSocketClient client, RiffleClientOptions options, String stream,
                 String consumer, StartPosition start, Optional<List<String>> shards, FluxSink<Record> sink,
                 java.util.function.BooleanSupplier clientClosed) {
        this.context = context;
        this.client = client;
        this.options = options;
        this.stream = stream;
        this.consumer = consumer;
        this.shards = shards;
        this.sink = sink;
        this.clientClosed = clientClosed;
        this.positions = new ResumePositions(start);
    }

    /** Wires Reactor's signals and opens the first connection; call on the context. */
    void start() {
        sink.onRequest(n -> context.runOnContext(v -> deliver()));
        sink.onDispose(() -> context.runOnContext(v -> stop()));
        long period = Math.max(1000, options.idleTimeout().toMillis() / 4);
        watchdog = context.owner().setPeriodic(period, id -> checkIdle());
        connect();
    }

    /** The URI of the next connection, from the current resume positions. */
    String uri() {
        StringBuilder uri = new StringBuilder(Queries.stream(stream)).append("/subscribe?consumer=")
                .append(Queries.encode(consumer)).append('&').append(positions.query());
        shards.ifPresent(s -> uri.append("&shards=").append(Queries.encode(String.join(",", s))));
        return uri.toString();
    }

    private void connect() {
        if (done) {
            return;
        }
        ClientWebSocket socket;
        try {
            socket = client.webSocket();
        } catch (IllegalStateException closed) {
            fail(new RiffleException(ErrorCode.SERVICE_UNAVAILABLE, "Stream " + stream + " consumer " + consumer
                    + ": the client is closed"));
            return;
        }
        ws = socket;
        partial = null;
        fetching = false;
        socket.frameHandler(f -> {
            if (socket == ws) {
                onFrame(f);
            }
        });
        socket.closeHandler(v -> {
            if (socket == ws) {
                onClosed(socket);
            }
        });
        socket.exceptionHandler(t -> LOG.debug("Stream {} consumer {}: socket error: {}", stream, consumer,
                t.toString()));
        WebSocketConnectOptions connect = new WebSocketConnectOptions().setHost(options.host())
                .setPort(options.port()).setURI(uri()).setTimeout(options.requestTimeout().toMillis());
        socket.connect(connect).onComplete(ar -> {
            if (socket != ws) {
                return;
            }
            if (ar.failed()) {
                onConnectFailed(ar.cause());
                return;
            }
            if (done) {
                socket.close();
                return;
            }
            // a ClientWebSocket cannot pause before it connects; frames that slip in before are still
            // handled (and bounded by what one TCP read holds)
            socket.pause();
            connected = true;
            failedConnects = 0;
            lastFrameMillis = options.clock().millis();
            deliver();
        });
    }

    private void onFrame(WebSocketFrame frame) {
        lastFrameMillis = options.clock().millis();
        if (frame.isText() || frame.isBinary() || frame.isContinuation()) {
            partial = partial == null ? frame.binaryData().copy() : partial.appendBuffer(frame.binaryData());
            if (!frame.isFinal()) {
                ws.fetch(1);
                return;
            }
            Buffer message = partial;
            partial = null;
            fetching = false;
            onMessage(message);
        } else {
            // ping, pong or close: not a message; keep asking for the one we wanted
            fetching = false;
        }
        deliver();
    }

    private void onMessage(Buffer message) {
        Wire.Frame frame;
        try {
            frame = Wire.decodeFrame(message);
        } catch (RiffleException e) {
            fail(e);
            return;
        }
        if (frame.error().isPresent()) {
            RiffleException e = frame.error().get();
            if (!PutScheduler.isRetryable(e.code())) {
                fail(e);
            }
            return;
        }
        for (Record r : frame.records()) {
            pending.addLast(r);
            positions.received(r.shardId(), r.sequenceNumber());
        }
        if (frame.shardId().isPresent() && !frame.type().equals("end")) {
            positions.heard(frame.shardId().get(), frame.continuationSequenceNumber());
        }
    }

    /** Emits what the downstream asked for, then asks the socket for one more frame if it may. */
    private void deliver() {
        while (!done && !pending.isEmpty() && sink.requestedFromDownstream() > 0) {
            sink.next(pending.pollFirst());
        }
        if (!done && ended && pending.isEmpty()) {
            stop();
            sink.complete();
            return;
        }
        if (!done && connected && !fetching && pending.isEmpty() && sink.requestedFromDownstream() > 0) {
            fetching = true;
            ws.fetch(1);
        }
    }

    /**
     * The node closed the socket: 1000 means every shard ended (complete once delivered), 4409 a takeover
     * (fail), 4000 + an HTTP status an engine error (retry if transient); anything else, such as 1001 when
     * the node stops or a lost connection, is retried.
     */
    private void onClosed(ClientWebSocket socket) {
        Short code = socket.closeStatusCode();
        String reason = String.valueOf(socket.closeReason());
        String who = "Stream " + stream + " consumer " + consumer;
        if (clientClosed.getAsBoolean()) {
            fail(new RiffleException(ErrorCode.SERVICE_UNAVAILABLE, who + ": the client is closed"));
        } else if (code != null && code == CLOSE_NORMAL) {
            connected = false;
            ws = null;
            ended = true;
            deliver();
        } else if (code != null && code == CLOSE_TAKEN_OVER) {
            onBroken(new RiffleException(ErrorCode.RESOURCE_IN_USE, who + ": taken over (" + reason + ")"));
        } else if (code != null && code >= 4000 && code < 5000) {
            int colon = reason.indexOf(':');
            String wireName = colon > 0 ? reason.substring(0, colon) : null;
            onBroken(new RiffleException(Wire.codeFor(wireName, code - 4000), who + ": " + reason));
        } else {
            onBroken(new RiffleException(ErrorCode.SERVICE_UNAVAILABLE, who + ": connection closed (" + code
                    + " " + reason + ")"));
        }
    }

    private void onConnectFailed(Throwable cause) {
        if (cause instanceof UpgradeRejectedException rejected && rejected.getStatus() < 500
                && rejected.getStatus() != 429) {
            fail(Wire.decodeError(rejected.getStatus(), rejected.getBody() == null ? Buffer.buffer() : rejected.getBody()));
            return;
        }
        onBroken(new RiffleException(ErrorCode.SERVICE_UNAVAILABLE, "Stream " + stream + " consumer " + consumer
                + ": cannot connect: " + cause.getMessage(), cause));
    }

    /** The connection is gone: retry with backoff unless the cause is final or retries ran out. */
    private void onBroken(RiffleException cause) {
        connected = false;
        ws = null;
        if (done) {
            return;
        }
        if (!PutScheduler.isRetryable(cause.code())) {
            fail(cause);
            return;
        }
        failedConnects++;
        if (failedConnects > options.maxReconnects() + 1) {
            fail(cause);
            return;
        }
        long delay = failedConnects == 1 ? 0 : options.backoff().delayMillis(failedConnects - 1);
        LOG.info("Stream {} consumer {}: reconnecting in {} ms after: {}", stream, consumer, delay, cause.getMessage());
        if (delay == 0) {
            connect();
        } else {
            context.owner().setTimer(delay, id -> connect());
        }
    }

    private void checkIdle() {
        if (connected && fetching && options.clock().millis() - lastFrameMillis > options.idleTimeout().toMillis()) {
            ClientWebSocket stale = ws;
            onBroken(new RiffleException(ErrorCode.SERVICE_UNAVAILABLE, "Stream " + stream + " consumer "
                    + consumer + ": no frame for " + options.idleTimeout().toMillis() + " ms"));
            stale.close();
        }
    }

    private void fail(RiffleException e) {
        if (!done) {
            stop();
            sink.error(e);
        }
    }

    /** Cancelled or failed: close the socket (the node frees the subscription) and stop the watchdog. */
    private void stop() {
        if (done) {
            return;
        }
        done = true;
        pending.clear();
        context.owner().cancelTimer(watchdog);
        ClientWebSocket socket = ws;
        ws = null;
        connected = false;
        if (socket != null) {
            socket.close((short) 1000, "cancelled").onFailure(t -> LOG.debug("Close failed: {}", t.toString()));
        }
    }
}
