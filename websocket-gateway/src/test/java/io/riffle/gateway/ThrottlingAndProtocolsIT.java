package io.riffle.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.node.RunningNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A node with Kinesis's default limits on: throttling answers, and the transport-level behaviour. */
@Timeout(60)
class ThrottlingAndProtocolsIT {
    @TempDir
    static Path dataDir;
    static RunningNode node;

    @BeforeAll
    static void start() {
        node = RunningNode.start(dataDir, "--throttling", "true", "--idle-timeout-seconds", "1");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void putsBeyondTheShardWriteLimitAre429WithRetryAfter() {
        node.createStream("hot", 1);
        Buffer record = Buffer.buffer(new byte[400 * 1024]);
        HttpResponse<Buffer> throttled = null;
        int accepted = 0;
        // 1 MiB/s per shard: at most a few 400 KiB records pass before the bucket runs dry.
        for (int i = 0; i < 20 && throttled == null; i++) {
            HttpResponse<Buffer> r = node.postRaw("/v1/streams/hot/records?partitionKey=k", "application/octet-stream", record);
            if (r.statusCode() == 429) {
                throttled = r;
            } else {
                assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
                accepted++;
            }
        }
        assertThat(throttled).as("a 429 within 20 puts of 400 KiB").isNotNull();
        assertThat(accepted).isBetween(1, 10);
        assertThat(throttled.getHeader("Retry-After")).matches("[1-9][0-9]*");
        NativeApiIT.assertError(throttled, 429, "ProvisionedThroughputExceededException");
    }

    @Test
    void aStreamCreatedWithItsOwnLimitsIsThrottledByThem() {
        HttpResponse<Buffer> created = node.postJson("/v1/streams", new io.vertx.core.json.JsonObject().put("name", "own")
                .put("shardCount", 1).put("limits", new io.vertx.core.json.JsonObject().put("writeRecordsPerSecond", 3)));
        assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
        assertThat(created.bodyAsJsonObject().getJsonObject("limits").getLong("writeRecordsPerSecond")).isEqualTo(3);
        assertThat(created.bodyAsJsonObject().getJsonObject("limits").getLong("readCallsPerSecond")).isEqualTo(5);
        io.vertx.core.json.JsonArray records = new io.vertx.core.json.JsonArray();
        for (int i = 0; i < 6; i++) {
            records.add(new io.vertx.core.json.JsonObject().put("partitionKey", "k").put("text", "r" + i));
        }
        HttpResponse<Buffer> put = node.postJson("/v1/streams/own/records", new io.vertx.core.json.JsonObject().put("records", records));
        assertThat(put.statusCode()).as(put.bodyAsString()).isEqualTo(200);
        // At most 3 records in the first second (a little refill may land while the request travels).
        assertThat(put.bodyAsJsonObject().getInteger("failedRecordCount")).isBetween(2, 3);
        assertThat(put.bodyAsJsonObject().getJsonArray("records").getJsonObject(5).getString("errorCode"))
                .isEqualTo("ProvisionedThroughputExceededException");

        HttpResponse<Buffer> bad = node.postJson("/v1/streams", new io.vertx.core.json.JsonObject().put("name", "bad")
                .put("limits", new io.vertx.core.json.JsonObject().put("writeRecordsPerSecond", "fast")));
        NativeApiIT.assertError(bad, 400, "ValidationException");
        assertThat(node.get("/v1/streams/bad").statusCode()).isEqualTo(404);
    }

    @Test
    void pollingReadsBeyondFivePerSecondAre429() {
        node.createStream("polled", 1);
        HttpResponse<Buffer> throttled = null;
        for (int i = 0; i < 30 && throttled == null; i++) {
            HttpResponse<Buffer> r = node.get("/v1/streams/polled/shards/shardId-000000000000/records");
            if (r.statusCode() == 429) {
                throttled = r;
            } else {
                assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
            }
        }
        assertThat(throttled).as("a 429 within 30 back-to-back reads").isNotNull();
        assertThat(throttled.getHeader("Retry-After")).isNotNull();
        NativeApiIT.assertError(throttled, 429, "ProvisionedThroughputExceededException");
    }

    @Test
    void http2CleartextWithPriorKnowledgeIsServed() {
        WebClient h2 = WebClient.create(node.clientVertx, new WebClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
        HttpResponse<Buffer> r = RunningNode.await(h2.get(node.port(), "127.0.0.1", "/health").send());
        assertThat(r.version()).isEqualTo(HttpVersion.HTTP_2);
        assertThat(r.statusCode()).isEqualTo(200);
        h2.close();
    }

    @Test
    void kinesisTargetIsHandedToTheKinesisHookNotTheNativeApi() {
        // An unknown operation: the Kinesis API answers it the AWS way, not the native API.
        HttpResponse<Buffer> r = RunningNode.await(node.web.post(node.port(), "127.0.0.1", "/")
                .putHeader("X-Amz-Target", "Kinesis_20131202.NoSuchOperation")
                .putHeader("Content-Type", "application/x-amz-json-1.1")
                .sendBuffer(Buffer.buffer("{}")));
        assertThat(r.statusCode()).isEqualTo(400);
        JsonObject body = r.bodyAsJsonObject();
        assertThat(body.getString("__type")).isEqualTo("UnknownOperationException");
        assertThat(body.containsKey("error")).isFalse();
    }

    @Test
    void idleConnectionsAreClosed() throws Exception {
        NetSocket socket = RunningNode.await(node.clientVertx.createNetClient().connect(node.port(), "127.0.0.1"));
        CompletableFuture<Void> closed = new CompletableFuture<>();
        socket.closeHandler(v -> closed.complete(null));
        closed.get(20, TimeUnit.SECONDS); // this node's idle timeout is 1 s
        assertThat(closed).isDone();
    }
}
