package io.riffle.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.node.ConfigException;
import io.riffle.node.Node;
import io.riffle.node.NodeConfig;
import io.riffle.node.RunningNode;
import io.riffle.security.SecurityFixtures;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native API and WebSocket of a node with {@code auth: sigv4}: bearer tokens (header, WebSocket query
 * parameter and subprotocol), SigV4 as curl signs it, the same policies as the Kinesis API, open health and
 * console, credentials reloaded when the file changes; and a node exposed without auth refusing to start.
 */
class SecuredNativeApiIT {
    @TempDir
    Path dataDir;
    @TempDir
    Path etc;
    private Path credentials;
    private RunningNode node;

    @BeforeEach
    void start() {
        credentials = SecurityFixtures.write(etc);
        node = RunningNode.start(dataDir, "--auth", "sigv4", "--credentials-file", credentials.toString(),
                "--region", SecurityFixtures.REGION, "--account-id", SecurityFixtures.ACCOUNT);
    }

    @AfterEach
    void stop() {
        node.close();
    }

    private HttpResponse<Buffer> call(HttpMethod method, String uri, String token, JsonObject body) {
        var request = node.web.request(method, node.port(), "127.0.0.1", uri);
        if (token != null) {
            request.putHeader("Authorization", "Bearer " + token);
        }
        return RunningNode.await(body == null ? request.send() : request.sendJsonObject(body));
    }

    private static void assertError(HttpResponse<Buffer> r, int status, String code, String message) {
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
        assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo(code);
        assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("message")).contains(message);
    }

    @Test
    void everyApiRequestNeedsCredentialsButHealthAndTheConsoleDoNot() {
        HttpResponse<Buffer> anonymous = node.get("/v1/streams");
        assertError(anonymous, 401, "MissingAuthenticationTokenException", "Missing Authentication Token");
        assertThat(anonymous.getHeader("WWW-Authenticate")).startsWith("Bearer");
        assertError(node.get("/metrics"), 401, "MissingAuthenticationTokenException", "Bearer");
        assertError(call(HttpMethod.GET, "/v1/streams", "no-such-token-0123456789", null), 401, "UnrecognizedClientException",
                "The security token included in the request is invalid.");
        assertThat(node.get("/health").statusCode()).isEqualTo(200);
        assertThat(node.get("/console/").statusCode()).isEqualTo(200);
        assertThat(node.get("/v1/openapi.yaml").statusCode()).isEqualTo(200);
        assertThat(call(HttpMethod.GET, "/metrics", SecurityFixtures.ADMIN_TOKEN, null).statusCode()).isEqualTo(200);
    }

    @Test
    void bearerTokensActWithTheirPrincipalsPolicies() {
        JsonObject create = new JsonObject().put("name", "orders").put("shardCount", 1);
        assertError(call(HttpMethod.POST, "/v1/streams", SecurityFixtures.READER_TOKEN, create), 403, "AccessDeniedException",
                "User: arn:aws:iam::123456789012:user/reader is not authorized to perform: kinesis:CreateStream on resource: "
                        + SecurityFixtures.streamArn("orders"));
        assertThat(call(HttpMethod.POST, "/v1/streams", SecurityFixtures.ADMIN_TOKEN, create).statusCode()).isEqualTo(201);
        JsonObject records = new JsonObject().put("records", new io.vertx.core.json.JsonArray()
                .add(new JsonObject().put("partitionKey", "k").put("text", "hello")));
        assertError(call(HttpMethod.POST, "/v1/streams/orders/records", SecurityFixtures.READER_TOKEN, records), 403,
                "AccessDeniedException", "kinesis:PutRecords");
        assertThat(call(HttpMethod.POST, "/v1/streams/orders/records", SecurityFixtures.ADMIN_TOKEN, records).statusCode()).isEqualTo(200);
        HttpResponse<Buffer> read = call(HttpMethod.GET, "/v1/streams/orders/shards/shardId-000000000000/records",
                SecurityFixtures.READER_TOKEN, null);
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.bodyAsJsonObject().getJsonArray("records")).hasSize(1);
        assertError(call(HttpMethod.DELETE, "/v1/streams/orders", SecurityFixtures.READER_TOKEN, null), 403,
                "AccessDeniedException", "kinesis:DeleteStream");
        for (String spelling : List.of("/v1/streams/orders/records/", "/v1//streams/orders/records", "/v1/streams/x/../orders/records")) {
            assertError(call(HttpMethod.POST, spelling, SecurityFixtures.READER_TOKEN, records), 403, "AccessDeniedException",
                    "kinesis:PutRecords");
        }
        // Resharding and the capacity mode need their Kinesis twins' actions too.
        assertError(call(HttpMethod.POST, "/v1/streams/orders/shards/shardId-000000000000/split", SecurityFixtures.READER_TOKEN,
                new JsonObject()), 403, "AccessDeniedException", "kinesis:SplitShard");
        assertError(call(HttpMethod.POST, "/v1/streams/orders/shards/shardId-000000000000/merge", SecurityFixtures.READER_TOKEN,
                new JsonObject().put("adjacentShardId", "shardId-000000000001")), 403, "AccessDeniedException", "kinesis:MergeShards");
        assertError(call(HttpMethod.PUT, "/v1/streams/orders/shard-count", SecurityFixtures.READER_TOKEN,
                new JsonObject().put("targetShardCount", 2)), 403, "AccessDeniedException", "kinesis:UpdateShardCount");
        assertError(call(HttpMethod.PUT, "/v1/streams/orders/mode", SecurityFixtures.READER_TOKEN,
                new JsonObject().put("mode", "ON_DEMAND")), 403, "AccessDeniedException", "kinesis:UpdateStreamMode");
        assertThat(call(HttpMethod.PUT, "/v1/streams/orders/shard-count", SecurityFixtures.ADMIN_TOKEN,
                new JsonObject().put("targetShardCount", 2)).statusCode()).isEqualTo(200);
    }

    @Test
    void curlSignsNativeRequestsWithSigV4() throws Exception {
        String base = "http://127.0.0.1:" + node.port();
        Run created = curl("-X", "POST", base + "/v1/streams", "-H", "Content-Type: application/json",
                "-d", "{\"name\":\"curled\",\"shardCount\":1}");
        assertThat(created.out()).contains("\"curled\"");
        assertThat(created.status()).isEqualTo("201");
        Run put = curl("-X", "POST", base + "/v1/streams/curled/records", "-H", "Partition-Key: k", "--data-binary", "raw body");
        assertThat(put.status()).as(put.out()).isEqualTo("200");
        Run listed = curl(base + "/v1/streams");
        assertThat(listed.out()).contains("curled");
        Run wrong = curlWith("AKIDADMIN:wrong-secret", base + "/v1/streams");
        assertThat(wrong.status()).isEqualTo("401");
        assertThat(wrong.out()).contains("InvalidSignatureException");
    }

    record Run(String status, String out) {
    }

    private Run curl(String... args) throws Exception {
        return curlWith(SecurityFixtures.ADMIN_KEY + ":" + SecurityFixtures.ADMIN_SECRET, args);
    }

    private Run curlWith(String user, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-s", "-w", "\n%{http_code}", "--aws-sigv4",
                "aws:amz:" + SecurityFixtures.REGION + ":kinesis", "--user", user));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        int nl = out.lastIndexOf('\n');
        return new Run(out.substring(nl + 1), nl < 0 ? "" : out.substring(0, nl));
    }

    @Test
    void webSocketsTakeTheTokenAsAQueryParameterOrASubprotocol() {
        assertThat(call(HttpMethod.POST, "/v1/streams", SecurityFixtures.ADMIN_TOKEN,
                new JsonObject().put("name", "live").put("shardCount", 1)).statusCode()).isEqualTo(201);
        assertThat(call(HttpMethod.POST, "/v1/streams/live/consumers", SecurityFixtures.ADMIN_TOKEN,
                new JsonObject().put("name", "c")).statusCode()).isEqualTo(201);
        String path = "/v1/streams/live/subscribe?consumer=c";
        assertThatThrownBy(() -> RunningNode.await(node.ws.connect(options(path))))
                .hasRootCauseInstanceOf(UpgradeRejectedException.class)
                .rootCause().satisfies(e -> assertThat(((UpgradeRejectedException) e).getStatus()).isEqualTo(401));
        WebSocket byQuery = RunningNode.await(node.ws.connect(options(path + "&access_token=" + SecurityFixtures.READER_TOKEN)));
        RunningNode.await(byQuery.close());
        WebSocket byProtocol = RunningNode.await(node.ws.connect(options(path)
                .addSubProtocol("riffle").addSubProtocol("bearer." + SecurityFixtures.READER_TOKEN)));
        assertThat(byProtocol.subProtocol()).isEqualTo("riffle");
        RunningNode.await(byProtocol.close());
    }

    @Test
    void subscribeToShardOverHttp11IsSignedLikeAnyKinesisRequest() throws Exception {
        assertThat(call(HttpMethod.POST, "/v1/streams", SecurityFixtures.ADMIN_TOKEN,
                new JsonObject().put("name", "pushed").put("shardCount", 1)).statusCode()).isEqualTo(201);
        long created = call(HttpMethod.POST, "/v1/streams/pushed/consumers", SecurityFixtures.ADMIN_TOKEN,
                new JsonObject().put("name", "c")).bodyAsJsonObject().getLong("createdAt");
        String consumer = SecurityFixtures.streamArn("pushed") + "/consumer/c:" + created / 1000;
        io.vertx.core.http.HttpClientAgent http1 = node.clientVertx.createHttpClient();
        try {
            EventStreamSubscriber signed = EventStreamSubscriber.subscribe(http1, node.port(), consumer, "TRIM_HORIZON",
                    body -> sigV4(body, SecurityFixtures.READER_KEY, SecurityFixtures.READER_SECRET));
            signed.awaitStarted();
            signed.disconnect();
            HttpResponse<Buffer> unsigned = RunningNode.await(node.web.post(node.port(), "127.0.0.1", "/")
                    .putHeader("Content-Type", "application/x-amz-json-1.1")
                    .putHeader("X-Amz-Target", "Kinesis_20131202.SubscribeToShard")
                    .sendBuffer(Buffer.buffer(EventStreamSubscriber.body(consumer, "TRIM_HORIZON"))));
            assertThat(unsigned.statusCode()).isEqualTo(400);
            assertThat(unsigned.getHeader("x-amzn-ErrorType")).isEqualTo("MissingAuthenticationTokenException");
        } finally {
            RunningNode.await(http1.close());
        }
    }

    /** The SigV4 headers the AWS SDK's signer makes for a Kinesis SubscribeToShard with {@code body}. */
    private Map<String, String> sigV4(String body, String key, String secret) {
        var http = software.amazon.awssdk.http.SdkHttpRequest.builder().method(software.amazon.awssdk.http.SdkHttpMethod.POST)
                .uri(java.net.URI.create("http://127.0.0.1:" + node.port() + "/"))
                .putHeader("Content-Type", "application/x-amz-json-1.1")
                .putHeader("X-Amz-Target", "Kinesis_20131202.SubscribeToShard").build();
        var signer = software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner.create();
        var signed = signer.sign(r -> r.identity(software.amazon.awssdk.identity.spi.AwsCredentialsIdentity.create(key, secret))
                .request(http).payload(software.amazon.awssdk.http.ContentStreamProvider.fromUtf8String(body))
                .putProperty(software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner.SERVICE_SIGNING_NAME, "kinesis")
                .putProperty(software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner.REGION_NAME, SecurityFixtures.REGION));
        Map<String, String> headers = new java.util.HashMap<>();
        signed.request().headers().forEach((k, v) -> {
            if (!k.equalsIgnoreCase("host") && !k.equalsIgnoreCase("content-type") && !k.equalsIgnoreCase("x-amz-target")) {
                headers.put(k, v.get(0));
            }
        });
        return headers;
    }

    private WebSocketConnectOptions options(String uri) {
        return new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.port()).setURI(uri);
    }

    @Test
    void aChangedCredentialsFileTakesEffectWithoutARestart() throws Exception {
        String token = "hot-token-0123456789";
        assertThat(call(HttpMethod.GET, "/v1/streams", token, null).statusCode()).isEqualTo(401);
        Files.writeString(credentials, SecurityFixtures.FILE + """
                  - name: hot
                    tokens: [hot-token-0123456789]
                    policies: [{Statement: {Effect: Allow, Action: "kinesis:List*", Resource: "*"}}]
                """);
        int status = 0;
        for (int i = 0; i < 100 && status != 200; i++) {
            Thread.sleep(100);
            status = call(HttpMethod.GET, "/v1/streams", token, null).statusCode();
        }
        assertThat(status).as("the new token works within 10 s").isEqualTo(200);
    }

    @Test
    void aNodeExposedWithoutAuthRefusesToStartUnlessAllowed() {
        NodeConfig exposed = NodeConfig.load(new String[] {"--host", "0.0.0.0", "--port", "0", "--data-dir",
                dataDir.resolve("exposed").toString()}, Map.of());
        assertThatThrownBy(() -> RunningNode.await(Node.start(exposed))).hasRootCauseInstanceOf(ConfigException.class)
                .rootCause().hasMessageContaining("'host' = '0.0.0.0'").hasMessageContaining("allowUnauthenticated: true")
                .hasMessageContaining("auth: sigv4");
    }
}
