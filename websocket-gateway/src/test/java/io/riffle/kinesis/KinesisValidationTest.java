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
                arguments("SplitShard", "{\"StreamName\":\"known\",\"ShardToSplit\":\"shardId-000000000000\",\"NewStartingHashKey\":\"x1\"}", "ValidationException"),
                arguments("SplitShard", "{\"StreamName\":\"known\",\"ShardToSplit\":\"shardId-000000000000\"}", "ValidationException"),
                arguments("SplitShard", "{\"StreamName\":\"known\",\"ShardToSplit\":\"shardId-000000000000\",\"NewStartingHashKey\":\"340282366920938463463374607431768211456\"}", "InvalidArgumentException"),
                arguments("SplitShard", "{\"StreamName\":\"known\",\"ShardToSplit\":\"shardId-000000000007\",\"NewStartingHashKey\":\"100\"}", "ResourceNotFoundException"),
                arguments("SplitShard", "{\"StreamName\":\"unknown\",\"ShardToSplit\":\"shardId-000000000000\",\"NewStartingHashKey\":\"100\"}", "ResourceNotFoundException"),
                arguments("MergeShards", "{}", "ValidationException"),
                arguments("MergeShards", "{\"StreamName\":\"known\",\"ShardToMerge\":\"shardId-000000000000\",\"AdjacentShardToMerge\":\"shardId-000000000000\"}", "InvalidArgumentException"),
                arguments("MergeShards", "{\"StreamName\":\"known\",\"ShardToMerge\":\"shardId-000000000000\",\"AdjacentShardToMerge\":\"shardId-000000000009\"}", "ResourceNotFoundException"),
                arguments("UpdateShardCount", "{}", "ValidationException"),
                arguments("UpdateShardCount", "{\"StreamName\":\"known\",\"TargetShardCount\":3,\"ScalingType\":\"UNIFORM_SCALING\"}", "LimitExceededException"),
                arguments("UpdateShardCount", "{\"StreamName\":\"known\",\"TargetShardCount\":0,\"ScalingType\":\"UNIFORM_SCALING\"}", "ValidationException"),
                arguments("UpdateShardCount", "{\"StreamName\":\"known\",\"TargetShardCount\":2,\"ScalingType\":\"RANDOM\"}", "ValidationException"),
                arguments("UpdateShardCount", "{\"StreamName\":\"known\",\"TargetShardCount\":2}", "ValidationException"),
                arguments("UpdateStreamMode", "{}", "ValidationException"),
                arguments("UpdateStreamMode", "{\"StreamARN\":\"" + ARN + "\",\"StreamModeDetails\":{\"StreamMode\":\"FAST\"}}", "ValidationException"),
                arguments("UpdateStreamMode", "{\"StreamARN\":\"" + ARN + "\",\"StreamModeDetails\":{\"StreamMode\":\"PROVISIONED\"}}", "InvalidArgumentException"),
                arguments("StartStreamEncryption", "{}", "ValidationException"),
                arguments("StopStreamEncryption", "{}", "ValidationException"),
                arguments("StartStreamEncryption", "{\"StreamName\":\"known\",\"EncryptionType\":\"AES\",\"KeyId\":\"k\"}", "ValidationException"),
                arguments("StartStreamEncryption", "{\"StreamName\":\"known\",\"EncryptionType\":\"KMS\",\"KeyId\":\"\"}", "ValidationException"),
                arguments("StartStreamEncryption", "{\"StreamName\":\"known\",\"EncryptionType\":\"NONE\",\"KeyId\":\"k\"}", "InvalidArgumentException"),
                arguments("StartStreamEncryption", "{\"StreamName\":\"known\",\"EncryptionType\":\"KMS\",\"KeyId\":\"alias/none\"}", "KMSNotFoundException"),
                arguments("StartStreamEncryption", "{\"StreamName\":\"unknown\",\"EncryptionType\":\"KMS\",\"KeyId\":\"alias/none\"}", "ResourceNotFoundException"),
                arguments("StopStreamEncryption", "{\"StreamName\":\"unknown\",\"EncryptionType\":\"KMS\",\"KeyId\":\"k\"}", "ResourceNotFoundException"),
                // Base64 is strict: padding only at the end, a length that is a multiple of 4, no whitespace.
                arguments("PutRecord", put("\"Data\":\"eA==eA==\""), "SerializationException"),
                arguments("PutRecord", put("\"Data\":\"eAB=junk\""), "SerializationException"),
                arguments("PutRecord", put("\"Data\":\"eA\""), "SerializationException"),
                arguments("PutRecord", put("\"Data\":\"eA=\""), "SerializationException"),
                arguments("PutRecord", put("\"Data\":\"eB==\""), "SerializationException"),
                arguments("PutRecord", put("\"Data\":\"eA== \""), "SerializationException"),
                arguments("PutRecord", put("\"Data\":\"eA\\n==\""), "SerializationException"),
                arguments("PutRecord", put("\"Data\":\"e-A_\""), "SerializationException"),
                arguments("PutRecord", put("\"Data\":\"====\""), "SerializationException"),
                arguments("PutRecords", "{\"StreamName\":\"known\",\"Records\":[{\"PartitionKey\":\"k\",\"Data\":\"eA==eA==\"}]}", "SerializationException"),
                // Text that is not Unicode is refused, not stored as U+FFFD.
                arguments("PutRecord", "{\"StreamName\":\"known\",\"PartitionKey\":\"\\ud800\",\"Data\":\"AA==\"}", "SerializationException"),
                arguments("PutRecord", "{\"StreamName\":\"known\",\"PartitionKey\":\"a\\udc00b\",\"Data\":\"AA==\"}", "SerializationException"),
                // Numbers are not coerced: only an integer token is an Integer.
                arguments("CreateStream", "{\"StreamName\":\"s2\",\"ShardCount\":2.0000000000000001}", "SerializationException"),
                arguments("CreateStream", "{\"StreamName\":\"s2\",\"ShardCount\":2.5}", "SerializationException"),
                arguments("CreateStream", "{\"StreamName\":\"s2\",\"ShardCount\":2.0}", "SerializationException"),
                arguments("CreateStream", "{\"StreamName\":\"s2\",\"ShardCount\":\"2\"}", "SerializationException"),
                arguments("CreateStream", "{\"StreamName\":\"s2\",\"ShardCount\":true}", "SerializationException"),
                arguments("CreateStream", "{\"StreamName\":\"s2\",\"ShardCount\":1e400}", "SerializationException"),
                arguments("CreateStream", "{\"StreamName\":\"s2\",\"ShardCount\":2147483648}", "SerializationException"),
                arguments("CreateStream", "{\"StreamName\":7,\"ShardCount\":1}", "SerializationException"),
                arguments("DescribeStream", "{\"StreamName\":\"known\",\"Limit\":[1]}", "SerializationException"),
                // Timestamps that overflow are answered, not failed internally.
                arguments("GetShardIterator", atTimestamp("1e400"), "InvalidArgumentException"),
                arguments("GetShardIterator", atTimestamp("1e300"), "InvalidArgumentException"),
                arguments("GetShardIterator", atTimestamp("99999999999999999999999"), "InvalidArgumentException"),
                arguments("GetShardIterator", atTimestamp("\"yesterday\""), "SerializationException"),
                // Shard ids name shards by the digits after their last '-'; others name no shard.
                arguments("GetShardIterator", iterator("shardId-1", "LATEST"), "ResourceNotFoundException"),
                arguments("GetShardIterator", iterator("shardId-", "LATEST"), "ResourceNotFoundException"),
                arguments("GetShardIterator", iterator("shardId-2147483648", "LATEST"), "ResourceNotFoundException"),
                arguments("GetShardIterator", iterator("", "LATEST"), "ValidationException"),
                arguments("GetShardIterator", iterator("s".repeat(129), "LATEST"), "ValidationException"),
                // Tags: AWS's character set, at most 50 per call.
                arguments("AddTagsToStream", tags("\"a;b\":\"v\""), "InvalidArgumentException"),
                arguments("AddTagsToStream", tags("\"k\":\"a\\tb\""), "InvalidArgumentException"),
                arguments("AddTagsToStream", tags("\"k\":\"a\\nb\""), "InvalidArgumentException"),
                arguments("AddTagsToStream", tags("\"a,b\":\"v\""), "InvalidArgumentException"),
                arguments("AddTagsToStream", tags("\"k\":\"100%\""), "InvalidArgumentException"),
                arguments("AddTagsToStream", tags(manyTags(51)), "ValidationException"),
                arguments("TagResource", "{\"ResourceARN\":\"" + ARN + "\",\"Tags\":{\"a;b\":\"v\"}}", "InvalidArgumentException"),
                arguments("CreateStream", "{\"StreamName\":\"s3\",\"ShardCount\":1,\"Tags\":{\"a;b\":\"v\"}}", "InvalidArgumentException"),
                arguments("RemoveTagsFromStream", "{\"StreamName\":\"known\",\"TagKeys\":[\"a;b\"]}", "InvalidArgumentException"),
                arguments("RemoveTagsFromStream", "{\"StreamName\":\"known\",\"TagKeys\":[\"a%b\"]}", "InvalidArgumentException"),
                arguments("RemoveTagsFromStream", "{\"StreamName\":\"known\",\"TagKeys\":[" + java.util.stream.IntStream.range(0, 51)
                        .mapToObj(i -> "\"k" + i + "\"").collect(java.util.stream.Collectors.joining(",")) + "]}", "ValidationException"));
    }

    /** Each bad input with the exact message AWS gives it (messages list every violated constraint). */
    static Stream<Arguments> awsMessages() {
        String must = "' failed to satisfy constraint: Member must ";
        String mustOr = "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or"
                + " (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified ";
        return Stream.of(
                arguments("CreateStream", "{\"StreamName\":\"a b\",\"ShardCount\":0}", "ValidationException",
                        "2 validation errors detected: Value '0' at 'shardCount" + must + "have value greater than or equal to 1;"
                                + " Value 'a b' at 'streamName" + must + "satisfy regular expression pattern: [a-zA-Z0-9_.-]+"),
                arguments("CreateStream", "{\"StreamName\":\"\",\"ShardCount\":0}", "ValidationException",
                        "3 validation errors detected: Value '0' at 'shardCount" + must + "have value greater than or equal to 1;"
                                + " Value '' at 'streamName" + must + "satisfy regular expression pattern: [a-zA-Z0-9_.-]+;"
                                + " Value '' at 'streamName" + must + "have length greater than or equal to 1"),
                arguments("CreateStream", "{}", "ValidationException",
                        "1 validation error detected: Value null at 'streamName" + must + "not be null"),
                arguments("PutRecords", "{\"StreamName\":\"known\",\"Records\":[{\"PartitionKey\":\"\",\"Data\":\"AA==\"},{\"Data\":\"AA==\"}]}",
                        "ValidationException", "2 validation errors detected: Value '' at 'records.1.member.partitionKey" + must
                                + "have length greater than or equal to 1; Value null at 'records.2.member.partitionKey" + must + "not be null"),
                arguments("GetShardIterator", iterator("shardId-0", "LATEST").replace("}", ",\"StartingSequenceNumber\":\"1\"}"),
                        "InvalidArgumentException", mustOr + "LATEST and also a StartingSequenceNumber."),
                arguments("GetShardIterator", iterator("shardId-0", "TRIM_HORIZON").replace("}", ",\"StartingSequenceNumber\":\"1\"}"),
                        "InvalidArgumentException", mustOr + "TRIM_HORIZON and also a StartingSequenceNumber."),
                arguments("GetShardIterator", iterator("shardId-0", "AT_SEQUENCE_NUMBER"), "InvalidArgumentException",
                        mustOr + "AT_SEQUENCE_NUMBER and no StartingSequenceNumber."),
                arguments("GetShardIterator", iterator("shardId-0", "AFTER_SEQUENCE_NUMBER"), "InvalidArgumentException",
                        mustOr + "AFTER_SEQUENCE_NUMBER and no StartingSequenceNumber."),
                arguments("GetShardIterator", iterator("shardId-0", "AT_TIMESTAMP"), "InvalidArgumentException",
                        "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter."),
                arguments("GetShardIterator", iterator("other-shard", "LATEST"), "ResourceNotFoundException",
                        "Could not find shard other-shard in stream known under account 123456789012."),
                arguments("DescribeStream", "{\"StreamName\":\"unknown\"}", "ResourceNotFoundException",
                        "Stream unknown under account 123456789012 not found."),
                arguments("DeleteStream", "{\"StreamName\":\"unknown\"}", "ResourceNotFoundException",
                        "Stream unknown under account 123456789012 not found."),
                arguments("PutRecord", put("\"Data\":\"eA==eA==\""), "SerializationException",
                        "'eA==eA==' can not be converted to a Blob: Invalid Base64 character: '='"),
                arguments("PutRecord", put("\"Data\":\"23456\""), "SerializationException",
                        "'23456' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 5"),
                arguments("PutRecord", put("\"Data\":\"+/+=\""), "SerializationException",
                        "'+/+=' can not be converted to a Blob: Invalid last non-pad Base64 character dectected"),
                arguments("CreateStream", "{\"StreamName\":\"s2\",\"ShardCount\":\"2\"}", "SerializationException",
                        "class java.lang.String can not be converted to an Integer"),
                arguments("CreateStream", "{\"StreamName\":\"s2\",\"ShardCount\":2.5}", "SerializationException",
                        "class java.lang.Double can not be converted to an Integer"),
                arguments("CreateStream", "{\"StreamName\":\"s2\",\"ShardCount\":[]}", "SerializationException",
                        "Start of list found where not expected"),
                arguments("AddTagsToStream", tags("\"a;b\":\"v\""), "InvalidArgumentException",
                        "Failed to add tags to stream known under account 123456789012 because some tags contained illegal"
                                + " characters. The allowed characters are Unicode letters, white-spaces, digits,"
                                + " '_','.','/','=','+','-','@',':'."),
                arguments("AddTagsToStream", tags(manyTags(51)), "ValidationException",
                        "1 validation error detected: Value '{"),
                arguments("RemoveTagsFromStream", "{\"StreamName\":\"known\",\"TagKeys\":[\"a;b\"]}", "InvalidArgumentException",
                        "Failed to remove tags from stream known under account 123456789012 because some tags contained illegal"));
    }

    @ParameterizedTest(name = "{0} {1} -> {2}: {3}")
    @MethodSource("awsMessages")
    void badInputGetsTheAwsMessage(String operation, String body, String expectedType, String message) {
        var a = kinesis.json(operation, body);
        assertThat(a.status()).as(a.body().toString()).isEqualTo(400);
        assertThat(a.type()).as(a.body().toString()).isEqualTo(expectedType);
        assertThat(message(a)).startsWith(message);
    }

    private static String message(RawKinesis.Answer a) {
        // AWS's SerializationException carries "Message", every other error "message".
        return a.body().path(a.type().equals("SerializationException") ? "Message" : "message").asText();
    }

    private static String put(String data) {
        return "{\"StreamName\":\"known\",\"PartitionKey\":\"k\"," + data + "}";
    }

    private static String iterator(String shardId, String type) {
        return "{\"StreamName\":\"known\",\"ShardId\":\"" + shardId + "\",\"ShardIteratorType\":\"" + type + "\"}";
    }

    private static String atTimestamp(String timestamp) {
        return "{\"StreamName\":\"known\",\"ShardId\":\"shardId-000000000000\",\"ShardIteratorType\":\"AT_TIMESTAMP\","
                + "\"Timestamp\":" + timestamp + "}";
    }

    private static String tags(String entries) {
        return "{\"StreamName\":\"known\",\"Tags\":{" + entries + "}}";
    }

    private static String manyTags(int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(i -> "\"k" + i + "\":\"v\"")
                .collect(java.util.stream.Collectors.joining(","));
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @MethodSource("badInputs")
    void badInputGetsTheAwsErrorType(String operation, String body, String expectedType) {
        var a = kinesis.json(operation, body);
        assertThat(a.status()).as(a.body().toString()).isEqualTo(400);
        assertThat(a.type()).as(a.body().toString()).isEqualTo(expectedType);
        assertThat(message(a)).isNotBlank();
        // A record over the stream's size limit is the engine's ValidationException, with its own words.
        if (expectedType.equals("ValidationException") && !operation.equals("PutRecord")) {
            assertThat(message(a)).containsPattern("^\\d+ validation errors? detected: Value");
        }
    }
}
