package io.riffle.gateway.subscription;

/**
 * Where a {@link ShardSubscription} pushes. Both methods run on the subscription's context and must not
 * block. The sink controls the pace: the subscription emits one event per unit of demand granted with
 * {@link ShardSubscription#request(long)} and reads nothing more while it has none.
 *
 * <p>Typical use with a Vert.x {@code WriteStream} (a WebSocket, an HTTP/2 response):
 * <pre>{@code
 * public void onEvent(ShardEvent e) {
 *     socket.write(encode(e));
 *     if (!socket.writeQueueFull()) subscription.request(1);
 *     else socket.drainHandler(v -> subscription.request(1));
 * }
 * }</pre>
 */
public interface SubscriptionSink {
    /** The next event; records of consecutive events are contiguous. A heartbeat has no records. */
    void onEvent(ShardEvent event);

    /**
     * The subscription ended and has released everything it held, including the timers and consumers the
     * sink added through {@link ShardSubscription#resources()}; no event follows.
     */
    void onEnd(SubscriptionEnd end);
}
