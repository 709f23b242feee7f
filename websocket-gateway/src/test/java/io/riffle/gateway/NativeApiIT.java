package io.riffle.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.model.SequenceNumber;
import io.riffle.node.RunningNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The native HTTP API end to end, through Vert.x WebClient against a node on port 0. */
@Timeout(60)
class NativeApiIT {
    @TempDir
    static Path dataDir;
    static RunningNode node;

    @BeforeAll
    static void start() {
        node = RunningNode.start(dataDir, "--max-body-bytes", "3000000");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static void assertError(HttpResponse<Buffer> r, int status, String code) {
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
        JsonObject error = r.bodyAsJsonObject().getJsonObject("error");
        assertThat(error.getString("code")).isEqualTo(code);
        assertThat(error.getString("message")).isNotBlank();
    }

    static JsonObject record(String key, String field, Object value) {
        return new JsonObject().put("partitionKey", key).put(field, value);
    }

    @Test
    void streamsAreCreatedListedDescribedAndDeleted() {
        JsonObject created = node.createStream("lifecycle", 3);
        assertThat(created.getString("name")).isEqualTo("lifecycle");
        assertThat(created.getString("status")).isEqualTo("ACTIVE");
        JsonArray shards = created.getJsonArray("shards");
        assertThat(shards).hasSize(3);
        JsonObject first = shards.getJsonObject(0);
        assertThat(first.getString("shardId")).isEqualTo("shardId-000000000000");
        assertThat(first.getJsonObject("hashKeyRange").getString("startingHashKey")).isEqualTo("0");
        assertThat(first.getJsonObject("sequenceNumberRange").getString("startingSequenceNumber")).isNotBlank();
        assertThat(shards.getJsonObject(2).getJsonObject("hashKeyRange").getString("endingHashKey"))
                .isEqualTo("340282366920938463463374607431768211455");

        assertThat(node.get("/v1/streams").bodyAsJsonObject().getJsonArray("streams").getList()).contains("lifecycle");
        JsonObject page = node.get("/v1/streams?limit=1&exclusiveStartStreamName=lifecycle").bodyAsJsonObject();
        assertThat(page.getJsonArray("streams").getList()).doesNotContain("lifecycle");
        HttpResponse<Buffer> described = node.get("/v1/streams/lifecycle");
        assertThat(described.statusCode()).isEqualTo(200);
        assertThat(described.bodyAsJsonObject().getJsonArray("shards")).hasSize(3);

        assertThat(node.delete("/v1/streams/lifecycle").statusCode()).isEqualTo(204);
        assertError(node.get("/v1/streams/lifecycle"), 404, "ResourceNotFoundException");
    }

    @Test
    void jsonBatchPutsDataTextAndJsonRecordsAndReadsThemBackInOrder() {
        node.createStream("batch", 1);
        JsonObject body = new JsonObject().put("records", new JsonArray()
                .add(record("a", "data", Base64.getEncoder().encodeToString(new byte[] {0, 1, 2, (byte) 255})))
                .add(record("b", "text", "héllo"))
                .add(record("c", "json", new JsonObject().put("n", 1))));
        HttpResponse<Buffer> put = node.postJson("/v1/streams/batch/records", body);
        assertThat(put.statusCode()).as(put.bodyAsString()).isEqualTo(200);
        JsonObject result = put.bodyAsJsonObject();
        assertThat(result.getInteger("failedRecordCount")).isZero();
        JsonArray results = result.getJsonArray("records");
        assertThat(results).hasSize(3);
        assertThat(results.getJsonObject(0).getString("shardId")).isEqualTo("shardId-000000000000");

        JsonObject read = node.get("/v1/streams/batch/shards/shardId-000000000000/records").bodyAsJsonObject();
        JsonArray records = read.getJsonArray("records");
        assertThat(records).hasSize(3);
        assertThat(Base64.getDecoder().decode(records.getJsonObject(0).getString("data"))).containsExactly(0, 1, 2, 255);
        assertThat(decode(records.getJsonObject(1))).isEqualTo("héllo");
        assertThat(new JsonObject(decode(records.getJsonObject(2)))).isEqualTo(new JsonObject().put("n", 1));
        for (int i = 0; i < 3; i++) {
            assertThat(records.getJsonObject(i).getString("sequenceNumber"))
                    .isEqualTo(results.getJsonObject(i).getString("sequenceNumber"));
            assertThat(records.getJsonObject(i).getLong("approximateArrivalTimestamp")).isPositive();
        }
        assertThat(records.getJsonObject(1).getString("partitionKey")).isEqualTo("b");
        assertThat(read.getLong("millisBehindLatest")).isNotNegative();

        // nextSequenceNumber continues exactly where the read stopped.
        String next = read.getString("nextSequenceNumber");
        // A caught-up poller continues from there: nothing yet, and the same place to come back to.
        JsonObject caughtUp = node.get("/v1/streams/batch/shards/shardId-000000000000/records?from=AT_SEQUENCE_NUMBER&sequenceNumber="
                + next).bodyAsJsonObject();
        assertThat(caughtUp.getJsonArray("records")).isEmpty();
        assertThat(caughtUp.getString("nextSequenceNumber")).isEqualTo(next);
        node.postRaw("/v1/streams/batch/records?partitionKey=d", "application/octet-stream", Buffer.buffer("fourth"));
        JsonArray more = node.get("/v1/streams/batch/shards/shardId-000000000000/records?from=AT_SEQUENCE_NUMBER&sequenceNumber="
                + next).bodyAsJsonObject().getJsonArray("records");
        assertThat(more).hasSize(1);
        assertThat(decode(more.getJsonObject(0))).isEqualTo("fourth");
    }

    @Test
    void rawBodyIsOneRecordKeyedByHeaderOrQuery() {
        node.createStream("raw", 2);
        HttpResponse<Buffer> byHeader = await(node.web.post(node.port(), "127.0.0.1", "/v1/streams/raw/records")
                .putHeader("Content-Type", "application/octet-stream").putHeader("Partition-Key", "k1")
                .sendBuffer(Buffer.buffer("payload-1")));
        assertThat(byHeader.statusCode()).as(byHeader.bodyAsString()).isEqualTo(200);
        JsonObject accepted = byHeader.bodyAsJsonObject();
        assertThat(accepted.getString("shardId")).startsWith("shardId-");
        assertThat(accepted.getString("sequenceNumber")).matches("[0-9]+");

        HttpResponse<Buffer> byQuery = node.postRaw("/v1/streams/raw/records?partitionKey=k2&explicitHashKey=0",
                "application/octet-stream", Buffer.buffer("payload-2"));
        assertThat(byQuery.statusCode()).isEqualTo(200);
        assertThat(byQuery.bodyAsJsonObject().getString("shardId")).isEqualTo("shardId-000000000000");

        String shard = accepted.getString("shardId");
        JsonArray read = node.get("/v1/streams/raw/shards/" + shard + "/records?from=AT_SEQUENCE_NUMBER&sequenceNumber="
                + accepted.getString("sequenceNumber") + "&limit=1").bodyAsJsonObject().getJsonArray("records");
        assertThat(read).hasSize(1);
        assertThat(decode(read.getJsonObject(0))).isEqualTo("payload-1");
        assertThat(read.getJsonObject(0).getString("partitionKey")).isEqualTo("k1");
    }

    @Test
    void readsStartFromEveryKindOfPosition() {
        node.createStream("positions", 1);
        String shard = "/v1/streams/positions/shards/shardId-000000000000/records";
        JsonArray put = putTexts("positions", "r0", "r1", "r2");
        String seq1 = put.getJsonObject(1).getString("sequenceNumber");
        long before = System.currentTimeMillis();

        assertThat(texts(node.get(shard + "?from=TRIM_HORIZON&limit=2"))).containsExactly("r0", "r1");
        assertThat(texts(node.get(shard + "?from=AT_SEQUENCE_NUMBER&sequenceNumber=" + seq1))).containsExactly("r1", "r2");
        assertThat(texts(node.get(shard + "?from=AFTER_SEQUENCE_NUMBER&sequenceNumber=" + seq1))).containsExactly("r2");
        assertThat(texts(node.get(shard + "?from=LATEST"))).isEmpty();
        assertThat(texts(node.get(shard + "?from=AT_TIMESTAMP&timestamp=0"))).containsExactly("r0", "r1", "r2");
        assertThat(texts(node.get(shard + "?from=AT_TIMESTAMP&timestamp=" + (before + 60_000)))).isEmpty();
        assertThat(texts(node.get(shard + "?from=at_timestamp&timestamp=1970-01-01T00:00:00Z"))).hasSize(3);
    }

    @Test
    void consumersAreRegisteredListedDescribedDeregisteredAndLimitedToTwenty() {
        node.createStream("fans", 1);
        HttpResponse<Buffer> created = node.postJson("/v1/streams/fans/consumers", new JsonObject().put("name", "c0"));
        assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
        assertThat(created.bodyAsJsonObject().getString("name")).isEqualTo("c0");
        assertError(node.postJson("/v1/streams/fans/consumers", new JsonObject().put("name", "c0")), 409,
                "ResourceInUseException");
        assertThat(node.get("/v1/streams/fans/consumers/c0").bodyAsJsonObject().getString("name")).isEqualTo("c0");
        for (int i = 1; i < 20; i++) {
            assertThat(node.postJson("/v1/streams/fans/consumers", new JsonObject().put("name", "c" + i)).statusCode())
                    .isEqualTo(201);
        }
        assertThat(node.get("/v1/streams/fans/consumers").bodyAsJsonObject().getJsonArray("consumers")).hasSize(20);
        HttpResponse<Buffer> tooMany = node.postJson("/v1/streams/fans/consumers", new JsonObject().put("name", "c20"));
        assertThat(tooMany.statusCode()).isEqualTo(400);
        assertThat(tooMany.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("LimitExceededException");

        assertError(node.delete("/v1/streams/fans"), 409, "ResourceInUseException");
        assertThat(node.delete("/v1/streams/fans/consumers/c0").statusCode()).isEqualTo(204);
        assertError(node.get("/v1/streams/fans/consumers/c0"), 404, "ResourceNotFoundException");
        assertThat(node.delete("/v1/streams/fans?enforceConsumerDeletion=true").statusCode()).isEqualTo(204);
    }

    @Test
    void badNamesAreValidationErrors() {
        assertError(node.postJson("/v1/streams", new JsonObject().put("name", "bad name!")), 400, "ValidationException");
        assertError(node.postJson("/v1/streams", new JsonObject().put("name", "x".repeat(129))), 400, "ValidationException");
        assertError(node.postJson("/v1/streams", new JsonObject()), 400, "ValidationException");
        assertError(node.postJson("/v1/streams", new JsonObject().put("name", "ok").put("shardCount", "two")), 400,
                "ValidationException");
        assertError(node.postJson("/v1/streams", new JsonObject().put("name", "ok").put("mode", "FAST")), 400,
                "ValidationException");
        assertError(node.get("/v1/streams/bad%20name"), 400, "ValidationException");
        assertError(node.postJson("/v1/streams/bad%21/consumers", new JsonObject().put("name", "c")), 400,
                "ValidationException");
    }

    @Test
    void dotNamesThatNoUrlPathCanCarryAreNotCreatedHereButOtherDottedNamesWork() {
        // "." and ".." are valid Kinesis names (the Kinesis API creates them); a URL path would lose them.
        assertError(node.postJson("/v1/streams", new JsonObject().put("name", ".")), 400, "ValidationException");
        assertError(node.postJson("/v1/streams", new JsonObject().put("name", "..")), 400, "ValidationException");
        assertThat(node.get("/v1/streams").bodyAsJsonObject().getJsonArray("streams")).doesNotContain(".", "..");
        assertThat(node.postJson("/v1/streams", new JsonObject().put("name", "...")).statusCode()).isEqualTo(201);
        assertThat(node.get("/v1/streams/...").statusCode()).isEqualTo(200);
        assertThat(node.delete("/v1/streams/...").statusCode()).isEqualTo(204);
    }

    @Test
    void unknownStreamsShardsAndRoutesAreNotFound() {
        node.createStream("known", 1);
        assertError(node.get("/v1/streams/nope"), 404, "ResourceNotFoundException");
        assertError(node.postRaw("/v1/streams/nope/records?partitionKey=k", "application/octet-stream", Buffer.buffer("x")), 404,
                "ResourceNotFoundException");
        assertError(node.get("/v1/streams/nope/shards/shardId-000000000000/records"), 404, "ResourceNotFoundException");
        assertError(node.get("/v1/streams/known/shards/shardId-000000000007/records"), 404, "ResourceNotFoundException");
        assertError(node.get("/v1/streams/known/shards/other-shard/records"), 404, "ResourceNotFoundException");
        assertError(node.get("/v1/streams/known/shards/bad!shard/records"), 400, "ValidationException");
        assertError(node.get("/v1/nothing/here"), 404, "ResourceNotFoundException");
        assertError(node.send(HttpMethod.PUT, "/v1/streams"), 405, "UnknownOperationException");
        assertError(node.postJson("/v1/streams", new JsonObject().put("name", "known")), 409, "ResourceInUseException");
    }

    @Test
    void badRecordsAreRejectedWholeWithTheRightErrorType() {
        node.createStream("strict", 1);
        String uri = "/v1/streams/strict/records";
        assertError(node.postRaw(uri, "application/json", Buffer.buffer("{\"records\": [")), 400, "SerializationException");
        assertError(node.postRaw(uri, "application/json", Buffer.buffer("[]")), 400, "SerializationException");
        assertError(node.postJson(uri, new JsonObject().put("records", new JsonArray().add(record("k", "data", "%%%")))),
                400, "SerializationException");
        assertError(node.postJson(uri, new JsonObject().put("records", new JsonArray().add(record("", "text", "x")))),
                400, "ValidationException");
        assertError(node.postJson(uri, new JsonObject().put("records", new JsonArray().add(record("k".repeat(257), "text", "x")))),
                400, "ValidationException");
        assertError(node.postRaw(uri + "?partitionKey=", "application/octet-stream", Buffer.buffer("x")), 400, "ValidationException");
        assertError(node.postRaw(uri + "?partitionKey=" + "k".repeat(257), "application/octet-stream", Buffer.buffer("x")), 400,
                "ValidationException");
        assertError(node.postRaw(uri, "application/octet-stream", Buffer.buffer("no key")), 400, "ValidationException");
        assertError(node.postJson(uri, new JsonObject().put("records", new JsonArray())), 400, "ValidationException");
        assertError(node.postJson(uri, new JsonObject().put("records", new JsonArray()
                .add(new JsonObject().put("partitionKey", "k").put("text", "a").put("data", "YQ==")))), 400,
                "ValidationException");
        assertError(node.postJson(uri, new JsonObject().put("records", new JsonArray()
                .add(record("k", "text", "x").put("explicitHashKey", "-1")))), 400, "ValidationException");
        // 256 characters is still fine, and nothing of the refused puts was written.
        assertThat(node.postRaw(uri + "?partitionKey=" + "k".repeat(256), "application/octet-stream", Buffer.buffer("x")).statusCode())
                .isEqualTo(200);
        assertThat(texts(node.get("/v1/streams/strict/shards/shardId-000000000000/records"))).containsExactly("x");
    }

    @Test
    void oversizedRecordsAndBodiesAre413() {
        node.createStream("big", 1);
        Buffer mib = Buffer.buffer(new byte[1024 * 1024 + 1]);
        assertError(node.postRaw("/v1/streams/big/records?partitionKey=k", "application/octet-stream", mib), 413,
                "ValidationException");
        String b64 = Base64.getEncoder().encodeToString(new byte[1024 * 1024 + 1]);
        assertError(node.postJson("/v1/streams/big/records", new JsonObject().put("records",
                new JsonArray().add(record("k", "data", b64)))), 413, "ValidationException");
        // This node takes bodies up to 3,000,000 bytes: beyond that, 413 before the body is buffered.
        assertError(node.postRaw("/v1/streams/big/records?partitionKey=k", "application/octet-stream",
                Buffer.buffer(new byte[3_000_001])), 413, "ValidationException");
        assertThat(texts(node.get("/v1/streams/big/shards/shardId-000000000000/records"))).isEmpty();
    }

    @Test
    void oversizedHeadersAndUrlsAreRefusedByTheServer() {
        // The server closes a connection whose request it could not parse: use one connection per request,
        // so the shared client's pool never hands a closing connection to the next test.
        io.vertx.ext.web.client.WebClient oneShot = io.vertx.ext.web.client.WebClient.create(node.clientVertx,
                new io.vertx.ext.web.client.WebClientOptions().setKeepAlive(false));
        try {
            HttpResponse<Buffer> longUrl = await(oneShot.get(node.port(), "127.0.0.1", "/v1/streams/" + "a".repeat(9000)).send());
            assertThat(longUrl.statusCode()).isEqualTo(414);
            HttpResponse<Buffer> bigHeader = await(oneShot.get(node.port(), "127.0.0.1", "/health")
                    .putHeader("X-Big", "b".repeat(20_000)).send());
            assertThat(bigHeader.statusCode()).isEqualTo(431);
        } finally {
            oneShot.close();
        }
    }

    @Test
    void badReadParametersAreRejected() {
        JsonObject other = node.createStream("params", 2);
        String seqOfShard1 = new SequenceNumber(1, 0).wire();
        String uri = "/v1/streams/params/shards/shardId-000000000000/records";
        assertError(node.get(uri + "?from=SOMEWHERE"), 400, "ValidationException");
        assertError(node.get(uri + "?from=AT_SEQUENCE_NUMBER"), 400, "InvalidArgumentException");
        assertError(node.get(uri + "?from=AT_SEQUENCE_NUMBER&sequenceNumber=abc"), 400, "ValidationException");
        assertError(node.get(uri + "?from=AFTER_SEQUENCE_NUMBER&sequenceNumber=" + seqOfShard1), 400,
                "InvalidArgumentException");
        assertError(node.get(uri + "?from=AT_TIMESTAMP"), 400, "InvalidArgumentException");
        assertError(node.get(uri + "?from=AT_TIMESTAMP&timestamp=yesterday"), 400, "ValidationException");
        assertError(node.get(uri + "?limit=0"), 400, "ValidationException");
        assertError(node.get(uri + "?limit=10001"), 400, "ValidationException");
        assertThat(other.getJsonArray("shards")).hasSize(2);
    }

    @Test
    void openApiDocumentIsServed() {
        HttpResponse<Buffer> r = node.get("/v1/openapi.yaml");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.bodyAsString()).contains("openapi: 3").contains("/v1/streams/{name}/subscribe");
    }

    @Test
    void aStandaloneNodeHoldsOneReplicaOfEachShardAndDecommissionsNothing() {
        assertThat(node.postJson("/v1/streams", new JsonObject().put("name", "single").put("shardCount", 1).put("replicationFactor", 1))
                .bodyAsJsonObject().getInteger("replicationFactor")).isEqualTo(1);
        assertThat(node.get("/v1/streams/single").bodyAsJsonObject().getInteger("replicationFactor")).isEqualTo(1);
        HttpResponse<Buffer> two = node.postJson("/v1/streams", new JsonObject().put("name", "double").put("shardCount", 1).put("replicationFactor", 2));
        assertError(two, 400, "InvalidArgumentException");
        assertThat(two.bodyAsString()).contains("standalone");
        assertError(node.get("/v1/streams/double"), 404, "ResourceNotFoundException");
        String self = node.get("/v1/cluster").bodyAsJsonObject().getString("self");
        assertError(node.postJson("/v1/cluster/nodes/" + self + "/decommission", new JsonObject()), 400, "InvalidArgumentException");
    }

    private JsonArray putTexts(String stream, String... texts) {
        JsonArray records = new JsonArray();
        for (String t : texts) {
            records.add(record("same-key", "text", t));
        }
        HttpResponse<Buffer> r = node.postJson("/v1/streams/" + stream + "/records", new JsonObject().put("records", records));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        assertThat(r.bodyAsJsonObject().getInteger("failedRecordCount")).isZero();
        return r.bodyAsJsonObject().getJsonArray("records");
    }

    static List<String> texts(HttpResponse<Buffer> r) {
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        return r.bodyAsJsonObject().getJsonArray("records").stream().map(o -> decode((JsonObject) o)).toList();
    }

    static String decode(JsonObject record) {
        return new String(Base64.getDecoder().decode(record.getString("data")), StandardCharsets.UTF_8);
    }

    private static <T> T await(io.vertx.core.Future<T> f) {
        return RunningNode.await(f);
    }
}
