package io.riffle.gateway.subscription;

import io.riffle.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.model.ConsumerDescription;
import io.riffle.model.ConsumerName;
import io.riffle.model.Record;
import io.riffle.model.ShardId;
import io.riffle.model.StreamName;
import io.riffle.stream.CreateStream;
import io.riffle.stream.Engine;
import io.riffle.stream.EngineConfig;
import io.riffle.stream.PutEntry;
import io.riffle.stream.ReadFrom;
import io.riffle.stream.StreamClient;
import io.riffle.throttle.ThroughputLimits;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The shard subscription against a real engine (real logs in a temp dir), driven the way a sink drives it. */
@Timeout(60)
class ShardSubscriptionTest {
    private static final StreamName STREAM = StreamName.of("subs");
    private static final ShardId SHARD = new ShardId(0);
    private static final ConsumerName CONSUMER = ConsumerName.of("app");

    @TempDir
    Path dataDir;
    private Vertx vertx;
    private Engine engine;
    private StreamClient client;
    private Context context;
    private SubscriptionMetrics metrics;
    private ConsumerDescription registered;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        engine = await(Engine.start(vertx, EngineConfig.defaults(dataDir).withLimits(ThroughputLimits.OFF)));
        client = engine.client();
        await(client.create(CreateStream.of(STREAM.value(), 1)));
        registered = await(client.registerConsumer(STREAM, CONSUMER));
        context = vertx.getOrCreateContext();
        metrics = new SubscriptionMetrics(new SimpleMeterRegistry());
    }

    @AfterEach
    void stop() {
        await(engine.stop());
        await(vertx.close());
    }

    /** Collects what a subscription pushes; demand is granted explicitly by the test. */
    static final class Collector implements SubscriptionSink {
        final LinkedBlockingQueue<ShardEvent> events = new LinkedBlockingQueue<>();
        final CompletableFuture<SubscriptionEnd> end = new CompletableFuture<>();

        @Override
        public void onEvent(ShardEvent event) {
            events.add(event);
        }

        @Override
        public void onEnd(SubscriptionEnd e) {
            end.complete(e);
        }

        ShardEvent next() throws InterruptedException {
            ShardEvent e = events.poll(10, TimeUnit.SECONDS);
            assertThat(e).as("an event within 10 s").isNotNull();
            return e;
        }
    }

    private ShardSubscription subscribe(ReadFrom from, SubscriptionOptions options, Collector sink) {
        return await(onContext(() -> ShardSubscription.start(vertx, client, STREAM, SHARD, registered, from, options,
                metrics, sink)));
    }

    private void request(ShardSubscription s, long n) {
        context.runOnContext(v -> s.request(n));
    }

    private <T> Future<T> onContext(Supplier<Future<T>> call) {
        Promise<T> p = Promise.promise();
        context.runOnContext(v -> call.get().onComplete(p));
        return p.future();
    }

    private void put(int from, int count, int dataBytes) {
        List<PutEntry> entries = IntStream.range(from, from + count)
                .mapToObj(i -> PutEntry.of("k", pad("r" + i, dataBytes))).toList();
        await(client.put(STREAM, entries));
    }

    private static byte[] pad(String s, int size) {
        byte[] out = new byte[Math.max(size, s.length())];
        System.arraycopy(s.getBytes(), 0, out, 0, s.length());
        return out;
    }

    private static String name(Record r) {
        return new String(r.data()).trim().replace("\0", "");
    }

    private static SubscriptionOptions options(long bytesPerSecond, int maxBatchRecords, int maxBatchBytes,
                                               long maxBufferedBytes, Clock clock) {
        return new SubscriptionOptions(bytesPerSecond, 60_000, maxBatchRecords, maxBatchBytes, maxBufferedBytes, 0, clock);
    }

    @Test
    void emitsOneEventPerUnitOfDemandAndNothingWithout() throws Exception {
        put(0, 10, 0);
        Collector sink = new Collector();
        ShardSubscription s = subscribe(new ReadFrom.TrimHorizon(), options(0, 4, 1 << 20, 1 << 20, Clock.systemUTC()), sink);
        assertThat(sink.events.poll(300, TimeUnit.MILLISECONDS)).as("no event without demand").isNull();
        request(s, 1);
        ShardEvent first = sink.next();
        assertThat(first.records()).extracting(ShardSubscriptionTest::name).containsExactly("r0", "r1", "r2", "r3");
        assertThat(first.continuation()).contains(first.records().get(3).sequenceNumber(SHARD));
        assertThat(sink.events.poll(300, TimeUnit.MILLISECONDS)).isNull();
        request(s, 2);
        assertThat(sink.next().records()).extracting(ShardSubscriptionTest::name).containsExactly("r4", "r5", "r6", "r7");
        assertThat(sink.next().records()).extracting(ShardSubscriptionTest::name).containsExactly("r8", "r9");
    }

    @Test
    void liveRecordsHeldForAStalledSinkStayWithinTheBufferBoundAndNoneIsLost() throws Exception {
        Collector sink = new Collector();
        ShardSubscription s = subscribe(new ReadFrom.Latest(), options(0, 1000, 1 << 20, 1000, Clock.systemUTC()), sink);
        for (int i = 0; i < 100; i += 10) {
            put(i, 10, 100);
            assertThat(metrics.bufferedBytes(STREAM, SHARD, CONSUMER)).isLessThanOrEqualTo(1000);
        }
        assertThat(sink.events).isEmpty();
        request(s, Long.MAX_VALUE);
        List<String> got = new ArrayList<>();
        while (got.size() < 100) {
            sink.next().records().forEach(r -> got.add(name(r)));
        }
        assertThat(got).containsExactlyElementsOf(IntStream.range(0, 100).mapToObj(i -> "r" + i).toList());
        assertThat(metrics.bufferedBytes(STREAM, SHARD, CONSUMER)).isLessThanOrEqualTo(1000);
    }

    @Test
    void tokenBucketHoldsDeliveryUntilTimeRefillsIt() throws Exception {
        MutableClock clock = new MutableClock(1_700_000_000_000L);
        put(0, 10, 600);
        Collector sink = new Collector();
        // 1000 B/s and one 601-byte record per event: two events drain the bucket into debt.
        ShardSubscription s = subscribe(new ReadFrom.TrimHorizon(), options(1000, 1, 1 << 20, 1 << 20, clock), sink);
        request(s, Long.MAX_VALUE);
        assertThat(name(sink.next().records().get(0))).isEqualTo("r0");
        assertThat(name(sink.next().records().get(0))).isEqualTo("r1");
        assertThat(sink.events.poll(500, TimeUnit.MILLISECONDS)).as("held while the clock stands still").isNull();
        clock.advance(1000);
        assertThat(name(sink.next().records().get(0))).isEqualTo("r2");
    }

    @Test
    void aSecondSubscriptionOfTheSameConsumerTakesOver() throws Exception {
        SubscriptionOptions o = options(0, 100, 1 << 20, 1 << 20, Clock.systemUTC());
        Collector first = new Collector();
        subscribe(new ReadFrom.Latest(), o, first);
        Collector second = new Collector();
        ShardSubscription s2 = subscribe(new ReadFrom.Latest(), o, second);
        assertThat(first.end.get(10, TimeUnit.SECONDS)).isInstanceOf(SubscriptionEnd.TakenOver.class);
        request(s2, 1);
        put(0, 1, 0);
        assertThat(second.next().records()).extracting(ShardSubscriptionTest::name).containsExactly("r0");
        assertThat(second.end).isNotDone();
    }

    @Test
    void cancelEndsTheSubscriptionOnce() throws Exception {
        Collector sink = new Collector();
        ShardSubscription s = subscribe(new ReadFrom.Latest(), options(0, 100, 1 << 20, 1 << 20, Clock.systemUTC()), sink);
        context.runOnContext(v -> {
            s.cancel();
            s.cancel();
        });
        assertThat(sink.end.get(10, TimeUnit.SECONDS)).isInstanceOf(SubscriptionEnd.Cancelled.class);
        put(0, 1, 0);
        request(s, 1);
        assertThat(sink.events.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void aSubscriptionWithAMaximumDurationExpires() throws Exception {
        Collector sink = new Collector();
        subscribe(new ReadFrom.Latest(), options(0, 100, 1 << 20, 1 << 20, Clock.systemUTC()).withMaxDurationMillis(200),
                sink);
        assertThat(sink.end.get(10, TimeUnit.SECONDS)).isInstanceOf(SubscriptionEnd.Expired.class);
    }

    @Test
    void startingOnAnUnknownShardFailsWithNotFound() {
        Collector sink = new Collector();
        assertThatThrownBy(() -> await(onContext(() -> ShardSubscription.start(vertx, client, STREAM, new ShardId(5),
                registered, new ReadFrom.Latest(), SubscriptionOptions.defaults(), metrics, sink))))
                .isInstanceOfSatisfying(RiffleException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_NOT_FOUND));
        assertThat(sink.end).isNotDone();
    }

    /** Timers and event bus registrations the subscription holds, read on its context. */
    private List<Integer> held(ShardSubscription s) {
        return await(onContext(() -> Future.succeededFuture(List.of(s.resources().timers(), s.resources().consumers()))));
    }

    @Test
    void everyEndingGivesBackEveryTimerAndRegistration() throws Exception {
        put(0, 2000, 512);
        SubscriptionOptions o = options(0, 10, 1 << 20, 1 << 20, Clock.systemUTC()).withMaxDurationMillis(60_000);
        Collector cancelled = new Collector();
        ShardSubscription c = subscribe(new ReadFrom.Latest(), o, cancelled);
        assertThat(held(c)).as("heartbeat and expiry timers; live, takeover and stream-change consumers")
                .containsExactly(2, 3);
        context.runOnContext(v -> c.cancel());
        assertThat(cancelled.end.get(10, TimeUnit.SECONDS)).isInstanceOf(SubscriptionEnd.Cancelled.class);
        assertThat(held(c)).containsExactly(0, 0);

        Collector reading = new Collector();
        ShardSubscription r = subscribe(new ReadFrom.TrimHorizon(), o, reading);
        request(r, Long.MAX_VALUE);
        reading.next();
        context.runOnContext(v -> r.cancel()); // most likely with a log read in flight
        reading.end.get(10, TimeUnit.SECONDS);
        assertThat(held(r)).containsExactly(0, 0);

        Collector first = new Collector();
        ShardSubscription f = subscribe(new ReadFrom.Latest(), o, first);
        Collector second = new Collector();
        ShardSubscription t = subscribe(new ReadFrom.Latest(), o.withMaxDurationMillis(100), second);
        assertThat(first.end.get(10, TimeUnit.SECONDS)).isInstanceOf(SubscriptionEnd.TakenOver.class);
        assertThat(held(f)).containsExactly(0, 0);
        assertThat(second.end.get(10, TimeUnit.SECONDS)).isInstanceOf(SubscriptionEnd.Expired.class);
        assertThat(held(t)).containsExactly(0, 0);

        // Heartbeats every 50 ms look at the log, which notices the stream is gone.
        Collector doomed = new Collector();
        ShardSubscription d = subscribe(new ReadFrom.Latest(),
                new SubscriptionOptions(0, 50, 10, 1 << 20, 1 << 20, 60_000, Clock.systemUTC()), doomed);
        request(d, Long.MAX_VALUE);
        doomed.next();
        await(client.delete(STREAM, true));
        assertThat(doomed.end.get(10, TimeUnit.SECONDS)).isInstanceOf(SubscriptionEnd.Failed.class);
        assertThat(held(d)).containsExactly(0, 0);
        assertThat(metrics.timers).as("timers of the node's subscriptions").hasValue(0);
    }

    @Test
    void deregisteringItsConsumerEndsTheSubscriptionWithNotFound() throws Exception {
        Collector sink = new Collector();
        ShardSubscription s = subscribe(new ReadFrom.Latest(), options(0, 100, 1 << 20, 1 << 20, Clock.systemUTC()), sink);
        await(client.deregisterConsumer(STREAM, CONSUMER));
        assertThat(sink.end.get(10, TimeUnit.SECONDS)).isInstanceOfSatisfying(SubscriptionEnd.Failed.class,
                f -> assertThat(f.error().code()).isEqualTo(ErrorCode.RESOURCE_NOT_FOUND));
        assertThat(held(s)).containsExactly(0, 0);
    }

    @Test
    void aTimerOrConsumerAddedAfterTheEndIsNotKept() throws Exception {
        Collector sink = new Collector();
        ShardSubscription s = subscribe(new ReadFrom.Latest(), options(0, 100, 1 << 20, 1 << 20, Clock.systemUTC()), sink);
        context.runOnContext(v -> s.cancel());
        sink.end.get(10, TimeUnit.SECONDS);
        var late = await(onContext(() -> {
            SubscriptionResources r = s.resources();
            long timer = r.setPeriodic(10, id -> { });
            var consumer = r.consumer(vertx.eventBus().consumer("riffle.test.late", m -> { }));
            return Future.succeededFuture(List.of(timer, (long) r.timers(), (long) r.consumers(),
                    consumer.isRegistered() ? 1L : 0L));
        }));
        assertThat(late).as("timer id, timers, consumers, registered").containsExactly(-1L, 0L, 0L, 0L);
        assertThat(metrics.timers).hasValue(0);
    }

    static <T> T await(Future<T> f) {
        return io.riffle.testing.Futures.await(f);
    }
}
