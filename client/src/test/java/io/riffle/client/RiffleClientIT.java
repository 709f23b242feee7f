package io.riffle.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.testing.Metrics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;

/** The client against a real node started in-process on 127.0.0.1 (issue #5). */
@Timeout(120)
class RiffleClientIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dataDir;
    private TestNode node;
    private RiffleClient client;

    @AfterEach
    void tearDown() {
        if (client != null) {
            client.close();
        }
        if (node != null) {
            node.close();
        }
    }

    private void startNode(String... flags) {
        node = TestNode.start(dataDir, flags);
        client = RiffleClient.create(RiffleClientOptions.local(node.port()).withMaxAttempts(1000));
    }

    private static List<PutRecord> records(int count, int keys, int size) {
        List<PutRecord> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] data = new byte[size];
            byte[] label = Integer.toString(i).getBytes(StandardCharsets.UTF_8);
            System.arraycopy(label, 0, data, 0, Math.min(label.length, size));
            out.add(PutRecord.of("key-" + (i % keys), data));
        }
        return out;
    }

    private static int label(Record r) {
        int end = 0;
        byte[] d = r.data();
        while (end < d.length && d[end] != 0) {
            end++;
        }
        return Integer.parseInt(new String(d, 0, end, StandardCharsets.UTF_8));
    }

    /** Every record of the stream, read by polling each shard from TRIM_HORIZON. */
    private List<Record> readAll(String stream) {
        List<Record> all = new ArrayList<>();
        for (String shard : client.describeStream(stream).block(WAIT).shardIds()) {
            ReadPosition from = ReadPosition.TRIM_HORIZON;
            while (true) {
                ReadResult page = client.read(stream, shard, from, 10_000).block(WAIT);
                all.addAll(page.records());
                if (page.records().size() < 10_000 || page.nextSequenceNumber().isEmpty()) {
                    break;
                }
                from = ReadPosition.atSequenceNumber(page.nextSequenceNumber().get());
            }
        }
        return all;
    }

    /** Per partition key, the labels in stored (sequence) order must be ascending: the put order. */
    private static void assertOrderedPerKey(List<Record> records) {
        Map<String, List<Integer>> byKey = new HashMap<>();
        for (Record r : records) {
            byKey.computeIfAbsent(r.partitionKey(), k -> new ArrayList<>()).add(label(r));
        }
        byKey.forEach((key, labels) -> assertThat(labels).as("order of key %s", key).isSorted());
    }

    private static void assertOrderedPerShard(List<Record> records) {
        Map<String, String> last = new HashMap<>();
        for (Record r : records) {
            String prev = last.put(r.shardId(), r.sequenceNumber());
            if (prev != null) {
                assertThat(ResumePositions.compare(r.sequenceNumber(), prev)).as("sequence order in %s", r.shardId())
                        .isPositive();
            }
        }
    }

    /**
     * The node's sum of a metric over the series with the given labels (name, value, ...); fails when no
     * series matches, so a renamed metric cannot read as 0.
     */
    private double metric(String name, String... labels) {
        return Metrics.sum(client.metrics().block(WAIT), name, labels);
    }

    /** Waits until {@code condition} holds; one that fails (a series not there yet) is asked again. */
    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        AssertionError last = null;
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (AssertionError e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out waiting until " + what, last);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void putAllSplitsBatchesBeyond500RecordsAndKeepsOrderPerKey() {
        startNode("--throttling", "false");
        client.createStream(StreamSpec.of("orders", 2)).block(WAIT);
        PutBatchResult result = client.putAll("orders", records(1234, 7, 20)).block(WAIT);

        assertThat(result.results()).hasSize(1234).allMatch(PutRecordResult::succeeded);
        List<Record> stored = readAll("orders");
        assertThat(stored).hasSize(1234);
        assertOrderedPerKey(stored);
    }

    @Test
    void putAllSplitsBatchesBeyondTenMebibytes() {
        startNode("--throttling", "false");
        client.createStream(StreamSpec.of("blobs", 1)).block(WAIT);
        List<PutRecord> big = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            big.add(PutRecord.of("k" + i, new byte[1_000_000]));
        }
        PutBatchResult result = client.putAll("blobs", big).block(WAIT);

        assertThat(result.failedRecordCount()).isZero();
        assertThat(result.results()).extracting(r -> ((PutResult) r).shardId()).containsOnly("shardId-000000000000");
    }

    @Test
    void throttledRecordsAreRetriedUntilStoredWithoutBreakingOrderPerKey() {
        startNode();
        client.createStream(StreamSpec.of("slow", 1).withWriteLimits(100, 0)).block(WAIT);
        PutBatchResult result = client.putAll("slow", records(600, 6, 10)).block(WAIT);

        assertThat(result.failedRecordCount()).isZero();
        assertThat(result.retries()).as("records retried after throttling").isPositive();
        assertThat(metric("riffle_shard_throttled_puts_total", "stream", "slow")).isPositive();
        List<Record> stored = readAll("slow");
        assertThat(stored).hasSize(600);
        assertOrderedPerKey(stored);
    }

    @Test
    void nodeWideLimitsThrottleToo() {
        startNode("--write-records-per-second", "200");
        client.createStream(StreamSpec.of("nodewide", 1)).block(WAIT);
        PutBatchResult result = client.putAll("nodewide", records(500, 5, 10)).block(WAIT);

        assertThat(result.failedRecordCount()).isZero();
        assertThat(result.retries()).isPositive();
        assertOrderedPerKey(readAll("nodewide"));
    }

    @Test
    void aRefusedRecordIsReportedWhileTheOthersAreStored() {
        startNode("--throttling", "false");
        client.createStream(StreamSpec.of("mixed", 1)).block(WAIT);
        PutBatchResult result = client.putAll("mixed", List.of(PutRecord.of("ok", "a"),
                PutRecord.of("x".repeat(257), "b"), PutRecord.of("ok", "c"))).block(WAIT);

        assertThat(result.results().get(0).succeeded()).isTrue();
        assertThat(result.results().get(1)).isInstanceOfSatisfying(PutFailure.class,
                f -> assertThat(f.wireName()).isEqualTo("ValidationException"));
        assertThat(result.results().get(2).succeeded()).isTrue();
    }

    @Test
    void subscribersReceiveEveryRecordInOrderPerShard() {
        startNode("--throttling", "false");
        client.createStream(StreamSpec.of("live", 3)).block(WAIT);
        client.registerConsumer("live", "app").block(WAIT);
        client.putAll("live", records(1000, 50, 30)).block(WAIT);

        List<Record> received = client.subscribe("live", "app", StartPosition.TRIM_HORIZON)
                .doOnSubscribe(s -> client.putAll("live", records(2000, 50, 30).subList(1000, 2000)).subscribe())
                .take(2000).collectList().block(WAIT);

        assertThat(received).extracting(RiffleClientIT::label).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(rangeList(2000));
        assertOrderedPerShard(received);
        assertOrderedPerKey(received);
    }

    @Test
    void aSubscriptionResumesAfterANodeRestartWithoutGapOrDuplicate() throws Exception {
        startNode("--throttling", "false");
        client.createStream(StreamSpec.of("resume", 2)).block(WAIT);
        client.registerConsumer("resume", "app").block(WAIT);
        List<Record> received = new CopyOnWriteArrayList<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        Disposable sub = client.subscribe("resume", "app", StartPosition.TRIM_HORIZON)
                .subscribe(received::add, errors::add);
        try {
            client.putAll("resume", records(500, 20, 30)).block(WAIT);
            await("500 records arrive", () -> received.size() >= 500);

            node.restart();
            client.putAll("resume", records(1000, 20, 30).subList(500, 1000)).block(WAIT);
            await("1000 records arrive", () -> received.size() >= 1000 || !errors.isEmpty());
        } finally {
            sub.dispose();
        }
        assertThat(errors).isEmpty();
        assertThat(received).extracting(RiffleClientIT::label).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(rangeList(1000));
        assertOrderedPerShard(received);
    }

    @Test
    void aLatestSubscriptionResumesAnIdleShardAfterARestart() throws Exception {
        startNode("--throttling", "false", "--heartbeat-millis", "200");
        client.createStream(StreamSpec.of("idle", 1)).block(WAIT);
        client.registerConsumer("idle", "app").block(WAIT);
        client.putAll("idle", records(10, 1, 10)).block(WAIT);
        List<Record> received = new CopyOnWriteArrayList<>();
        Disposable sub = client.subscribe("idle", "app", StartPosition.LATEST).subscribe(received::add);
        try {
            // a heartbeat tells the client where LATEST was; then records put while the node is away
            Thread.sleep(600);
            node.restart();
            client.putAll("idle", records(20, 1, 10).subList(10, 20)).block(WAIT);
            await("the 10 new records arrive", () -> received.size() >= 10);
        } finally {
            sub.dispose();
        }
        assertThat(received).extracting(RiffleClientIT::label).containsExactlyElementsOf(rangeList(20).subList(10, 20));
    }

    @Test
    void aLatestSubscriptionToAnEmptyShardMissesNothingPutDuringARestart() throws Exception {
        startNode("--throttling", "false", "--heartbeat-millis", "200");
        client.createStream(StreamSpec.of("empty", 1)).block(WAIT);
        client.registerConsumer("empty", "app").block(WAIT);
        List<Record> received = new CopyOnWriteArrayList<>();
        Disposable sub = client.subscribe("empty", "app", StartPosition.LATEST).subscribe(received::add);
        try {
            Thread.sleep(600); // a heartbeat tells the client the shard was empty
            node.restart();
            // put at once: the client is most likely still backing off, so these land before it is back
            client.putAll("empty", records(10, 1, 10)).block(WAIT);
            await("the 10 records arrive", () -> received.size() >= 10);
        } finally {
            sub.dispose();
        }
        assertThat(received).extracting(RiffleClientIT::label).containsExactlyElementsOf(rangeList(10));
    }

    @Test
    void cancellingASubscriptionFreesItOnTheNode() throws Exception {
        startNode("--throttling", "false");
        client.createStream(StreamSpec.of("cancel", 2)).block(WAIT);
        client.registerConsumer("cancel", "app").block(WAIT);
        Disposable sub = client.subscribe("cancel", "app", StartPosition.LATEST).subscribe();
        await("the node counts 2 subscriptions (one per shard)",
                () -> metric("riffle_subscribers", "stream", "cancel", "consumer", "app") == 2);

        sub.dispose();
        await("the node counts none", () -> metric("riffle_subscribers", "stream", "cancel", "consumer", "app") == 0);
        await("the node holds no subscription timer", () -> metric("riffle_subscription_timers") == 0);
    }

    @Test
    void aSecondSubscriptionOfTheConsumerEndsTheFirstWithResourceInUse() {
        startNode("--throttling", "false");
        client.createStream(StreamSpec.of("takeover", 1)).block(WAIT);
        client.registerConsumer("takeover", "app").block(WAIT);
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        Disposable first = client.subscribe("takeover", "app", StartPosition.LATEST).subscribe(r -> { }, errors::add);
        try {
            Record r = client.subscribe("takeover", "app", StartPosition.LATEST)
                    .doOnSubscribe(s -> client.put("takeover", "k", "0".getBytes(StandardCharsets.UTF_8))
                            .delaySubscription(Duration.ofMillis(500)).subscribe())
                    .blockFirst(WAIT);
            assertThat(label(r)).isZero();
        } finally {
            first.dispose();
        }
        assertThat(errors).singleElement().isInstanceOfSatisfying(io.riffle.error.RiffleException.class,
                e -> assertThat(e.code()).isEqualTo(io.riffle.error.ErrorCode.RESOURCE_IN_USE));
    }

    @Test
    void aSlowSubscriberMakesTheNodeStopPushingAndLosesNothing() throws Exception {
        startNode("--throttling", "false");
        client.createStream(StreamSpec.of("flood", 1)).block(WAIT);
        client.registerConsumer("flood", "app").block(WAIT);
        int total = 30_000;
        for (int i = 0; i < total; i += 5000) {
            client.putAll("flood", records(total, 100, 1024).subList(i, i + 5000)).block(WAIT);
        }
        List<Record> received = Collections.synchronizedList(new ArrayList<>());
        BaseSubscriber<Record> slow = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
                request(10);
            }

            @Override
            protected void hookOnNext(Record r) {
                received.add(r);
            }
        };
        client.subscribe("flood", "app", StartPosition.TRIM_HORIZON).subscribe(slow);
        await("10 records arrive", () -> received.size() == 10);
        // give the node time to push all it can into the socket buffers, then look at what it sent
        Thread.sleep(2000);
        double pushed = metric("riffle_subscription_outgoing_records_total", "stream", "flood", "consumer", "app");
        assertThat(received).hasSize(10);
        assertThat(pushed).as("records the node pushed to a subscriber that asked for 10").isBetween(10.0, total - 1.0);

        slow.request(Long.MAX_VALUE);
        await("every record arrives", () -> received.size() >= total);
        slow.dispose();
        assertThat(received).extracting(RiffleClientIT::label).doesNotHaveDuplicates().hasSize(total);
        assertOrderedPerShard(received);
    }

    private static List<Integer> rangeList(int n) {
        List<Integer> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(i);
        }
        return out;
    }
}
