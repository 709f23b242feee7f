package io.riffle.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.model.ShardId;
import io.riffle.model.StreamName;
import io.riffle.security.AccessControl;
import io.riffle.security.Authorizer;
import io.riffle.security.CredentialStore;
import io.riffle.security.Principal;
import io.riffle.security.SecurityFixtures;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every Kinesis operation: the IAM action it needs, the resource it is judged on, and whether the fixtures'
 * reader (Describe*, List*, Get*, SubscribeToShard; denied streams named secret*), admin (everything) and nobody
 * (no policy) may run it.
 */
class KinesisAccessTest {
    private static final String S = SecurityFixtures.streamArn("orders");
    private static final String C = S + "/consumer/app:1700000000";
    private static final byte[] KEY = new byte[32];
    private static final Tokens TOKENS = new Tokens(() -> KEY, Clock.systemUTC());
    private static final Arns ARNS = new Arns(new KinesisSettings(SecurityFixtures.REGION, SecurityFixtures.ACCOUNT, () -> KEY,
            Clock.systemUTC()));
    private static CredentialStore credentials;
    private static final Authorizer AUTHORIZER = new Authorizer(SecurityFixtures.ACCOUNT);
    private static final AccessControl ARN_OF = new AccessControl(null, AUTHORIZER, SecurityFixtures.REGION,
            SecurityFixtures.ACCOUNT);

    @BeforeAll
    static void readCredentials(@TempDir Path dir) {
        credentials = new CredentialStore(Optional.of(SecurityFixtures.write(dir)), SecurityFixtures.ACCOUNT, Optional.empty());
    }

    static Stream<Arguments> operations() {
        String iterator = TOKENS.shardIterator(StreamName.of("orders"), new ShardId(0), 0);
        String listShardsToken = TOKENS.nextToken(Tokens.Kind.LIST_SHARDS, "orders\nshardId-000000000000\nFROM_TRIM_HORIZON\n");
        String name = "\"StreamName\":\"orders\"";
        return Stream.of(
                row("AddTagsToStream", name + ",\"Tags\":{\"a\":\"b\"}", S, false),
                row("CreateStream", name + ",\"ShardCount\":1", S, false),
                row("DecreaseStreamRetentionPeriod", name + ",\"RetentionPeriodHours\":24", S, false),
                row("DeleteResourcePolicy", "\"ResourceARN\":\"" + S + "\"", S, false),
                row("DeleteStream", name, S, false),
                row("DeregisterStreamConsumer", "\"ConsumerARN\":\"" + C + "\"", C, false),
                row("DeregisterStreamConsumer", "\"StreamARN\":\"" + S + "\",\"ConsumerName\":\"app\"", S + "/consumer/app:0", false),
                row("DescribeAccountSettings", "", "*", true),
                row("DescribeLimits", "", "*", true),
                row("DescribeStream", name, S, true),
                row("DescribeStream", "\"StreamName\":\"secret-plans\"", SecurityFixtures.streamArn("secret-plans"), false),
                row("DescribeStreamConsumer", "\"ConsumerARN\":\"" + C + "\"", C, true),
                row("DescribeStreamSummary", "\"StreamARN\":\"" + S + "\"", S, true),
                row("DisableEnhancedMonitoring", name + ",\"ShardLevelMetrics\":[\"ALL\"]", S, false),
                row("EnableEnhancedMonitoring", name + ",\"ShardLevelMetrics\":[\"ALL\"]", S, false),
                row("GetRecords", "\"ShardIterator\":\"" + iterator + "\"", S, true),
                row("GetResourcePolicy", "\"ResourceARN\":\"" + C + "\"", C, true),
                row("GetShardIterator", name + ",\"ShardId\":\"shardId-000000000000\",\"ShardIteratorType\":\"LATEST\"", S, true),
                row("IncreaseStreamRetentionPeriod", name + ",\"RetentionPeriodHours\":48", S, false),
                row("ListShards", name, S, true),
                row("ListShards", "\"NextToken\":\"" + listShardsToken + "\"", S, true),
                row("ListStreamConsumers", "\"StreamARN\":\"" + S + "\"", S, true),
                row("ListStreams", "", "*", true),
                row("ListTagsForResource", "\"ResourceARN\":\"" + S + "\"", S, true),
                row("ListTagsForStream", name, S, true),
                row("MergeShards", name + ",\"ShardToMerge\":\"shardId-000000000000\",\"AdjacentShardToMerge\":\"shardId-000000000001\"", S, false),
                row("PutRecord", name + ",\"PartitionKey\":\"k\",\"Data\":\"eA==\"", S, false),
                row("PutRecords", name + ",\"Records\":[{\"PartitionKey\":\"k\",\"Data\":\"eA==\"}]", S, false),
                row("PutResourcePolicy", "\"ResourceARN\":\"" + S + "\",\"Policy\":\"{}\"", S, false),
                row("RegisterStreamConsumer", "\"StreamARN\":\"" + S + "\",\"ConsumerName\":\"app\"", S, false),
                row("RemoveTagsFromStream", name + ",\"TagKeys\":[\"a\"]", S, false),
                row("SplitShard", name + ",\"ShardToSplit\":\"shardId-000000000000\",\"NewStartingHashKey\":\"1\"", S, false),
                row("StartStreamEncryption", name + ",\"EncryptionType\":\"KMS\",\"KeyId\":\"k\"", S, false),
                row("StopStreamEncryption", name + ",\"EncryptionType\":\"KMS\",\"KeyId\":\"k\"", S, false),
                row("SubscribeToShard", "\"ConsumerARN\":\"" + C + "\",\"ShardId\":\"shardId-000000000000\"", C, true),
                row("TagResource", "\"ResourceARN\":\"" + C + "\",\"Tags\":{\"a\":\"b\"}", C, false),
                row("UntagResource", "\"ResourceARN\":\"" + S + "\",\"TagKeys\":[\"a\"]", S, false),
                row("UpdateAccountSettings", "", "*", false),
                row("UpdateMaxRecordSize", "\"StreamARN\":\"" + S + "\",\"MaxRecordSizeInKiB\":2048", S, false),
                row("UpdateShardCount", name + ",\"TargetShardCount\":2,\"ScalingType\":\"UNIFORM_SCALING\"", S, false),
                row("UpdateStreamMode", "\"StreamARN\":\"" + S + "\",\"StreamModeDetails\":{\"StreamMode\":\"ON_DEMAND\"}", S, false),
                row("UpdateStreamWarmThroughput", name + ",\"WarmThroughputMiBps\":10", S, false));
    }

    private static Arguments row(String operation, String members, String resource, boolean readerAllowed) {
        return Arguments.of(operation, "{" + members + "}", resource, readerAllowed);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("operations")
    void eachOperationNeedsItsActionOnItsResource(String operation, String body, String resource, boolean readerAllowed) {
        KinesisRequest request = new KinesisRequest(operation, WireFormat.JSON.parse(Buffer.buffer(body)), WireFormat.JSON);
        String arn = ARN_OF.arnOf(KinesisAccess.target(request, ARNS, TOKENS), Optional.empty());
        assertThat(arn).isEqualTo(resource);
        String action = "kinesis:" + operation;
        assertThat(allowed(SecurityFixtures.READER_KEY, action, arn)).as("reader").isEqualTo(readerAllowed);
        assertThat(allowed(SecurityFixtures.ADMIN_KEY, action, arn)).as("admin").isTrue();
        assertThat(allowed(SecurityFixtures.NOBODY_KEY, action, arn)).as("nobody").isFalse();
    }

    private static boolean allowed(String key, String action, String resource) {
        Principal p = credentials.accessKey(key).orElseThrow().principal();
        return AUTHORIZER.decide(p, action, resource, Optional.empty()) == Authorizer.Decision.ALLOW;
    }
}
