package io.riffle.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.riffle.node.RunningNode;
import io.riffle.testing.Metrics;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** WebSocket subscriptions end to end: catch-up, live, resume, heartbeats, takeover, backpressure. */
@Timeout(120)
class SubscriptionIT {
    private static final int BUFFER_BOUND = 262_144;

    @TempDir
    static Path dataDir;
    static RunningNode node;

    @BeforeAll
    static void start() {
        node = RunningNode.start(dataDir, "--subscriber-buffer-bytes", String.valueOf(BUFFER_BOUND),
                "--heartbeat-millis", "500");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static void streamWithConsumer(String stream, int shards, String consumer) {
        node.createStream(stream, shards);
        HttpResponse<Buffer> r = node.postJson("/v1/streams/" + stream + "/consumers", new JsonObject().put("name", consumer));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    }

    private static Future<HttpResponse<Buffer>> putAsync(String stream, int from, int count, int dataBytes) {
        JsonArray records = new JsonArray();
        for (int i = from; i < from + count; i++) {
            String text = "v" + i + (dataBytes > 0 ? "-" + "x".repeat(dataBytes) : "");
            records.add(new JsonObject().put("partitionKey", "k" + i).put("text", text));
        }
        return node.web.post(node.port(), "127.0.0.1", "/v1/streams/" + stream + "/records")
                .sendJsonObject(new JsonObject().put("records", records));
    }

    private static void put(String stream, int from, int count) {
        HttpResponse<Buffer> r = RunningNode.await(putAsync(stream, from, count, 0));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        assertThat(r.bodyAsJsonObject().getInteger("failedRecordCount")).isZero();
    }

    private static String text(JsonObject record) {
        String t = new String(Base64.getDecoder().decode(record.getString("data")), StandardCharsets.UTF_8);
        int dash = t.indexOf('-');
        return dash < 0 ? t : t.substring(0, dash);
    }

    /** Each shard's records come in strictly increasing sequence order, none twice. */
    private static void assertOrderedPerShard(List<JsonObject> records) {
        Map<String, BigInteger> last = new HashMap<>();
        for (JsonObject r : records) {
            BigInteger seq = new BigInteger(r.getString("sequenceNumber"));
            BigInteger prev = last.put(r.getString("shardId"), seq);
            if (prev != null) {
                assertThat(seq).as("sequence order in %s", r.getString("shardId")).isGreaterThan(prev);
            }
        }
    }

    @Test
    void catchUpToLiveSwitchLosesAndDuplicatesNothingUnderConcurrentPuts() throws Exception {
        streamWithConsumer("switch", 2, "reader");
        int before = 600;
        int during = 1400;
        for (int i = 0; i < before; i += 100) {
            put("switch", i, 100);
        }
        try (Subscriber s = Subscriber.connect(node, "/v1/streams/switch/subscribe?consumer=reader&from=TRIM_HORIZON")) {
            // Puts race the catch-up: 1400 more records in batches of 20, sent back to back.
            AtomicInteger failures = new AtomicInteger();
            Future<Void> chain = Future.succeededFuture();
            for (int i = before; i < before + during; i += 20) {
                int from = i;
                chain = chain.compose(v -> putAsync("switch", from, 20, 0).map(r -> {
                    if (r.statusCode() != 200 || r.bodyAsJsonObject().getInteger("failedRecordCount") != 0) {
                        failures.incrementAndGet();
                    }
                    return null;
                }));
            }
            List<JsonObject> got = s.records(before + during, 60_000);
            RunningNode.await(chain);
            assertThat(failures).hasValue(0);

            List<String> texts = got.stream().map(SubscriptionIT::text).toList();
            Set<String> expected = new HashSet<>();
            for (int i = 0; i < before + during; i++) {
                expected.add("v" + i);
            }
            assertThat(new HashSet<>(texts)).isEqualTo(expected);
            assertThat(texts).doesNotHaveDuplicates();
            assertOrderedPerShard(got);
            // Nothing more trickles in: the switch produced no late duplicate.
            Thread.sleep(700);
            assertThat(s.frames.stream().filter(f -> "records".equals(f.getString("type")))).isEmpty();
        }
    }

    @Test
    void latestSubscriptionGetsOnlyNewRecordsAndResumesAfterItsContinuation() throws Exception {
        streamWithConsumer("resume", 1, "app");
        put("resume", 0, 3);
        String shard = "shardId-000000000000";
        String continuation;
        try (Subscriber s = Subscriber.connect(node, "/v1/streams/resume/subscribe?consumer=app")) {
            // LATEST is resolved once the socket is open; a heartbeat proves the subscription is running.
            assertThat(s.next(5000).getString("type")).isIn("heartbeat", "records");
            put("resume", 3, 2);
            List<JsonObject> got = s.records(2, 10_000);
            assertThat(got.stream().map(SubscriptionIT::text)).containsExactly("v3", "v4");
            continuation = got.get(1).getString("frameContinuation");
            assertThat(continuation).isEqualTo(got.get(1).getString("sequenceNumber"));
        }
        put("resume", 5, 2);
        try (Subscriber s = Subscriber.connect(node, "/v1/streams/resume/subscribe?consumer=app&positions="
                + shard + ":" + continuation)) {
            assertThat(s.records(2, 10_000).stream().map(SubscriptionIT::text)).containsExactly("v5", "v6");
        }
        try (Subscriber s = Subscriber.connect(node, "/v1/streams/resume/subscribe?consumer=app&from=AT_TIMESTAMP&timestamp=0")) {
            assertThat(s.records(7, 10_000).stream().map(SubscriptionIT::text))
                    .containsExactly("v0", "v1", "v2", "v3", "v4", "v5", "v6");
        }
    }

    @Test
    void idleSubscriptionGetsHeartbeats() throws Exception {
        streamWithConsumer("idle", 1, "app");
        put("idle", 0, 1);
        try (Subscriber s = Subscriber.connect(node, "/v1/streams/idle/subscribe?consumer=app&from=TRIM_HORIZON")) {
            assertThat(s.records(1, 5000)).hasSize(1);
            JsonObject heartbeat = s.next(5000);
            assertThat(heartbeat.getString("type")).isEqualTo("heartbeat");
            assertThat(heartbeat.getString("shardId")).isEqualTo("shardId-000000000000");
            assertThat(heartbeat.getLong("millisBehindLatest")).isZero();
            assertThat(heartbeat.getString("continuationSequenceNumber")).isNotNull();
            assertThat(s.next(5000).getString("type")).isEqualTo("heartbeat");
        }
    }

    @Test
    void secondSubscriptionOfTheSameConsumerTakesOverTheShard() throws Exception {
        streamWithConsumer("takeover", 1, "app");
        try (Subscriber first = Subscriber.connect(node, "/v1/streams/takeover/subscribe?consumer=app")) {
            first.next(5000);
            try (Subscriber second = Subscriber.connect(node, "/v1/streams/takeover/subscribe?consumer=app")) {
                assertThat(first.closed.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo((short) 4409);
                put("takeover", 0, 1);
                assertThat(second.records(1, 10_000).stream().map(SubscriptionIT::text)).containsExactly("v0");
            }
        }
    }

    @Test
    void slowSubscriberMakesTheNodeStopReadingInsteadOfBuffering() throws Exception {
        streamWithConsumer("slow", 1, "sloth");
        int total = 4000;
        int dataBytes = 8192;
        try (Subscriber s = Subscriber.connect(node, "/v1/streams/slow/subscribe?consumer=sloth&from=TRIM_HORIZON")) {
            assertThat(s.next(5000).getString("type")).isEqualTo("heartbeat"); // the subscription runs
            s.socket.pause();
            Counter delivered = node.node.registry().get("riffle.subscription.outgoing.records")
                    .tags("stream", "slow", "consumer", "sloth").counter();
            Gauge buffered = node.node.registry().get("riffle.subscription.buffered.bytes")
                    .tags("stream", "slow", "consumer", "sloth").gauge();
            double maxBuffered = 0;
            for (int i = 0; i < total; i += 100) {
                HttpResponse<Buffer> r = RunningNode.await(putAsync("slow", i, 100, dataBytes));
                assertThat(r.statusCode()).isEqualTo(200);
                maxBuffered = Math.max(maxBuffered, buffered.value());
            }
            // Wait until the node has stopped pushing (the counter holds still), sampling the buffer meanwhile.
            double last = -1;
            while (last != delivered.count()) {
                last = delivered.count();
                for (int i = 0; i < 10; i++) {
                    Thread.sleep(100);
                    maxBuffered = Math.max(maxBuffered, buffered.value());
                }
            }
            assertThat(maxBuffered).isLessThanOrEqualTo(BUFFER_BOUND);
            assertThat(delivered.count()).as("records pushed while the client was not reading").isLessThan(total);

            s.socket.resume();
            List<JsonObject> got = s.records(total, 60_000);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                expected.add("v" + i);
            }
            assertThat(got.stream().map(SubscriptionIT::text).toList()).isEqualTo(expected);
        }
    }

    @Test
    void deletingTheStreamClosesItsSubscribersWithNotFound() throws Exception {
        streamWithConsumer("doomed", 1, "app");
        try (Subscriber s = Subscriber.connect(node, "/v1/streams/doomed/subscribe?consumer=app")) {
            s.next(5000);
            assertThat(node.delete("/v1/streams/doomed?enforceConsumerDeletion=true").statusCode()).isEqualTo(204);
            assertThat(s.closed.get(20, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo((short) 4404);
        }
    }

    @Test
    void badSubscribeRequestsGetHttpErrorsBeforeTheUpgrade() {
        streamWithConsumer("picky", 2, "app");
        assertThat(Subscriber.refused(node, "/v1/streams/picky/subscribe").getStatus()).isEqualTo(400);
        assertThat(Subscriber.refused(node, "/v1/streams/picky/subscribe?consumer=ghost").getStatus()).isEqualTo(404);
        assertThat(Subscriber.refused(node, "/v1/streams/nope/subscribe?consumer=app").getStatus()).isEqualTo(404);
        assertThat(Subscriber.refused(node, "/v1/streams/picky/subscribe?consumer=app&from=NEVER").getStatus()).isEqualTo(400);
        assertThat(Subscriber.refused(node, "/v1/streams/picky/subscribe?consumer=app&from=AFTER_SEQUENCE_NUMBER")
                .getStatus()).isEqualTo(400);
        UpgradeRejectedException unknownShard = Subscriber.refused(node,
                "/v1/streams/picky/subscribe?consumer=app&shards=shardId-000000000009");
        assertThat(unknownShard.getStatus()).isEqualTo(404);
        assertThat(unknownShard.getBody().toJsonObject().getJsonObject("error").getString("code"))
                .isEqualTo("ResourceNotFoundException");
        HttpResponse<Buffer> plainGet = node.get("/v1/streams/picky/subscribe?consumer=app");
        assertThat(plainGet.statusCode()).isEqualTo(400);
        assertThat(plainGet.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("ValidationException");
    }

    @Test
    void subscriberMetricsAreExported() throws Exception {
        streamWithConsumer("metered", 1, "app");
        try (Subscriber s = Subscriber.connect(node, "/v1/streams/metered/subscribe?consumer=app&from=TRIM_HORIZON")) {
            put("metered", 0, 5);
            assertThat(s.records(5, 10_000)).hasSize(5);
            String metrics = node.get("/metrics").bodyAsString();
            String[] series = {"consumer", "app", "shard", "shardId-000000000000", "stream", "metered"};
            assertThat(Metrics.value(metrics, "riffle_subscribers", series)).isEqualTo(1.0);
            assertThat(Metrics.value(metrics, "riffle_subscription_outgoing_records_total", series)).isEqualTo(5.0);
            assertThat(Metrics.value(metrics, "riffle_subscription_outgoing_bytes_total", series)).isPositive();
            assertThat(Metrics.value(metrics, "riffle_subscriber_lag_millis", series)).isNotNegative();
            assertThat(Metrics.value(metrics, "riffle_subscription_buffered_bytes", series)).isNotNegative();
            assertThat(Metrics.value(metrics, "riffle_subscription_timers")).isPositive();
        }
    }
}
