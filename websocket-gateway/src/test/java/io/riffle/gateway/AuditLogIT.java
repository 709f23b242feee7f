package io.riffle.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.node.RunningNode;
import io.riffle.security.AuditLog;
import io.riffle.security.SecurityFixtures;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.AccessDeniedException;
import software.amazon.awssdk.services.kinesis.model.ResourceInUseException;
import software.amazon.awssdk.services.kinesis.model.StreamMode;

/**
 * The audit log as an operator reads it: the {@value AuditLog#LOGGER} logger's lines on the node's standard
 * error (slf4j-simple), captured here while changes, refusals, reads and puts go through the Kinesis API
 * (AWS SDK) and the native API (WebClient), with auth on and off.
 */
class AuditLogIT {
    @TempDir
    Path dataDir;
    @TempDir
    Path etc;
    private RunningNode node;
    private PrintStream originalErr;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    @BeforeEach
    void captureStandardError() {
        originalErr = System.err;
        OutputStream tee = new OutputStream() {
            @Override
            public void write(int b) {
                originalErr.write(b);
                synchronized (captured) {
                    captured.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                originalErr.write(b, off, len);
                synchronized (captured) {
                    captured.write(b, off, len);
                }
            }
        };
        System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        try {
            if (node != null) {
                node.close();
            }
        } finally {
            System.setErr(originalErr);
        }
    }

    private void startNode(boolean auth) {
        List<String> flags = new java.util.ArrayList<>(List.of("--stream-transition-millis", "0",
                "--region", SecurityFixtures.REGION, "--account-id", SecurityFixtures.ACCOUNT));
        if (auth) {
            flags.addAll(List.of("--auth", "sigv4", "--credentials-file", SecurityFixtures.write(etc).toString()));
        }
        node = RunningNode.start(dataDir, flags.toArray(String[]::new));
    }

    /** The audit lines so far, parsed. */
    private List<JsonObject> auditLines() {
        String text;
        synchronized (captured) {
            text = captured.toString(StandardCharsets.UTF_8);
        }
        String marker = " " + AuditLog.LOGGER + " - ";
        return text.lines().filter(l -> l.contains(marker))
                .map(l -> new JsonObject(l.substring(l.indexOf(marker) + marker.length()))).collect(Collectors.toList());
    }

    /**
     * "api principal action resource result" of each line (the consumer ARN's creation time cut), once
     * {@code count} lines were written: a line is written just after its answer is sent, so it may lag the
     * client a moment (waits 10 s at most, then answers what it has).
     */
    private List<String> summary(int count) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (auditLines().size() < count && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        return auditLines().stream().map(j -> j.getString("api") + " " + j.getString("principal").replaceAll(".*/", "")
                + " " + j.getString("action") + " " + j.getString("resource").replace(SecurityFixtures.streamArn(""), "stream/").replaceAll(":\\d+$", "")
                + " " + j.getString("result")).collect(Collectors.toList());
    }

    private KinesisClient kinesis(String keyId, String secret) {
        return KinesisClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + node.port()))
                .region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(keyId, secret)))
                .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(1))).build();
    }

    private HttpResponse<Buffer> call(HttpMethod method, String uri, String token, JsonObject body) {
        var request = node.web.request(method, node.port(), "127.0.0.1", uri);
        if (token != null) {
            request.putHeader("Authorization", "Bearer " + token);
        }
        return RunningNode.await(body == null ? request.send() : request.sendJsonObject(body));
    }

    @Test
    void withAuthOnEveryChangeThroughEitherApiIsOneLineNamingThePrincipalResourceAndResult() {
        startNode(true);
        Instant before = Instant.now();
        try (KinesisClient admin = kinesis(SecurityFixtures.ADMIN_KEY, SecurityFixtures.ADMIN_SECRET);
             KinesisClient reader = kinesis(SecurityFixtures.READER_KEY, SecurityFixtures.READER_SECRET)) {
            admin.createStream(b -> b.streamName("audited").shardCount(1));
            admin.waiter().waitUntilStreamExists(b -> b.streamName("audited"));
            admin.addTagsToStream(b -> b.streamName("audited").tags(Map.of("team", "a")));
            admin.increaseStreamRetentionPeriod(b -> b.streamName("audited").retentionPeriodHours(48));
            String consumer = admin.registerStreamConsumer(b -> b.streamARN(SecurityFixtures.streamArn("audited"))
                    .consumerName("app")).consumer().consumerARN();
            admin.putRecord(b -> b.streamName("audited").partitionKey("k").data(SdkBytes.fromUtf8String("not audited")));
            admin.describeStream(b -> b.streamName("audited"));
            assertThatThrownBy(() -> reader.deleteStream(b -> b.streamName("audited"))).isInstanceOf(AccessDeniedException.class);
            admin.deregisterStreamConsumer(b -> b.consumerARN(consumer));
            admin.updateStreamMode(b -> b.streamARN(SecurityFixtures.streamArn("audited"))
                    .streamModeDetails(d -> d.streamMode(StreamMode.ON_DEMAND)));
            admin.waiter().waitUntilStreamExists(b -> b.streamName("audited"));
            admin.deleteStream(b -> b.streamName("audited").enforceConsumerDeletion(true));
        }
        assertThat(call(HttpMethod.POST, "/v1/streams", SecurityFixtures.ADMIN_TOKEN, new JsonObject().put("name", "native")
                .put("shardCount", 2)).statusCode()).isEqualTo(201);
        assertThat(call(HttpMethod.POST, "/v1/streams/native/records", SecurityFixtures.ADMIN_TOKEN, new JsonObject()
                .put("records", new io.vertx.core.json.JsonArray().add(new JsonObject().put("partitionKey", "k").put("text", "x"))))
                .statusCode()).isEqualTo(200);
        assertThat(call(HttpMethod.POST, "/v1/streams/native/shards/shardId-000000000000/merge", SecurityFixtures.ADMIN_TOKEN,
                new JsonObject().put("adjacentShardId", "shardId-000000000001")).statusCode()).isEqualTo(200);
        assertThat(call(HttpMethod.DELETE, "/v1/streams/native", SecurityFixtures.READER_TOKEN, null).statusCode()).isEqualTo(403);
        assertThat(call(HttpMethod.DELETE, "/v1/streams/native", null, null).statusCode()).isEqualTo(401);
        assertThat(call(HttpMethod.DELETE, "/v1/streams/native", SecurityFixtures.ADMIN_TOKEN, null).statusCode()).isEqualTo(204);

        // Each line is written as its answer goes out: lines of requests on different connections could swap.
        assertThat(summary(13)).containsExactlyInAnyOrder(
                "kinesis admin kinesis:CreateStream stream/audited ok",
                "kinesis admin kinesis:AddTagsToStream stream/audited ok",
                "kinesis admin kinesis:IncreaseStreamRetentionPeriod stream/audited ok",
                "kinesis admin kinesis:RegisterStreamConsumer stream/audited ok",
                "kinesis reader kinesis:DeleteStream stream/audited AccessDeniedException",
                "kinesis admin kinesis:DeregisterStreamConsumer stream/audited/consumer/app ok",
                "kinesis admin kinesis:UpdateStreamMode stream/audited ok",
                "kinesis admin kinesis:DeleteStream stream/audited ok",
                "native admin kinesis:CreateStream stream/native ok",
                "native admin kinesis:MergeShards stream/native ok",
                "native reader kinesis:DeleteStream stream/native AccessDeniedException",
                "native anonymous kinesis:DeleteStream stream/native MissingAuthenticationTokenException",
                "native admin kinesis:DeleteStream stream/native ok");
        assertThat(auditLines()).filteredOn(l -> l.getString("action").equals("kinesis:DeregisterStreamConsumer"))
                .singleElement().satisfies(l -> assertThat(l.getString("resource")).matches(
                        SecurityFixtures.streamArn("audited") + "/consumer/app:\\d+"));
        for (JsonObject line : auditLines()) {
            assertThat(Instant.parse(line.getString("time"))).isBetween(before.minusSeconds(1), Instant.now());
            assertThat(line.getString("source")).isEqualTo("127.0.0.1");
            assertThat(line.getInteger("status")).isPositive();
        }
        JsonObject create = auditLines().stream().filter(l -> l.getString("api").equals("kinesis")).findFirst().orElseThrow();
        assertThat(create.getString("principal")).isEqualTo("arn:aws:iam::" + SecurityFixtures.ACCOUNT + ":user/admin");
        assertThat(create.getString("requestId")).isNotBlank();
    }

    @Test
    void withAuthOffChangesAreLoggedAsAnonymousWithTheirErrorType() {
        startNode(false);
        assertThat(node.postJson("/v1/streams", new JsonObject().put("name", "open")).statusCode()).isEqualTo(201);
        assertThat(node.postJson("/v1/streams", new JsonObject().put("name", "open")).statusCode()).isEqualTo(409);
        assertThat(node.postJson("/v1/streams/open/consumers", new JsonObject().put("name", "c")).statusCode()).isEqualTo(201);
        assertThat(node.delete("/v1/streams/open/consumers/c").statusCode()).isEqualTo(204);
        assertThat(node.get("/v1/streams/open").statusCode()).isEqualTo(200);
        try (KinesisClient any = kinesis("anything", "unchecked")) {
            assertThatThrownBy(() -> any.createStream(b -> b.streamName("open").shardCount(1)))
                    .isInstanceOf(ResourceInUseException.class);
            any.addTagsToStream(b -> b.streamName("open").tags(Map.of("team", "b")));
        }
        assertThat(node.delete("/v1/streams/nope").statusCode()).isEqualTo(404);

        assertThat(summary(7)).containsExactlyInAnyOrder(
                "native anonymous kinesis:CreateStream stream/open ok",
                "native anonymous kinesis:CreateStream stream/open ResourceInUseException",
                "native anonymous kinesis:RegisterStreamConsumer stream/open ok",
                "native anonymous kinesis:DeregisterStreamConsumer stream/open/consumer/c ok",
                "kinesis anonymous kinesis:CreateStream stream/open ResourceInUseException",
                "kinesis anonymous kinesis:AddTagsToStream stream/open ok",
                "native anonymous kinesis:DeleteStream stream/nope ResourceNotFoundException");
    }
}
