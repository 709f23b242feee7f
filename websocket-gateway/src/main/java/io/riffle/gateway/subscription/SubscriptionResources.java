package io.riffle.gateway.subscription;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every timer and event bus registration one subscription holds, so that whatever ends it releases them all
 * in one place: the {@link ShardSubscription}'s own (heartbeat, retry and expiry timers, its live-record and
 * takeover consumers) and those its sink adds (SubscribeToShard's end timer and stream-change consumer).
 * The subscription calls {@link #releaseAll()} on every ending, before its sink hears
 * {@link SubscriptionSink#onEnd}; after that, a new timer is not set and a new consumer is unregistered at
 * once, so a late callback cannot leak one.
 *
 * <p>The timers it holds are counted in a node-wide gauge ({@code riffle_subscription_timers}): timers
 * that outlive their subscriptions show there. Confined to the subscription's context.
 */
public final class SubscriptionResources {
    private final Vertx vertx;
    private final AtomicLong nodeTimers;
    private final Set<Long> timers = new HashSet<>();
    private final List<MessageConsumer<?>> consumers = new ArrayList<>();
    private boolean released;

    SubscriptionResources(Vertx vertx, AtomicLong nodeTimers) {
        this.vertx = vertx;
        this.nodeTimers = nodeTimers;
    }

    /** A one-shot timer, forgotten once it fired; -1 (and no timer) once released. */
    public long setTimer(long delayMillis, Handler<Long> handler) {
        if (released) {
            return -1;
        }
        return hold(vertx.setTimer(delayMillis, id -> {
            forget(id);
            handler.handle(id);
        }));
    }

    /** A periodic timer, held until cancelled or released; -1 (and no timer) once released. */
    public long setPeriodic(long periodMillis, Handler<Long> handler) {
        if (released) {
            return -1;
        }
        return hold(vertx.setPeriodic(periodMillis, handler));
    }

    /** Cancels a timer this object set; other ids (-1, fired, foreign) are ignored. */
    public void cancelTimer(long id) {
        if (forget(id)) {
            vertx.cancelTimer(id);
        }
    }

    /** Holds an event bus registration until release; unregisters it at once if already released. */
    public <T> MessageConsumer<T> consumer(MessageConsumer<T> consumer) {
        if (released) {
            consumer.unregister();
        } else {
            consumers.add(consumer);
        }
        return consumer;
    }

    /** Cancels every timer and unregisters every consumer held. Idempotent. */
    void releaseAll() {
        released = true;
        new ArrayList<>(timers).forEach(this::cancelTimer);
        consumers.forEach(MessageConsumer::unregister);
        consumers.clear();
    }

    /** Timers held now (for tests). */
    int timers() {
        return timers.size();
    }

    /** Event bus registrations held now (for tests). */
    int consumers() {
        return consumers.size();
    }

    private long hold(long id) {
        timers.add(id);
        nodeTimers.incrementAndGet();
        return id;
    }

    private boolean forget(long id) {
        if (!timers.remove(id)) {
            return false;
        }
        nodeTimers.decrementAndGet();
        return true;
    }
}
