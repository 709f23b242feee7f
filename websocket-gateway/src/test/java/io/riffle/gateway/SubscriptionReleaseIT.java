package io.riffle.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.node.RunningNode;
import io.riffle.testing.Metrics;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every way a subscription ends, on every path (WebSocket, Kinesis SubscribeToShard over chunked HTTP/1.1
 * and over h2c), gives back every timer ({@code riffle_subscription_timers}) and every event bus handler
 * ({@code vertx_eventbus_handlers}) it held: a real node counts them before and after.
 */
@Timeout(120)
class SubscriptionReleaseIT {
    /** Subscriptions per ending and path, each of its own consumer so none takes another over. */
    private static final int N = 3;

    @TempDir
    Path dataDir;
    private RunningNode node;
    private HttpClientAgent http1;
    private HttpClientAgent h2c;
    /** Consumer ARNs by stream and consumer name. */
    private final Map<String, String> arns = new HashMap<>();

    enum Via { WEBSOCKET, KINESIS_HTTP1, KINESIS_H2C }

    /** One subscription as a test drives it, whatever the path. */
    private interface Subscription {
        /** Waits until the subscription runs on the node. */
        void awaitStarted() throws InterruptedException;

        /** Waits for the first records. */
        void awaitRecords() throws InterruptedException;

        /** Goes away as a client does. */
        void disconnect();

        /** How the node ended it: a WebSocket close code or a Kinesis exception type. */
        String awaitEnd() throws Exception;

        /** Waits until the node ended it, however. */
        void awaitGone() throws Exception;
    }

    /** What subscriptions hold on the node: their timers and the node's event bus handlers. */
    private record Held(double timers, double handlers) {
    }

    @BeforeEach
    void start() {
        node = RunningNode.start(dataDir, "--heartbeat-millis", "500");
        PoolOptions pool = new PoolOptions().setHttp1MaxSize(4 * N);
        http1 = node.clientVertx.createHttpClient(new HttpClientOptions(), pool);
        h2c = node.clientVertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false), pool);
    }

    @AfterEach
    void stop() {
        node.close();
    }

    private Held held() {
        return held(node.get("/metrics").bodyAsString());
    }

    private static Held held(String metrics) {
        return new Held(Metrics.value(metrics, "riffle_subscription_timers"),
                Metrics.value(metrics, "vertx_eventbus_handlers"));
    }

    /** Waits (at most 15 s) until the node holds what it held before, and asserts it. */
    private void awaitReleased(Held before, String stream) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        // Settled for a whole second: a subscription the client gave up on may still be starting on the node,
        // so one matching sample taken before it registered anything proves nothing.
        int settled = 0;
        while (settled < 10 && System.nanoTime() < deadline) {
            settled = held().equals(before) ? settled + 1 : 0;
            Thread.sleep(100);
        }
        String metrics = node.get("/metrics").bodyAsString();
        assertThat(held(metrics)).as("timers and event bus handlers once every subscription ended").isEqualTo(before);
        assertThat(Metrics.sum(metrics, "riffle_subscribers", "stream", stream)).isZero();
    }

    private JsonObject kinesis(String operation, JsonObject body) {
        HttpResponse<Buffer> r = RunningNode.await(node.web.post(node.port(), "127.0.0.1", "/")
                .putHeader("Content-Type", "application/x-amz-json-1.1")
                .putHeader("X-Amz-Target", "Kinesis_20131202." + operation).sendBuffer(Buffer.buffer(body.encode())));
        assertThat(r.statusCode()).as(operation + ": " + r.bodyAsString()).isEqualTo(200);
        return r.body() == null || r.body().length() == 0 ? new JsonObject() : r.bodyAsJsonObject();
    }

    /** A one-shard stream holding {@code records} records of 2 KB, with consumers c0 .. c(N-1). */
    private void streamWithConsumers(String stream, int records) {
        node.createStream(stream, 1);
        for (int i = 0; i < records; i += 500) {
            JsonArray batch = new JsonArray();
            for (int j = i; j < Math.min(records, i + 500); j++) {
                batch.add(new JsonObject().put("partitionKey", "k" + j).put("text", "x".repeat(2048)));
            }
            HttpResponse<Buffer> r = node.postJson("/v1/streams/" + stream + "/records",
                    new JsonObject().put("records", batch));
            assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        }
        String streamArn = kinesis("DescribeStreamSummary", new JsonObject().put("StreamName", stream))
                .getJsonObject("StreamDescriptionSummary").getString("StreamARN");
        for (int i = 0; i < N; i++) {
            String arn = kinesis("RegisterStreamConsumer", new JsonObject().put("StreamARN", streamArn)
                    .put("ConsumerName", "c" + i)).getJsonObject("Consumer").getString("ConsumerARN");
            arns.put(stream + "/c" + i, arn);
        }
    }

    private Subscription subscribe(Via via, String stream, int consumer, String from) {
        return switch (via) {
            case WEBSOCKET -> webSocket(Subscriber.connect(node, "/v1/streams/" + stream + "/subscribe?consumer=c"
                    + consumer + "&from=" + from));
            case KINESIS_HTTP1 -> kinesis(EventStreamSubscriber.subscribe(http1, node.port(),
                    arns.get(stream + "/c" + consumer), from));
            case KINESIS_H2C -> kinesis(EventStreamSubscriber.subscribe(h2c, node.port(),
                    arns.get(stream + "/c" + consumer), from));
        };
    }

    private List<Subscription> subscribeEach(Via via, String stream, String from) {
        List<Subscription> out = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            out.add(subscribe(via, stream, i, from));
        }
        return out;
    }

    /** N subscriptions from LATEST, once each runs on the node. */
    private List<Subscription> started(Via via, String stream) throws InterruptedException {
        List<Subscription> out = subscribeEach(via, stream, "LATEST");
        for (Subscription s : out) {
            s.awaitStarted();
        }
        return out;
    }

    /**
     * Running subscriptions hold timers and event bus handlers (each at least one of both), so the counts
     * compared by {@link #awaitReleased} are ones that subscriptions move: a count that never moved would
     * let a leak pass.
     */
    private void assertHeldWhileRunning(Held before, int subscriptions) {
        Held now = held();
        assertThat(now.timers()).as("timers held by running subscriptions").isGreaterThanOrEqualTo(before.timers() + subscriptions);
        assertThat(now.handlers()).as("event bus handlers of running subscriptions").isGreaterThanOrEqualTo(before.handlers() + subscriptions);
    }

    private static Subscription webSocket(Subscriber s) {
        return new Subscription() {
            @Override
            public void awaitStarted() throws InterruptedException {
                s.next(5000);
            }

            @Override
            public void awaitRecords() throws InterruptedException {
                s.records(1, 10_000);
            }

            @Override
            public void disconnect() {
                s.close();
            }

            @Override
            public String awaitEnd() throws Exception {
                return "close " + s.closed.get(20, TimeUnit.SECONDS);
            }

            @Override
            public void awaitGone() throws Exception {
                awaitEnd();
            }
        };
    }

    private static Subscription kinesis(EventStreamSubscriber s) {
        return new Subscription() {
            @Override
            public void awaitStarted() throws InterruptedException {
                s.awaitStarted();
            }

            @Override
            public void awaitRecords() throws InterruptedException {
                s.awaitRecords();
            }

            @Override
            public void disconnect() {
                s.disconnect();
            }

            @Override
            public String awaitEnd() throws InterruptedException {
                return s.awaitException();
            }

            @Override
            public void awaitGone() throws InterruptedException {
                while (s.next() != EventStreamSubscriber.END) {
                    // events until the answer ends
                }
            }
        };
    }

    @ParameterizedTest
    @EnumSource(Via.class)
    void subscriptionsWhoseClientGoesAwayReleaseEveryTimerAndHandler(Via via) throws Exception {
        streamWithConsumers("idle", 0);
        Held before = held();
        List<Subscription> subscriptions = started(via, "idle");
        assertHeldWhileRunning(before, subscriptions.size());
        subscriptions.forEach(Subscription::disconnect);
        awaitReleased(before, "idle");
    }

    @ParameterizedTest
    @EnumSource(Via.class)
    void subscriptionsWhoseClientGoesAwayDuringCatchUpReleaseEveryTimerAndHandler(Via via) throws Exception {
        streamWithConsumers("backlog", 1500);
        Held before = held();
        List<Subscription> subscriptions = subscribeEach(via, "backlog", "TRIM_HORIZON");
        for (Subscription s : subscriptions) {
            s.awaitRecords();
            s.disconnect(); // log reads for it are likely in flight
        }
        awaitReleased(before, "backlog");
    }

    @ParameterizedTest
    @EnumSource(Via.class)
    void subscriptionsWhoseClientGivesUpBeforeTheAnswerReleaseEveryTimerAndHandler(Via via) throws Exception {
        streamWithConsumers("impatient", 0);
        Held before = held();
        subscribeEach(via, "impatient", "LATEST").forEach(Subscription::disconnect);
        awaitReleased(before, "impatient");
    }

    @ParameterizedTest
    @EnumSource(Via.class)
    void subscriptionsTakenOverReleaseEveryTimerAndHandler(Via via) throws Exception {
        streamWithConsumers("contested", 0);
        Held before = held();
        List<Subscription> first = started(via, "contested");
        List<Subscription> second = subscribeEach(via, "contested", "LATEST");
        for (Subscription s : first) {
            assertThat(s.awaitEnd()).isIn("close 4409", "ResourceInUseException");
        }
        for (Subscription s : second) {
            s.awaitStarted();
        }
        second.forEach(Subscription::disconnect);
        awaitReleased(before, "contested");
    }

    @ParameterizedTest
    @EnumSource(Via.class)
    void subscriptionsOfADeletedStreamReleaseEveryTimerAndHandler(Via via) throws Exception {
        // Before the stream exists: deleting it also takes its shard's own handlers away.
        Held before = held();
        streamWithConsumers("doomed", 0);
        List<Subscription> subscriptions = started(via, "doomed");
        assertThat(node.delete("/v1/streams/doomed?enforceConsumerDeletion=true").statusCode()).isEqualTo(204);
        for (Subscription s : subscriptions) {
            assertThat(s.awaitEnd()).isIn("close 4404", "ResourceNotFoundException");
        }
        awaitReleased(before, "doomed");
    }

    @ParameterizedTest
    @EnumSource(Via.class)
    void subscriptionsOfADeregisteredConsumerReleaseEveryTimerAndHandler(Via via) throws Exception {
        streamWithConsumers("fickle", 0);
        Held before = held();
        List<Subscription> subscriptions = started(via, "fickle");
        assertHeldWhileRunning(before, subscriptions.size());
        for (int i = 0; i < N; i++) {
            kinesis("DeregisterStreamConsumer", new JsonObject().put("ConsumerARN", arns.get("fickle/c" + i)));
        }
        for (Subscription s : subscriptions) {
            assertThat(s.awaitEnd()).isIn("close 4404", "ResourceNotFoundException");
        }
        awaitReleased(before, "fickle");
    }

    @Test
    void stoppingTheNodeReleasesEverySubscriptionsTimers() throws Exception {
        streamWithConsumers("s0", 0);
        streamWithConsumers("s1", 0);
        streamWithConsumers("s2", 0);
        List<Subscription> all = new ArrayList<>();
        all.addAll(started(Via.WEBSOCKET, "s0"));
        all.addAll(started(Via.KINESIS_HTTP1, "s1"));
        all.addAll(started(Via.KINESIS_H2C, "s2"));
        assertThat(held().timers()).isPositive();
        RunningNode.await(node.node.stop());
        for (Subscription s : all) {
            s.awaitGone();
        }
        // The node is gone; its registry still tells what the subscriptions gave back while it stopped.
        String metrics = node.node.registry().scrape();
        assertThat(Metrics.value(metrics, "riffle_subscription_timers")).isZero();
        assertThat(Metrics.sum(metrics, "riffle_subscribers")).isZero();
    }
}
