package io.riffle.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * Protocol test: the client's WebSocket handling against a tiny Vert.x server that speaks the subscribe
 * frames of issue #3. It proves wire handling only (fragmented frames, demand-driven reads, resume query);
 * the behaviour against the real node is proven in {@code RiffleClientIT}.
 */
class SubscriptionProtocolTest {
    private static final String SHARD = "shardId-000000000000";
    private final Vertx vertx = Vertx.vertx();
    private final List<String> uris = new CopyOnWriteArrayList<>();
    private RiffleClient client;

    @AfterEach
    void tearDown() {
        if (client != null) {
            client.close();
        }
        vertx.close().await();
    }

    private int serve(Consumer<ServerWebSocket> onSocket) {
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .webSocketHandler(ws -> {
                    uris.add(ws.uri());
                    onSocket.accept(ws);
                });
        int port = server.listen().await().actualPort();
        client = RiffleClient.create(RiffleClientOptions.local(port)
                .withBackoff(new Backoff(Duration.ofMillis(10), Duration.ofMillis(50), Math::random)));
        return port;
    }

    private static String frame(long firstSeq, int count, int dataSize) {
        JsonArray records = new JsonArray();
        String data = Base64.getEncoder().encodeToString(new byte[dataSize]);
        for (long s = firstSeq; s < firstSeq + count; s++) {
            records.add(new JsonObject().put("sequenceNumber", Long.toString(s)).put("partitionKey", "k")
                    .put("data", data).put("approximateArrivalTimestamp", 1_700_000_000_000L));
        }
        return new JsonObject().put("type", "records").put("shardId", SHARD).put("records", records)
                .put("millisBehindLatest", 0).put("continuationSequenceNumber", Long.toString(firstSeq + count - 1))
                .encode();
    }

    @Test
    void aMessageFragmentedIntoManyFramesArrivesWhole() {
        serve(ws -> ws.writeTextMessage(frame(100, 200, 1024)));
        StepVerifier.create(client.subscribe("s", "c", StartPosition.TRIM_HORIZON).take(200).map(Record::sequenceNumber))
                .expectNextCount(199)
                .expectNext("299")
                .expectComplete()
                .verify(Duration.ofSeconds(20));
    }

    @Test
    void anIdleSubscriberStopsTheServerPushingForIt() throws Exception {
        AtomicInteger written = new AtomicInteger();
        AtomicInteger queueFullAt = new AtomicInteger(-1);
        serve(ws -> vertx.setPeriodic(1, id -> {
            if (ws.isClosed() || written.get() >= 5_000) {
                vertx.cancelTimer(id);
                return;
            }
            if (ws.writeQueueFull()) {
                queueFullAt.compareAndSet(-1, written.get());
                return;
            }
            ws.writeTextMessage(frame(1 + written.getAndIncrement() * 10L, 10, 1024));
        }));
        StepVerifier.create(client.subscribe("s", "c", StartPosition.TRIM_HORIZON), 5)
                .expectNextCount(5)
                .then(() -> {
                    long deadline = System.currentTimeMillis() + 10_000;
                    while (queueFullAt.get() < 0 && System.currentTimeMillis() < deadline) {
                        Thread.onSpinWait();
                    }
                })
                .thenCancel()
                .verify(Duration.ofSeconds(20));
        assertThat(queueFullAt.get()).as("frames written before the server's queue filled up").isPositive();
        assertThat(written.get()).isLessThan(5_000);
    }

    @Test
    void aBrokenConnectionResumesJustAfterTheLastReceivedRecord() {
        AtomicInteger connections = new AtomicInteger();
        serve(ws -> {
            if (connections.incrementAndGet() == 1) {
                ws.writeTextMessage(frame(1, 10, 10)).onComplete(ar -> ws.close((short) 1001, "restart"));
            } else {
                ws.writeTextMessage(frame(11, 10, 10));
            }
        });
        StepVerifier.create(client.subscribe("s", "c", StartPosition.TRIM_HORIZON).take(20).map(Record::sequenceNumber))
                .expectNext("1", "2", "3", "4", "5", "6", "7", "8", "9", "10")
                .expectNext("11", "12", "13", "14", "15", "16", "17", "18", "19", "20")
                .expectComplete()
                .verify(Duration.ofSeconds(20));
        assertThat(uris).hasSize(2);
        assertThat(uris.get(0)).isEqualTo("/v1/streams/s/subscribe?consumer=c&from=TRIM_HORIZON");
        assertThat(uris.get(1)).isEqualTo("/v1/streams/s/subscribe?consumer=c&from=TRIM_HORIZON&positions="
                + SHARD + ":10");
    }

    @Test
    void aClosedClientFailsCallsAtOnce() {
        serve(ws -> { });
        client.close();
        StepVerifier.create(client.put("s", "k", new byte[1]))
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("closed"))
                .verify(Duration.ofSeconds(10));
        StepVerifier.create(client.subscribe("s", "c", StartPosition.LATEST))
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("closed"))
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void closingTheClientEndsItsSubscriptions() {
        serve(ws -> ws.writeTextMessage(frame(1, 1, 10)));
        StepVerifier.create(client.subscribe("s", "c", StartPosition.LATEST))
                .expectNextCount(1)
                .then(() -> new Thread(client::close).start())
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("closed"))
                .verify(Duration.ofSeconds(20));
    }

    @Test
    void cancellingClosesTheWebSocket() throws Exception {
        var closed = new java.util.concurrent.CompletableFuture<Short>();
        serve(ws -> {
            ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
            ws.writeTextMessage(frame(1, 3, 10));
        });
        StepVerifier.create(client.subscribe("s", "c", StartPosition.LATEST).take(3)).expectNextCount(3).expectComplete()
                .verify(Duration.ofSeconds(20));
        assertThat(closed.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo((short) 1000);
    }
}
