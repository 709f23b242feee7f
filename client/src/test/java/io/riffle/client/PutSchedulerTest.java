package io.riffle.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The batching, retry and per-key ordering rules, driven with explicit time. */
class PutSchedulerTest {
    private static final RiffleException THROTTLED =
            new RiffleException(ErrorCode.PROVISIONED_THROUGHPUT_EXCEEDED, "Rate exceeded for shard");
    private static final RiffleException INVALID = RiffleException.validation("bad partition key");

    private final Map<String, PutRecordResult> results = new HashMap<>();
    private final List<String> stored = new ArrayList<>();
    private final PutScheduler scheduler = new PutScheduler(500, 10 * 1024 * 1024, 500, 3,
            new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), () -> 0.0));

    private PutScheduler.Entry entry(String key, String name, int size) {
        return new PutScheduler.Entry(PutRecord.of(key, new byte[size]), r -> {
            results.put(name, r);
            if (r.succeeded()) {
                stored.add(name);
            }
        });
    }

    private PutScheduler.Entry add(String key, String name) {
        PutScheduler.Entry e = entry(key, name, 10);
        scheduler.add(e);
        return e;
    }

    private void storeAll(List<PutScheduler.Entry> request) {
        for (PutScheduler.Entry e : request) {
            scheduler.onSuccess(e, "shardId-000000000000", "1");
        }
    }

    @Test
    void requestsHoldAtMost500Records() {
        for (int i = 0; i < 1234; i++) {
            add("k" + i, "r" + i);
        }
        assertThat(scheduler.nextRequest(0)).hasSize(500);
        assertThat(scheduler.nextRequest(0)).hasSize(500);
        assertThat(scheduler.nextRequest(0)).hasSize(234);
        assertThat(scheduler.nextRequest(0)).isEmpty();
        assertThat(scheduler.buffered()).isEqualTo(1234);
    }

    @Test
    void requestsHoldAtMostTenMebibytes() {
        for (int i = 0; i < 12; i++) {
            scheduler.add(entry("k" + i, "r" + i, 1024 * 1024 - 2));
        }
        assertThat(scheduler.nextRequest(0)).hasSize(10);
        assertThat(scheduler.nextRequest(0)).hasSize(2);
    }

    @Test
    void aRecordLargerThanTheRequestLimitTravelsAlone() {
        scheduler.add(entry("a", "small", 10));
        scheduler.add(entry("b", "huge", 11 * 1024 * 1024));
        scheduler.add(entry("c", "small2", 10));
        assertThat(scheduler.nextRequest(0)).extracting(e -> e.record.partitionKey()).containsExactly("a");
        assertThat(scheduler.nextRequest(0)).extracting(e -> e.record.partitionKey()).containsExactly("b");
        assertThat(scheduler.nextRequest(0)).extracting(e -> e.record.partitionKey()).containsExactly("c");
    }

    @Test
    void recordsOfOneKeyTravelTogetherInOrder() {
        add("a", "a1");
        add("b", "b1");
        add("a", "a2");
        List<PutScheduler.Entry> request = scheduler.nextRequest(0);
        assertThat(request).extracting(e -> e.record.partitionKey()).containsExactly("a", "a", "b");
        storeAll(request);
        assertThat(stored).containsExactly("a1", "a2", "b1");
    }

    @Test
    void withOneRecordPerKeyPerRequestAKeySendsOneRecordAtATime() {
        PutScheduler strict = new PutScheduler(500, 10 * 1024 * 1024, 1, 3,
                new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), () -> 0.0));
        for (int i = 0; i < 3; i++) {
            strict.add(entry("a", "a" + i, 10));
            strict.add(entry("b" + i, "b" + i, 10));
        }
        List<PutScheduler.Entry> first = strict.nextRequest(0);
        assertThat(first).extracting(e -> e.record.partitionKey()).containsExactly("a", "b0", "b1", "b2");
        assertThat(strict.nextRequest(0)).isEmpty();
        strict.onSuccess(first.get(0), "shardId-000000000000", "1");
        assertThat(strict.nextRequest(0)).extracting(e -> e.record.partitionKey()).containsExactly("a");
    }

    @Test
    void aKeyWithRecordsInFlightWaitsForTheirAnswer() {
        List<PutScheduler.Entry> first = List.of(add("a", "a1"));
        assertThat(scheduler.nextRequest(0)).isEqualTo(first);
        add("a", "a2");
        add("b", "b1");
        assertThat(scheduler.nextRequest(0)).extracting(e -> e.record.partitionKey()).containsExactly("b");
        assertThat(scheduler.nextRequest(0)).isEmpty();
        storeAll(first);
        assertThat(scheduler.nextRequest(0)).extracting(e -> e.record.partitionKey()).containsExactly("a");
    }

    @Test
    void aThrottledRecordIsRetriedAfterTheBackoffBeforeLaterRecordsOfItsKey() {
        add("a", "a1");
        add("b", "b1");
        List<PutScheduler.Entry> first = scheduler.nextRequest(0);
        add("a", "a2");
        scheduler.onSuccess(first.get(1), "shardId-000000000000", "2");
        scheduler.onFailure(first.get(0), THROTTLED, 1000, 0);

        // a1 backs off 50 ms (first retry, lowest jitter) and a2 may not overtake it
        assertThat(scheduler.nextRequest(1000)).isEmpty();
        assertThat(scheduler.nextWakeUp()).contains(1050L);
        assertThat(scheduler.nextRequest(1049)).isEmpty();
        List<PutScheduler.Entry> retry = scheduler.nextRequest(1050);
        assertThat(retry).extracting(e -> e.attempts).containsExactly(2, 1);
        storeAll(retry);
        assertThat(stored).containsExactly("b1", "a1", "a2");
        assertThat(((PutResult) results.get("a1")).attempts()).isEqualTo(2);
    }

    @Test
    void throttledRecordsOfOneKeyKeepTheirOrderWhenRetried() {
        add("a", "a1");
        add("a", "a2");
        add("a", "a3");
        List<PutScheduler.Entry> first = scheduler.nextRequest(0);
        add("a", "a4");
        scheduler.onSuccess(first.get(0), "shardId-000000000000", "1");
        scheduler.onFailure(first.get(1), THROTTLED, 0, 0);
        scheduler.onFailure(first.get(2), THROTTLED, 0, 0);
        storeAll(scheduler.nextRequest(10_000));
        assertThat(stored).containsExactly("a1", "a2", "a3", "a4");
    }

    @Test
    void retryAfterFromTheNodeIsAFloorForTheBackoff() {
        add("a", "a1");
        scheduler.onFailure(scheduler.nextRequest(0).get(0), THROTTLED, 0, 1000);
        assertThat(scheduler.nextWakeUp()).contains(1000L);
    }

    @Test
    void aRecordThrottledOnEveryAttemptFailsWithTheThrottlingError() {
        add("a", "a1");
        long now = 0;
        for (int attempt = 1; attempt <= 3; attempt++) {
            List<PutScheduler.Entry> request = scheduler.nextRequest(now);
            assertThat(request).hasSize(1);
            scheduler.onFailure(request.get(0), THROTTLED, now, 0);
            now += 10_000;
        }
        assertThat(results.get("a1")).isInstanceOfSatisfying(PutFailure.class, f -> {
            assertThat(f.code()).isEqualTo(ErrorCode.PROVISIONED_THROUGHPUT_EXCEEDED);
            assertThat(f.wireName()).isEqualTo("ProvisionedThroughputExceededException");
            assertThat(f.attempts()).isEqualTo(3);
        });
        assertThat(scheduler.buffered()).isZero();
        assertThat(scheduler.nextRequest(now)).isEmpty();
    }

    @Test
    void aRefusedRecordFailsAtOnceAndLaterRecordsOfItsKeyGoOn() {
        add("a", "a1");
        PutScheduler.Entry a1 = scheduler.nextRequest(0).get(0);
        add("a", "a2");
        scheduler.onFailure(a1, INVALID, 0, 0);
        assertThat(results.get("a1")).isInstanceOfSatisfying(PutFailure.class,
                f -> assertThat(f.code()).isEqualTo(ErrorCode.VALIDATION));
        storeAll(scheduler.nextRequest(0));
        assertThat(stored).containsExactly("a2");
    }

    @Test
    void otherKeysKeepFlowingWhileOneKeyBacksOff() {
        add("a", "a1");
        scheduler.onFailure(scheduler.nextRequest(0).get(0), THROTTLED, 0, 0);
        add("b", "b1");
        add("c", "c1");
        assertThat(scheduler.nextRequest(1)).extracting(e -> e.record.partitionKey()).containsExactly("b", "c");
    }
}
