package io.riffle.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import io.riffle.node.RunningNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.KinesisException;

/** What the HTTP front door refuses, and how: framing it cannot trust, values it cannot hold, wrong methods. */
@Timeout(60)
class HttpHardeningIT {
    private static final String KINESIS_JSON = "application/x-amz-json-1.1";
    private static final String KINESIS_CBOR = "application/x-amz-cbor-1.1";

    @TempDir
    static Path dataDir;
    static RunningNode node;

    @BeforeAll
    static void start() {
        node = RunningNode.start(dataDir, "--max-body-bytes", "3000000", "--header-read-timeout-seconds", "1",
                "--heartbeat-millis", "500");
        node.createStream("hardened", 1);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static String post(String path, String framing, String body) {
        return "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" + framing
                + "\r\n" + body;
    }

    @Test
    void aRequestWithBothContentLengthAndTransferEncodingIsRefusedAndTheConnectionClosed() throws Exception {
        String chunk = "{\"name\":\"smuggled\"}";
        String body = Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n0\r\n\r\n";
        RawHttp.Reply r = RawHttp.exchange(node.port(), post("/v1/streams",
                "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n", body));
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.closed()).isTrue();
        assertThat(node.get("/v1/streams/smuggled").statusCode()).isEqualTo(404);
    }

    @Test
    void aTransferEncodingThatDoesNotEndInChunkedIsRefusedWith400AndTheConnectionClosed() throws Exception {
        for (String coding : new String[] {"identity", "chunked, gzip", "chunked, chunked"}) {
            RawHttp.Reply r = RawHttp.exchange(node.port(), post("/v1/streams",
                    "Transfer-Encoding: " + coding + "\r\n", "0\r\n\r\n"));
            assertThat(r.status()).as(coding + ": " + r.body()).isEqualTo(400);
            assertThat(r.closed()).as(coding).isTrue();
        }
    }

    @Test
    void anUnknownTransferCodingBeforeChunkedIs501AndTheConnectionClosed() throws Exception {
        RawHttp.Reply r = RawHttp.exchange(node.port(), post("/v1/streams",
                "Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n"));
        assertThat(r.status()).as(r.body()).isEqualTo(501);
        assertThat(r.closed()).isTrue();
    }

    @Test
    void plainChunkedBodiesStillWork() throws Exception {
        String chunk = "{\"name\":\"chunky\"}";
        RawHttp.Reply r = RawHttp.exchange(node.port(), post("/v1/streams", "Transfer-Encoding: chunked\r\n",
                Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n0\r\n\r\n"));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    @Test
    void aWebSocketSubscriptionOutlivesTheHeaderReadTimeout() throws Exception {
        node.createStream("pushed", 1);
        assertThat(node.postJson("/v1/streams/pushed/consumers", new JsonObject().put("name", "c")).statusCode())
                .isEqualTo(201);
        try (Subscriber s = Subscriber.connect(node, "/v1/streams/pushed/subscribe?consumer=c&from=LATEST")) {
            Thread.sleep(2500); // past this node's 1 s header-read timeout, with heartbeats flowing
            assertThat(node.postRaw("/v1/streams/pushed/records?partitionKey=k", "application/octet-stream", Buffer.buffer("late"))
                    .statusCode()).isEqualTo(200);
            assertThat(s.records(1, 10_000)).hasSize(1);
            assertThat(s.closed).isNotDone();
        }
    }

    @Test
    void timestampsOutsideWhatAnInstantHoldsAreValidationErrors() {
        String uri = "/v1/streams/hardened/shards/shardId-000000000000/records?from=AT_TIMESTAMP&timestamp=";
        for (String t : new String[] {"99999999999999999999", "9223372036854775807", "-9223372036854775808",
                "%2B1000000000-01-01T00:00:00Z", "-1000000000-01-01T00:00:00Z", "1e400", "NaN"}) {
            HttpResponse<Buffer> r = node.get(uri + t);
            assertThat(r.statusCode()).as(t + ": " + r.bodyAsString()).isEqualTo(400);
            assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("code"))
                    .isIn("ValidationException", "InvalidArgumentException");
        }
    }

    @Test
    void wrongMethodsOnExistingPathsAre405WithTheAllowedOnes() {
        assertMethodNotAllowed(node.send(HttpMethod.PUT, "/v1/streams"), "GET", "POST");
        assertMethodNotAllowed(node.send(HttpMethod.POST, "/v1/streams/hardened"), "GET", "DELETE");
        assertMethodNotAllowed(node.send(HttpMethod.DELETE, "/v1/streams/hardened/records"), "POST");
        assertMethodNotAllowed(node.send(HttpMethod.POST, "/health"), "GET");
    }

    private static void assertMethodNotAllowed(HttpResponse<Buffer> r, String... allowed) {
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(405);
        assertThat(r.getHeader("Allow").split(",\\s*")).containsExactlyInAnyOrder(allowed);
        assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("UnknownOperationException");
    }

    @Test
    void aShardCountThatIsNotAnIntegerLiteralIsAValidationError() {
        for (String count : new String[] {"2.0000000000000001", "2.5", "\"2\"", "1e1", "2.0"}) {
            HttpResponse<Buffer> r = node.postRaw("/v1/streams", "application/json",
                    Buffer.buffer("{\"name\":\"counted\",\"shardCount\":" + count + "}"));
            NativeApiIT.assertError(r, 400, "ValidationException");
        }
        assertThat(node.get("/v1/streams/counted").statusCode()).isEqualTo(404);
    }

    @Test
    void aBatchOfTooManyRecordsIsRefusedWithASmallAnswerOnBothApis() {
        JsonArray records = new JsonArray();
        JsonArray kinesisRecords = new JsonArray();
        String data = java.util.Base64.getEncoder().encodeToString(new byte[1000]);
        for (int i = 0; i < 501; i++) {
            records.add(new JsonObject().put("partitionKey", "k" + i).put("data", data));
            kinesisRecords.add(new JsonObject().put("PartitionKey", "k" + i).put("Data", data));
        }
        HttpResponse<Buffer> nativeAnswer = node.postJson("/v1/streams/hardened/records",
                new JsonObject().put("records", records));
        NativeApiIT.assertError(nativeAnswer, 400, "ValidationException");
        assertThat(nativeAnswer.body().length()).isLessThan(2048);
        // As AWS: the message names the field and the limit, never the request.
        assertThat(nativeAnswer.bodyAsJsonObject().getJsonObject("error").getString("message"))
                .contains("'records'", "less than or equal to 500").doesNotContain(data);

        HttpResponse<Buffer> kinesis = kinesis("PutRecords", KINESIS_JSON, Buffer.buffer(new JsonObject()
                .put("StreamName", "hardened").put("Records", kinesisRecords).encode()));
        assertThat(kinesis.statusCode()).isEqualTo(400);
        assertThat(kinesis.bodyAsJsonObject().getString("__type")).isEqualTo("ValidationException");
        assertThat(kinesis.bodyAsString()).doesNotContain("KinesisRequest").doesNotContain(data)
                .contains("'records'", "less than or equal to 500");
        assertThat(kinesis.body().length()).isLessThan(2048);
    }

    @Test
    void aKinesisRequestOverTheBodyLimitIsAnsweredInTheKinesisShapeAndEncoding() throws Exception {
        Buffer big = Buffer.buffer(new byte[3_000_001]);
        HttpResponse<Buffer> json = kinesis("PutRecord", KINESIS_JSON, big);
        assertThat(json.statusCode()).isEqualTo(413);
        assertThat(json.getHeader("x-amzn-ErrorType")).isEqualTo("ValidationException");
        assertThat(json.getHeader("x-amzn-RequestId")).isNotBlank();
        assertThat(json.getHeader("Content-Type")).isEqualTo(KINESIS_JSON);
        JsonObject jsonBody = json.bodyAsJsonObject();
        assertThat(jsonBody.getString("__type")).isEqualTo("ValidationException");
        assertThat(jsonBody.getString("message")).contains("3000000");
        assertThat(jsonBody.containsKey("error")).isFalse();

        HttpResponse<Buffer> cbor = kinesis("PutRecord", KINESIS_CBOR, big);
        assertThat(cbor.statusCode()).isEqualTo(413);
        assertThat(cbor.getHeader("x-amzn-ErrorType")).isEqualTo("ValidationException");
        assertThat(cbor.getHeader("Content-Type")).isEqualTo(KINESIS_CBOR);
        JsonNode cborBody = new ObjectMapper(new CBORFactory()).readTree(cbor.body().getBytes());
        assertThat(cborBody.path("__type").asText()).isEqualTo("ValidationException");
    }

    @Test
    void theAwsSdkReportsAnOversizedPutAsAValidationException() {
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDRIFFLETEST", "secret"));
        try (KinesisClient sdk = KinesisClient.builder().endpointOverride(java.net.URI.create("http://127.0.0.1:" + node.port()))
                .region(Region.US_EAST_1).credentialsProvider(credentials).build()) {
            assertThatThrownBy(() -> sdk.putRecord(b -> b.streamName("hardened").partitionKey("k")
                    .data(SdkBytes.fromByteArray(new byte[3_000_001]))))
                    .isInstanceOfSatisfying(KinesisException.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(413);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
                        assertThat(e.awsErrorDetails().errorMessage()).contains("3000000");
                    });
        }
    }

    private static HttpResponse<Buffer> kinesis(String operation, String contentType, Buffer body) {
        io.vertx.ext.web.client.WebClient oneShot = io.vertx.ext.web.client.WebClient.create(node.clientVertx,
                new io.vertx.ext.web.client.WebClientOptions().setKeepAlive(false));
        try {
            return RunningNode.await(oneShot.post(node.port(), "127.0.0.1", "/")
                    .putHeader("X-Amz-Target", "Kinesis_20131202." + operation)
                    .putHeader("Content-Type", contentType).sendBuffer(body));
        } finally {
            oneShot.close();
        }
    }
}
