package io.riffle.kinesis;

import static io.riffle.security.SecurityFixtures.streamArn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.node.Node;
import io.riffle.node.NodeConfig;
import io.riffle.security.SecurityFixtures;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.KinesisException;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * The AWS SDK for Java v2, unchanged, against a node with {@code auth: sigv4}: SigV4 over CBOR and JSON,
 * SubscribeToShard over h2c, and AWS's errors for a wrong secret, an unknown key, no credentials and a
 * request the principal's policies do not allow; resource policies granting and taking back access, kept
 * across a restart.
 */
class KinesisAuthIT {
    @TempDir
    Path dataDir;
    @TempDir
    Path etc;
    private Node node;
    private URI endpoint;

    @BeforeEach
    void start() {
        System.setProperty("aws.disableEc2Metadata", "true");
        System.clearProperty("aws.cborEnabled");
        startNode();
    }

    private void startNode() {
        Path credentials = etc.resolve("credentials.yaml");
        if (!credentials.toFile().exists()) {
            SecurityFixtures.write(etc);
        }
        node = KinesisTestNode.await(Node.start(NodeConfig.load(new String[] {"--host=127.0.0.1", "--port=0",
                "--gateway-instances=1", "--data-dir=" + dataDir, "--auth=sigv4", "--credentials-file=" + credentials,
                "--region=" + SecurityFixtures.REGION, "--account-id=" + SecurityFixtures.ACCOUNT}, Map.of())));
        endpoint = URI.create("http://127.0.0.1:" + node.port());
    }

    @AfterEach
    void stop() {
        KinesisTestNode.await(node.stop());
        System.clearProperty("aws.cborEnabled");
    }

    private KinesisClient client(AwsCredentialsProvider credentials) {
        return KinesisClient.builder().endpointOverride(endpoint).region(Region.EU_WEST_1).credentialsProvider(credentials)
                .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(1))).build();
    }

    private static StaticCredentialsProvider key(String id, String secret) {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(id, secret));
    }

    private KinesisClient admin() {
        return client(key(SecurityFixtures.ADMIN_KEY, SecurityFixtures.ADMIN_SECRET));
    }

    @Test
    void signedRequestsWorkInCborAndJsonAndSubscribeToShardOverH2c() throws Exception {
        try (KinesisClient kinesis = admin();
             KinesisAsyncClient async = KinesisAsyncClient.builder().endpointOverride(endpoint).region(Region.EU_WEST_1)
                     .credentialsProvider(key(SecurityFixtures.ADMIN_KEY, SecurityFixtures.ADMIN_SECRET)).build()) {
            kinesis.createStream(b -> b.streamName("signed").shardCount(1));
            StreamWaits.active(kinesis, "signed");
            String consumer = kinesis.registerStreamConsumer(b -> b.streamARN(streamArn("signed")).consumerName("app"))
                    .consumer().consumerARN();
            SdkSubscription sub = SdkSubscription.open(async, consumer, "shardId-000000000000", ShardIteratorType.TRIM_HORIZON);
            kinesis.putRecord(b -> b.streamName("signed").partitionKey("k").data(SdkBytes.fromUtf8String("cbor")));
            sub.awaitRecords(1);
            sub.cancel();
        }
        System.setProperty("aws.cborEnabled", "false");
        try (KinesisClient json = admin()) {
            json.putRecord(b -> b.streamName("signed").partitionKey("k").data(SdkBytes.fromUtf8String("json")));
            String it = json.getShardIterator(b -> b.streamName("signed").shardId("shardId-000000000000")
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
            assertThat(json.getRecords(b -> b.shardIterator(it)).records()).hasSize(2);
        }
    }

    @Test
    void aWrongSecretAnUnknownKeyAndNoCredentialsGetAwsErrors() {
        try (KinesisClient wrong = client(key(SecurityFixtures.ADMIN_KEY, "not-the-secret"));
             KinesisClient unknown = client(key("AKIDUNKNOWN", "whatever"));
             KinesisClient anonymous = client(AnonymousCredentialsProvider.create())) {
            assertError(() -> wrong.listStreams(), "InvalidSignatureException",
                    "The request signature we calculated does not match the signature you provided.");
            assertError(() -> unknown.listStreams(), "UnrecognizedClientException",
                    "The security token included in the request is invalid.");
            assertError(() -> anonymous.listStreams(), "MissingAuthenticationTokenException", "Missing Authentication Token");
        }
    }

    @Test
    void policiesDecideAndAccessDeniedIsWordedAsAwsWordsIt() {
        try (KinesisClient admin = admin();
             KinesisClient reader = client(key(SecurityFixtures.READER_KEY, SecurityFixtures.READER_SECRET))) {
            admin.createStream(b -> b.streamName("open").shardCount(1));
            admin.createStream(b -> b.streamName("secret-plans").shardCount(1));
            StreamWaits.active(admin, "open");
            assertThat(reader.describeStreamSummary(b -> b.streamName("open")).streamDescriptionSummary().streamName())
                    .isEqualTo("open");
            assertError(() -> reader.putRecord(b -> b.streamName("open").partitionKey("k").data(SdkBytes.fromUtf8String("x"))),
                    "AccessDeniedException", "User: arn:aws:iam::123456789012:user/reader is not authorized to perform: "
                            + "kinesis:PutRecord on resource: " + streamArn("open")
                            + " because no identity-based policy allows the kinesis:PutRecord action");
            assertError(() -> reader.describeStreamSummary(b -> b.streamName("secret-plans")), "AccessDeniedException",
                    "kinesis:DescribeStreamSummary on resource: " + streamArn("secret-plans")
                            + " with an explicit deny in an identity-based policy");
            assertThat(reader.listStreams().streamNames()).contains("open", "secret-plans");
        }
    }

    @Test
    void aResourcePolicyGrantsAccessSurvivesARestartAndIsTakenBack() {
        String policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
                + "\"arn:aws:iam::123456789012:user/nobody\"},\"Action\":\"kinesis:PutRecord\",\"Resource\":\""
                + streamArn("shared") + "\"}]}";
        try (KinesisClient admin = admin()) {
            admin.createStream(b -> b.streamName("shared").shardCount(1));
            StreamWaits.active(admin, "shared");
            try (KinesisClient nobody = client(key(SecurityFixtures.NOBODY_KEY, SecurityFixtures.NOBODY_SECRET))) {
                assertError(() -> put(nobody), "AccessDeniedException", "kinesis:PutRecord");
                admin.putResourcePolicy(b -> b.resourceARN(streamArn("shared")).policy(policy));
                put(nobody);
            }
        }
        KinesisTestNode.await(node.stop());
        startNode();
        try (KinesisClient admin = admin();
             KinesisClient nobody = client(key(SecurityFixtures.NOBODY_KEY, SecurityFixtures.NOBODY_SECRET))) {
            assertThat(admin.getResourcePolicy(b -> b.resourceARN(streamArn("shared"))).policy()).isEqualTo(policy);
            put(nobody);
            assertError(() -> nobody.getResourcePolicy(b -> b.resourceARN(streamArn("shared"))), "AccessDeniedException",
                    "kinesis:GetResourcePolicy");
            admin.deleteResourcePolicy(b -> b.resourceARN(streamArn("shared")));
            assertError(() -> put(nobody), "AccessDeniedException", "kinesis:PutRecord");
            assertThat(admin.getResourcePolicy(b -> b.resourceARN(streamArn("shared"))).policy()).isEqualTo("{}");
            assertError(() -> admin.putResourcePolicy(b -> b.resourceARN(streamArn("shared")).policy("{\"Statement\":[]}")),
                    "InvalidArgumentException", "Invalid resource policy");
        }
    }

    @Test
    void aConsumersResourcePolicyCoversThatConsumerAndNotOneRegisteredAgainUnderItsName() throws Exception {
        try (KinesisClient admin = admin();
             KinesisClient nobody = client(key(SecurityFixtures.NOBODY_KEY, SecurityFixtures.NOBODY_SECRET))) {
            admin.createStream(b -> b.streamName("fan").shardCount(1));
            StreamWaits.active(admin, "fan");
            String arn = admin.registerStreamConsumer(b -> b.streamARN(streamArn("fan")).consumerName("app")).consumer().consumerARN();
            admin.putResourcePolicy(b -> b.resourceARN(arn).policy("{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
                    + "{\"AWS\":\"123456789012\"},\"Action\":\"kinesis:DescribeStreamConsumer\",\"Resource\":\"*\"}]}"));
            assertThat(nobody.describeStreamConsumer(b -> b.consumerARN(arn)).consumerDescription().consumerName()).isEqualTo("app");
            assertThat(nobody.describeStreamConsumer(b -> b.streamARN(streamArn("fan")).consumerName("app"))
                    .consumerDescription().consumerARN()).isEqualTo(arn);
            admin.deregisterStreamConsumer(b -> b.consumerARN(arn));
            Thread.sleep(1100); // a consumer ARN carries its creation second: the new one must differ
            String again = admin.registerStreamConsumer(b -> b.streamARN(streamArn("fan")).consumerName("app")).consumer().consumerARN();
            assertThat(again).isNotEqualTo(arn);
            assertError(() -> nobody.describeStreamConsumer(b -> b.consumerARN(again)), "AccessDeniedException",
                    "kinesis:DescribeStreamConsumer on resource: " + again);
        }
    }

    private static void put(KinesisClient client) {
        client.putRecord(b -> b.streamName("shared").partitionKey("k").data(SdkBytes.fromUtf8String("x")));
    }

    static void assertError(Runnable call, String type, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(KinesisException.class, e -> {
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo(type);
            assertThat(e.awsErrorDetails().errorMessage()).contains(message);
        });
    }
}
