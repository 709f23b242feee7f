package io.riffle.gateway.ws;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.gateway.GatewayServices;
import io.riffle.gateway.subscription.ShardEvent;
import io.riffle.gateway.subscription.ShardLineage;
import io.riffle.model.ShardDescription;
import io.riffle.gateway.subscription.ShardSubscription;
import io.riffle.gateway.subscription.SubscriptionEnd;
import io.riffle.gateway.subscription.SubscriptionSink;
import io.riffle.model.ConsumerDescription;
import io.riffle.model.ShardId;
import io.riffle.model.StreamName;
import io.riffle.stream.ReadFrom;
import io.vertx.core.Future;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscriber's WebSocket: a {@link ShardSubscription} per shard, all writing JSON text frames to the
 * socket. Follows the socket's backpressure: a shard gets demand for its next event only while the
 * socket's write queue is not full, else when it drains; so a client that stops reading makes the node
 * stop reading the log for it.
 *
 * <p>Frames: {@code {"type":"records","shardId","records":[...],"millisBehindLatest",
 * "continuationSequenceNumber"}}, {@code {"type":"heartbeat", ...same fields but records}} and
 * {@code {"type":"end","shardId","childShards":[...]}} at the end of a closed shard. Close codes: 1000 when every shard ended,
 * 1001 when the node stops, 4409 when another subscription of the same consumer took a shard over, and
 * 4000 + the native HTTP status of an engine error (4404 for a deleted stream or a deregistered consumer, ...).
 *
 * <p>Follows the lineage: at the end of a closed shard it subscribes to each child (from where the
 * request's positions say, else from its start) once every parent this socket reads, or will read through
 * the lineage, has ended; so a key's records arrive in order across splits and merges, parent before child.
 *
 * <p>Lives on the event loop of the gateway verticle that accepted the socket.
 */
public final class SubscriberSocket {
    private static final Logger LOG = LoggerFactory.getLogger(SubscriberSocket.class);
    public static final short CLOSE_NORMAL = 1000;
    public static final short CLOSE_GOING_AWAY = 1001;
    public static final short CLOSE_TAKEN_OVER = 4409;
    /**
     * Record bytes per frame. Base64 and JSON grow them by about a third, which keeps frames under the 256 KiB
     * message limit common WebSocket clients (Vert.x's default among them) start with; a single larger
     * record still goes out alone.
     */
    static final int MAX_FRAME_RECORD_BYTES = 160 * 1024;

    private final ServerWebSocket ws;
    private final GatewayServices services;
    private final FrameEncoder frames;
    private final Map<ShardId, ShardSubscription> subscriptions = new LinkedHashMap<>();
    /** Subscriptions whose last event hit a full write queue: they get demand when it drains. */
    private final Set<ShardSubscription> waitingForDrain = new LinkedHashSet<>();
    /** Every shard this socket started, and those of them read to their end. */
    private final Set<ShardId> read = new java.util.HashSet<>();
    private final Set<ShardId> finished = new java.util.HashSet<>();
    /** Starts and end-of-shard look-ups in flight: the socket does not close as done meanwhile. */
    private int busy;
    private StreamName stream;
    private ConsumerDescription consumer;
    private long bytesPerSecond;
    private java.util.function.Function<ShardId, ReadFrom> childStart;
    private boolean closed;

    SubscriberSocket(ServerWebSocket ws, GatewayServices services, FrameEncoder frames,
                     Consumer<SubscriberSocket> onClose) {
        this.ws = ws;
        this.services = services;
        this.frames = frames;
        ws.drainHandler(v -> {
            List<ShardSubscription> ready = new ArrayList<>(waitingForDrain);
            waitingForDrain.clear();
            ready.forEach(s -> s.request(1));
        });
        ws.closeHandler(v -> {
            closed = true;
            new ArrayList<>(subscriptions.values()).forEach(ShardSubscription::cancel);
            onClose.accept(this);
        });
        // Clients have nothing to say after the upgrade; text they send is ignored.
        ws.textMessageHandler(t -> { });
        ws.exceptionHandler(e -> LOG.debug("Subscriber socket from {} failed: {}", ws.remoteAddress(), e.toString()));
    }

    /**
     * Starts one subscription per shard, each pushing at most {@code bytesPerSecond} (the stream's
     * consumer limit; 0 = off); a failure to start closes the socket with the error's code.
     *
     * @param childStart where a child reached through the lineage starts
     */
    Future<Void> start(StreamName stream, ConsumerDescription consumer, Map<ShardId, ReadFrom> positions,
                       java.util.function.Function<ShardId, ReadFrom> childStart, long bytesPerSecond) {
        this.stream = stream;
        this.consumer = consumer;
        this.bytesPerSecond = bytesPerSecond;
        this.childStart = childStart;
        List<Future<ShardSubscription>> started = new ArrayList<>();
        positions.forEach((shard, from) -> started.add(startShard(shard, from)));
        return Future.all(started).<Void>mapEmpty().onFailure(e -> {
            started.stream().filter(Future::succeeded).forEach(f -> f.result().cancel());
            closeWith(RiffleException.of(e));
        });
    }

    private Future<ShardSubscription> startShard(ShardId shard, ReadFrom from) {
        read.add(shard);
        busy++;
        return ShardSubscription.start(services.vertx(), services.client(), stream, shard, consumer, from,
                        services.subscriptions().withMaxBatchBytes(MAX_FRAME_RECORD_BYTES).withBytesPerSecond(bytesPerSecond),
                        services.subscriptionMetrics(), new Sink(shard))
                .onSuccess(s -> {
                    if (closed) {
                        s.cancel();
                    } else {
                        subscriptions.put(shard, s);
                        s.request(1);
                    }
                })
                .onComplete(ar -> {
                    busy--;
                    closeIfDone();
                });
    }

    /** A shard ended: tell the client, with its children, and start those whose parents are all done. */
    private void onEndOfShard(ShardId shard) {
        finished.add(shard);
        busy++;
        services.client().describe(stream).onComplete(ar -> {
            busy--;
            if (closed) {
                return;
            }
            if (ar.failed()) {
                closeWith(RiffleException.of(ar.cause()));
                return;
            }
            ShardLineage lineage = new ShardLineage(ar.result());
            List<ShardId> children = lineage.children(shard).stream().map(ShardDescription::shardId).toList();
            ws.writeTextMessage(new JsonObject().put("type", "end").put("shardId", shard.toString())
                    .put("childShards", new io.vertx.core.json.JsonArray(children.stream().map(ShardId::toString).toList()))
                    .encode());
            for (ShardId child : children) {
                if (!read.contains(child) && lineage.mayStart(child, read, finished)) {
                    startShard(child, childStart.apply(child)).onFailure(e -> closeWith(RiffleException.of(e)));
                }
            }
            closeIfDone();
        });
    }

    private void closeIfDone() {
        if (!closed && busy == 0 && subscriptions.isEmpty() && !read.isEmpty()) {
            close(CLOSE_NORMAL, "every subscribed shard ended");
        }
    }

    /** Closes the socket because the node stops (1001). */
    public void shutdown() {
        close(CLOSE_GOING_AWAY, "node shutting down");
    }

    private void closeWith(RiffleException e) {
        ErrorCode code = e.code();
        close((short) (4000 + code.httpStatus()), code.wireName() + ": " + e.getMessage());
    }

    private void close(short code, String reason) {
        if (closed) {
            return;
        }
        closed = true;
        new ArrayList<>(subscriptions.values()).forEach(ShardSubscription::cancel);
        // A close reason must fit a control frame (125 bytes with the code).
        String r = reason.length() > 120 ? reason.substring(0, 120) : reason;
        ws.close(code, r);
    }

    private final class Sink implements SubscriptionSink {
        private final ShardId shard;
        private final String shardText;

        Sink(ShardId shard) {
            this.shard = shard;
            this.shardText = shard.toString();
        }

        @Override
        public void onEvent(ShardEvent e) {
            if (closed) {
                return;
            }
            ws.writeTextMessage(frames.frame(shardText, e));
            ShardSubscription s = subscriptions.get(shard);
            if (s == null) {
                return; // the first event came before start() recorded the subscription; start() grants demand
            }
            if (ws.writeQueueFull()) {
                waitingForDrain.add(s);
            } else {
                s.request(1);
            }
        }

        @Override
        public void onEnd(SubscriptionEnd end) {
            ShardSubscription s = subscriptions.remove(shard);
            waitingForDrain.remove(s);
            if (closed) {
                return;
            }
            if (end instanceof SubscriptionEnd.TakenOver) {
                close(CLOSE_TAKEN_OVER, "Consumer subscription to " + shard + " was taken over by a newer one");
            } else if (end instanceof SubscriptionEnd.Failed f) {
                closeWith(f.error());
            } else if (end instanceof SubscriptionEnd.Expired) {
                close(CLOSE_NORMAL, "subscription reached its maximum duration");
            } else if (end instanceof SubscriptionEnd.EndOfShard) {
                onEndOfShard(shard);
            }
        }
    }
}
