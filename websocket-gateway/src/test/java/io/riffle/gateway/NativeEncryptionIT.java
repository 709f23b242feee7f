package io.riffle.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.node.RunningNode;
import io.riffle.security.SecurityFixtures;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Encryption through the native API and WebSocket of a node with {@code auth: sigv4}: PUT/DELETE
 * {@code /v1/streams/{s}/encryption}, records marked {@code encryptionType: KMS}, the KMS errors, and the
 * {@code kms:GenerateDataKey} / {@code kms:Decrypt} permissions producers and consumers need on the key.
 */
class NativeEncryptionIT {
    private static final String KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/7a000000-0000-4000-8000-000000000001";
    private static final String ALIAS_ARN = "arn:aws:kms:eu-west-1:123456789012:alias/vault";
    private static final String CREDENTIALS = """
            principals:
              - name: admin
                tokens: [admin-token-0123456789]
                policies:
                  - Statement:
                      - {Effect: Allow, Action: "*", Resource: "*"}
              - name: producer
                tokens: [producer-token-0123456789]
                policies:
                  - Statement:
                      - {Effect: Allow, Action: "kinesis:*", Resource: "*"}
                      - {Effect: Allow, Action: "kms:GenerateDataKey", Resource: "%s"}
              - name: consumer
                tokens: [consumer-token-0123456789]
                policies:
                  - Statement:
                      - {Effect: Allow, Action: "kinesis:*", Resource: "*"}
            """.formatted(ALIAS_ARN);

    @TempDir
    Path dataDir;
    @TempDir
    Path etc;
    private RunningNode node;

    @BeforeEach
    void start() throws Exception {
        Path credentials = SecurityFixtures.write(etc, CREDENTIALS);
        byte[] material = new byte[32];
        Arrays.fill(material, (byte) 3);
        Path keyring = etc.resolve("keyring.json");
        Files.writeString(keyring, "{\"keys\":[{\"keyId\":\"" + KEY_ARN + "\",\"aliases\":[\"alias/vault\"],\"material\":\""
                + Base64.getEncoder().encodeToString(material) + "\"}]}");
        node = RunningNode.start(dataDir, "--auth", "sigv4", "--credentials-file", credentials.toString(),
                "--region", SecurityFixtures.REGION, "--account-id", SecurityFixtures.ACCOUNT, "--keyring-file", keyring.toString());
    }

    @AfterEach
    void stop() {
        node.close();
    }

    private HttpResponse<Buffer> call(HttpMethod method, String uri, String who, JsonObject body) {
        var request = node.web.request(method, node.port(), "127.0.0.1", uri).putHeader("Authorization", "Bearer " + who + "-token-0123456789");
        return RunningNode.await(body == null ? request.send() : request.sendJsonObject(body));
    }

    private static void assertError(HttpResponse<Buffer> r, int status, String code, String message) {
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
        assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo(code);
        assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("message")).contains(message);
    }

    private static JsonObject records(String text) {
        return new JsonObject().put("records", new JsonArray().add(new JsonObject().put("partitionKey", "k").put("text", text)));
    }

    private void awaitActive(String stream) throws InterruptedException {
        for (int i = 0; i < 300; i++) {
            if (call(HttpMethod.GET, "/v1/streams/" + stream, "admin", null).bodyAsJsonObject().getString("status").equals("ACTIVE")) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(stream + " never became ACTIVE");
    }

    @Test
    void encryptionStartsAndStopsNativelyAndProducersAndConsumersNeedTheirKmsPermissions() throws Exception {
        assertThat(call(HttpMethod.POST, "/v1/streams", "admin", new JsonObject().put("name", "vault").put("shardCount", 1))
                .statusCode()).isEqualTo(201);
        assertThat(call(HttpMethod.POST, "/v1/streams/vault/records", "consumer", records("plain")).statusCode()).isEqualTo(200);
        assertError(call(HttpMethod.PUT, "/v1/streams/vault/encryption", "admin", new JsonObject().put("keyId", "alias/none")),
                400, "KMSNotFoundException", "alias/none");
        assertError(call(HttpMethod.PUT, "/v1/streams/vault/encryption", "admin", new JsonObject()),
                400, "ValidationException", "keyId");

        HttpResponse<Buffer> started = call(HttpMethod.PUT, "/v1/streams/vault/encryption", "admin", new JsonObject().put("keyId", "alias/vault"));
        assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(200);
        assertThat(started.bodyAsJsonObject().getString("encryptionType")).isEqualTo("KMS");
        assertThat(started.bodyAsJsonObject().getString("keyId")).isEqualTo("alias/vault");
        awaitActive("vault");

        assertError(call(HttpMethod.POST, "/v1/streams/vault/records", "consumer", records("refused")), 403,
                "KMSAccessDeniedException", "kms:GenerateDataKey on resource: " + ALIAS_ARN);
        assertThat(call(HttpMethod.POST, "/v1/streams/vault/records", "producer", records("sealed")).statusCode()).isEqualTo(200);

        String read = "/v1/streams/vault/shards/shardId-000000000000/records?from=TRIM_HORIZON";
        assertError(call(HttpMethod.GET, read, "producer", null), 403, "KMSAccessDeniedException", "kms:Decrypt");
        JsonArray got = call(HttpMethod.GET, read, "admin", null).bodyAsJsonObject().getJsonArray("records");
        assertThat(got).hasSize(2);
        assertThat(text(got.getJsonObject(0))).isEqualTo("plain");
        assertThat(got.getJsonObject(0).containsKey("encryptionType")).isFalse();
        assertThat(text(got.getJsonObject(1))).isEqualTo("sealed");
        assertThat(got.getJsonObject(1).getString("encryptionType")).isEqualTo("KMS");

        assertThat(call(HttpMethod.POST, "/v1/streams/vault/consumers", "admin", new JsonObject().put("name", "c")).statusCode()).isEqualTo(201);
        try (Subscriber ws = Subscriber.connect(node, "/v1/streams/vault/subscribe?consumer=c&from=TRIM_HORIZON&access_token=admin-token-0123456789")) {
            List<JsonObject> pushed = ws.records(2, 10_000);
            assertThat(pushed.get(0).containsKey("encryptionType")).isFalse();
            assertThat(pushed.get(1).getString("encryptionType")).isEqualTo("KMS");
            assertThat(text(pushed.get(1))).isEqualTo("sealed");
        }

        HttpResponse<Buffer> stopped = call(HttpMethod.DELETE, "/v1/streams/vault/encryption", "admin", null);
        assertThat(stopped.statusCode()).as(stopped.bodyAsString()).isEqualTo(200);
        assertThat(stopped.bodyAsJsonObject().getString("encryptionType")).isEqualTo("NONE");
        awaitActive("vault");
        // Not encrypted any more: no kms permission needed to put, only to read what was sealed.
        assertThat(call(HttpMethod.POST, "/v1/streams/vault/records", "consumer", records("plain again")).statusCode()).isEqualTo(200);
    }

    private static String text(JsonObject record) {
        return new String(Base64.getDecoder().decode(record.getString("data")), StandardCharsets.UTF_8);
    }
}
