package io.riffle.gateway.subscription;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.riffle.model.ConsumerName;
import io.riffle.model.ShardId;
import io.riffle.model.StreamName;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The push side's meters, per stream, shard and consumer (tags {@code stream}, {@code shard},
 * {@code consumer}):
 * <ul>
 *   <li>{@code riffle.subscription.outgoing.records} / {@code riffle.subscription.outgoing.bytes}: counters of records and bytes
 *       (partition key plus data) pushed to subscribers;</li>
 *   <li>{@code riffle.subscribers}: live subscriptions;</li>
 *   <li>{@code riffle.subscriber.lag.millis}: millisBehindLatest of the latest event;</li>
 *   <li>{@code riffle.subscription.buffered.bytes}: live records held in memory, waiting for the sink
 *       (bounded by {@link SubscriptionOptions#maxBufferedBytes()} per subscription).</li>
 * </ul>
 * and, node-wide, {@code riffle.subscription.timers}: timers held by live subscriptions (a few each; see
 * {@link SubscriptionResources}).
 * One instance per node, shared by every gateway verticle: thread-safe.
 */
public final class SubscriptionMetrics {
    private final MeterRegistry registry;
    private final ConcurrentMap<Tags, Slot> slots = new ConcurrentHashMap<>();
    /** Timers held by every subscription of the node. */
    final AtomicLong timers = new AtomicLong();

    public SubscriptionMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("riffle.subscription.timers", timers, AtomicLong::get)
                .description("Timers held by live subscriptions").register(registry);
    }

    /** The meters of one stream, shard and consumer; subscriptions that share them add up. */
    Slot slot(StreamName stream, ShardId shard, ConsumerName consumer) {
        Tags tags = Tags.of("stream", stream.value(), "shard", shard.toString(), "consumer", consumer.value());
        return slots.computeIfAbsent(tags, t -> new Slot(registry, t));
    }

    /** Bytes buffered now by all subscriptions of this stream, shard and consumer (0 if none). */
    public long bufferedBytes(StreamName stream, ShardId shard, ConsumerName consumer) {
        return slot(stream, shard, consumer).buffered.get();
    }

    static final class Slot {
        final Counter records;
        final Counter bytes;
        final AtomicLong subscribers = new AtomicLong();
        final AtomicLong lagMillis = new AtomicLong();
        final AtomicLong buffered = new AtomicLong();

        private Slot(MeterRegistry registry, Tags tags) {
            records = Counter.builder("riffle.subscription.outgoing.records").tags(tags)
                    .description("Records pushed to subscribers").register(registry);
            bytes = Counter.builder("riffle.subscription.outgoing.bytes").tags(tags).baseUnit("bytes")
                    .description("Partition key plus data bytes pushed to subscribers").register(registry);
            Gauge.builder("riffle.subscribers", subscribers, AtomicLong::get).tags(tags)
                    .description("Live subscriptions").register(registry);
            Gauge.builder("riffle.subscriber.lag.millis", lagMillis, AtomicLong::get).tags(tags)
                    .description("millisBehindLatest of the latest event pushed").register(registry);
            Gauge.builder("riffle.subscription.buffered.bytes", buffered, AtomicLong::get).tags(tags)
                    .baseUnit("bytes").description("Live records held in memory for slow subscribers")
                    .register(registry);
        }
    }
}
