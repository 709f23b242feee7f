package io.riffle.kinesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.nio.file.Path;
import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/** Each bad input gets the error type AWS gives it, as HTTP 400 with a message. */
class KinesisValidationTest {
    private static final String ARN = "arn:aws:kinesis:eu-west-1:123456789012:stream/known";
    @TempDir
    static Path dataDir;
    private static KinesisTestNode node;
    private static RawKinesis kinesis;

    @BeforeAll
    static void start() {
        node = KinesisTestNode.start(dataDir);
        kinesis = new RawKinesis(node.endpoint());
        assertThat(kinesis.json("CreateStream", "{\"StreamName\":\"known\",\"ShardCount\":1}").status()).isEqualTo(200);
        kinesis.awaitActive("known");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static Stream<Arguments> badInputs() {
        String name129 = "n".repeat(129);
        String key257 = "k".repeat(257);
        String oneMiBPlusOne = Base64.getEncoder().encodeToString(new byte[1024 * 1024 + 1]);
        String records501 = "[" + String.join(",", java.util.Collections.nCopies(501, "{\"PartitionKey\":\"k\",\"Data\":\"AA==\"}")) + "]";
        return Stream.of(
                arguments("CreateStream", "{\"ShardCount\":1}", "ValidationException"),
                arguments("CreateStream", "{\"StreamName\":\"\",\"ShardCount\":1}", "ValidationException"),
                arguments("CreateStream", "{\"StreamName\":\"bad name!\",\"ShardCount\":1}", "ValidationException"),
                arguments("CreateStream", "{\"StreamName\":\"" + name129 + "\",\"ShardCount\":1}", "ValidationException"),
                arguments("CreateStream", "{\"StreamName\":\"s\",\"ShardCount\":0}", "ValidationException"),
                arguments("CreateStream", "{\"StreamName\":\"s\"}", "InvalidArgumentException"),
                arguments("CreateStream", "{\"StreamName\":\"s\",\"ShardCount\":1,\"StreamModeDetails\":{\"StreamMode\":\"FAST\"}}", "ValidationException"),
                arguments("CreateStream", "{\"StreamName\":\"known\",\"ShardCount\":1}", "ResourceInUseException"),
                arguments("DescribeStream", "{}", "InvalidArgumentException"),
                arguments("DescribeStream", "{\"StreamARN\":\"arn:aws:kinesis:x\"}", "ValidationException"),
                arguments("DescribeStream", "{\"StreamARN\":\"arn:aws:kinesis:eu-west-1:999999999999:stream/known\"}", "ResourceNotFoundException"),
                arguments("DescribeStream", "{\"StreamName\":\"other\",\"StreamARN\":\"" + ARN + "\"}", "InvalidArgumentException"),
                arguments("DescribeStream", "{\"StreamName\":\"known\",\"Limit\":0}", "ValidationException"),
                arguments("DescribeStream", "{\"StreamName\":\"known\",\"Limit\":10001}", "ValidationException"),
                arguments("DescribeStreamSummary", "{\"StreamName\":\"unknown\"}", "ResourceNotFoundException"),
                arguments("DeleteStream", "{\"StreamName\":\"unknown\"}", "ResourceNotFoundException"),
                arguments("ListStreams", "{\"Limit\":0}", "ValidationException"),
                arguments("ListStreams", "{\"NextToken\":\"forged\"}", "InvalidArgumentException"),
                arguments("PutRecord", "{\"StreamName\":\"known\",\"PartitionKey\":\"\",\"Data\":\"AA==\"}", "ValidationException"),
                arguments("PutRecord", "{\"StreamName\":\"known\",\"PartitionKey\":\"" + key257 + "\",\"Data\":\"AA==\"}", "ValidationException"),
                arguments("PutRecord", "{\"StreamName\":\"known\",\"Data\":\"AA==\"}", "ValidationException"),
                arguments("PutRecord", "{\"StreamName\":\"known\",\"PartitionKey\":\"k\"}", "ValidationException"),
                arguments("PutRecord", "{\"StreamName\":\"known\",\"PartitionKey\":\"k\",\"Data\":\"%%%\"}", "SerializationException"),
                arguments("PutRecord", "{\"StreamName\":\"known\",\"PartitionKey\":\"k\",\"Data\":\"AA==\",\"ExplicitHashKey\":\"abc\"}", "ValidationException"),
                arguments("PutRecord", "{\"StreamName\":\"known\",\"PartitionKey\":\"k\",\"Data\":\"AA==\",\"ExplicitHashKey\":\"340282366920938463463374607431768211456\"}", "InvalidArgumentException"),
                arguments("PutRecord", "{\"StreamName\":\"known\",\"PartitionKey\":\"k\",\"Data\":\"AA==\",\"SequenceNumberForOrdering\":\"x\"}", "ValidationException"),
                arguments("PutRecord", "{\"StreamName\":\"known\",\"PartitionKey\":\"k\",\"Data\":\"" + oneMiBPlusOne + "\"}", "ValidationException"),
                arguments("PutRecord", "{\"StreamName\":\"unknown\",\"PartitionKey\":\"k\",\"Data\":\"AA==\"}", "ResourceNotFoundException"),
                arguments("PutRecords", "{\"StreamName\":\"known\",\"Records\":[]}", "ValidationException"),
                arguments("PutRecords", "{\"StreamName\":\"known\",\"Records\":" + records501 + "}", "ValidationException"),
                arguments("PutRecords", "{\"StreamName\":\"known\"}", "ValidationException"),
                arguments("GetShardIterator", "{\"StreamName\":\"known\",\"ShardId\":\"shardId-000000000000\",\"ShardIteratorType\":\"SOMEWHERE\"}", "ValidationException"),
                arguments("GetShardIterator", "{\"StreamName\":\"known\",\"ShardId\":\"shardId-000000000000\",\"ShardIteratorType\":\"AT_SEQUENCE_NUMBER\"}", "InvalidArgumentException"),
                arguments("GetShardIterator", "{\"StreamName\":\"known\",\"ShardId\":\"shardId-000000000000\",\"ShardIteratorType\":\"AFTER_SEQUENCE_NUMBER\",\"StartingSequenceNumber\":\"abc\"}", "ValidationException"),
                arguments("GetShardIterator", "{\"StreamName\":\"known\",\"ShardId\":\"shardId-000000000000\",\"ShardIteratorType\":\"AT_SEQUENCE_NUMBER\",\"StartingSequenceNumber\":\"1\"}", "InvalidArgumentException"),
                arguments("GetShardIterator", "{\"StreamName\":\"known\",\"ShardId\":\"shardId-000000000000\",\"ShardIteratorType\":\"AT_TIMESTAMP\"}", "InvalidArgumentException"),
                arguments("GetShardIterator", "{\"StreamName\":\"known\",\"ShardId\":\"bad id!\",\"ShardIteratorType\":\"LATEST\"}", "ValidationException"),
                arguments("GetShardIterator", "{\"StreamName\":\"known\",\"ShardId\":\"shardId-000000000007\",\"ShardIteratorType\":\"LATEST\"}", "ResourceNotFoundException"),
                arguments("GetShardIterator", "{\"StreamName\":\"known\",\"ShardId\":\"other-shard\",\"ShardIteratorType\":\"LATEST\"}", "ResourceNotFoundException"),
                arguments("GetRecords", "{\"ShardIterator\":\"\"}", "ValidationException"),
                arguments("GetRecords", "{\"ShardIterator\":\"" + "x".repeat(513) + "\"}", "ValidationException"),
                arguments("GetRecords", "{\"ShardIterator\":\"x\",\"Limit\":10001}", "ValidationException"),
                arguments("GetRecords", "{}", "ValidationException"),
                arguments("IncreaseStreamRetentionPeriod", "{\"StreamName\":\"known\",\"RetentionPeriodHours\":8761}", "InvalidArgumentException"),
                arguments("IncreaseStreamRetentionPeriod", "{\"StreamName\":\"known\",\"RetentionPeriodHours\":24}", "InvalidArgumentException"),
                arguments("DecreaseStreamRetentionPeriod", "{\"StreamName\":\"known\",\"RetentionPeriodHours\":23}", "InvalidArgumentException"),
                arguments("DecreaseStreamRetentionPeriod", "{\"StreamName\":\"known\",\"RetentionPeriodHours\":0}", "ValidationException"),
                arguments("AddTagsToStream", "{\"StreamName\":\"known\",\"Tags\":{}}", "ValidationException"),
                arguments("AddTagsToStream", "{\"StreamName\":\"known\",\"Tags\":{\"" + name129 + "\":\"v\"}}", "ValidationException"),
                arguments("AddTagsToStream", "{\"StreamName\":\"known\",\"Tags\":{\"k\":\"" + key257 + "\"}}", "ValidationException"),
                arguments("RemoveTagsFromStream", "{\"StreamName\":\"known\",\"TagKeys\":[]}", "ValidationException"),
                arguments("ListTagsForStream", "{\"StreamName\":\"known\",\"Limit\":51}", "ValidationException"),
                arguments("TagResource", "{\"ResourceARN\":\"nope\",\"Tags\":{\"k\":\"v\"}}", "ValidationException"),
                arguments("RegisterStreamConsumer", "{\"StreamARN\":\"" + ARN + "\",\"ConsumerName\":\"bad!\"}", "ValidationException"),
                arguments("RegisterStreamConsumer", "{\"ConsumerName\":\"c\"}", "ValidationException"),
                arguments("DescribeStreamConsumer", "{\"ConsumerARN\":\"arn:aws:kinesis:nope\"}", "ValidationException"),
                arguments("DescribeStreamConsumer", "{\"ConsumerARN\":\"" + ARN + "/consumer/ghost:1700000000\"}", "ResourceNotFoundException"),
                arguments("DescribeStreamConsumer", "{\"ConsumerName\":\"ghost\"}", "InvalidArgumentException"),
                arguments("ListShards", "{\"StreamName\":\"known\",\"NextToken\":\"abc\"}", "InvalidArgumentException"),
                arguments("ListShards", "{\"NextToken\":\"forged-token-forged-token-forged-token-forged\"}", "InvalidArgumentException"),
                arguments("ListShards", "{\"StreamName\":\"known\",\"ShardFilter\":{\"Type\":\"SIDEWAYS\"}}", "ValidationException"),
                arguments("ListShards", "{\"StreamName\":\"known\",\"ShardFilter\":{\"Type\":\"AFTER_SHARD_ID\"}}", "InvalidArgumentException"),
                arguments("ListShards", "{\"StreamName\":\"known\",\"MaxResults\":0}", "ValidationException"),
                arguments("EnableEnhancedMonitoring", "{\"StreamName\":\"known\",\"ShardLevelMetrics\":[\"Foo\"]}", "ValidationException"),
                arguments("UpdateMaxRecordSize", "{\"StreamARN\":\"" + ARN + "\",\"MaxRecordSizeInKiB\":1023}", "ValidationException"),
                arguments("UpdateMaxRecordSize", "{\"StreamARN\":\"" + ARN + "\",\"MaxRecordSizeInKiB\":10241}", "ValidationException"),
                arguments("SplitShard", "{\"StreamName\":\"known\",\"ShardToSplit\":\"shardId-000000000000\",\"NewStartingHashKey\":\"1\"}", "InvalidArgumentException"),
                arguments("MergeShards", "{}", "InvalidArgumentException"),
                arguments("UpdateShardCount", "{}", "InvalidArgumentException"),
                arguments("UpdateStreamMode", "{}", "InvalidArgumentException"),
                arguments("StartStreamEncryption", "{}", "InvalidArgumentException"),
                arguments("StopStreamEncryption", "{}", "InvalidArgumentException"));
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @MethodSource("badInputs")
    void badInputGetsTheAwsErrorType(String operation, String body, String expectedType) {
        var a = kinesis.json(operation, body);
        assertThat(a.status()).as(a.body().toString()).isEqualTo(400);
        assertThat(a.type()).as(a.body().toString()).isEqualTo(expectedType);
        assertThat(a.body().path("message").asText()).isNotBlank();
        if (expectedType.equals("ValidationException") && !operation.equals("PutRecord")) {
            assertThat(a.body().path("message").asText()).startsWith("1 validation error detected: Value");
        }
    }
}
