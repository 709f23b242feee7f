package io.riffle.kinesis;

import io.riffle.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.cbor.CBORParser;
import io.riffle.throttle.ThroughputLimits;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The wire protocol as bytes: encodings, timestamps, blobs, errors, request ids and shard iterators. */
class KinesisProtocolTest {
    @TempDir
    Path dataDir;
    private final MutableClock clock = new MutableClock(System.currentTimeMillis());
    private KinesisTestNode node;
    private RawKinesis kinesis;

    @BeforeEach
    void start() {
        startNode();
    }

    private void startNode() {
        node = KinesisTestNode.start(dataDir, ThroughputLimits.OFF, clock);
        kinesis = new RawKinesis(node.endpoint());
    }

    @AfterEach
    void stop() {
        node.close();
    }

    @Test
    void anUnknownTargetIsAnUnknownOperationException() {
        var a = kinesis.json("FlyToTheMoon", "{}");
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.type()).isEqualTo("UnknownOperationException");
        assertThat(kinesis.send("DynamoDB_20120810.ListTables", "application/x-amz-json-1.1", "{}".getBytes()).type())
                .isEqualTo("UnknownOperationException");
    }

    @Test
    void anUnparsableBodyIsASerializationExceptionInEitherEncoding() {
        var json = kinesis.json("ListStreams", "{\"Limit\": ");
        assertThat(json.status()).isEqualTo(400);
        assertThat(json.type()).isEqualTo("SerializationException");
        var cbor = kinesis.send("Kinesis_20131202.ListStreams", "application/x-amz-cbor-1.1", new byte[] {(byte) 0xbf, 0x61});
        assertThat(cbor.type()).isEqualTo("SerializationException");
        assertThat(kinesis.json("ListStreams", "{\"Limit\": \"ten\"}").type()).isEqualTo("SerializationException");
    }

    @Test
    void errorsAreAnsweredInTheRequestsEncodingWithAMessage() {
        var a = kinesis.cbor("DescribeStream", Map.of("StreamName", "missing"));
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.header("Content-Type")).isEqualTo("application/x-amz-cbor-1.1");
        assertThat(a.type()).isEqualTo("ResourceNotFoundException");
        assertThat(a.body().path("message").asText()).contains("missing");
        var j = kinesis.json("DescribeStream", "{\"StreamName\":\"missing\"}");
        assertThat(j.header("Content-Type")).isEqualTo("application/x-amz-json-1.1");
        assertThat(j.type()).isEqualTo("ResourceNotFoundException");
    }

    @Test
    void everyAnswerCarriesARequestId() {
        var ok = kinesis.json("ListStreams", "{}");
        var bad = kinesis.json("Nope", "{}");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.header("x-amzn-RequestId")).isNotBlank();
        assertThat(bad.header("x-amzn-RequestId")).isNotBlank().isNotEqualTo(ok.header("x-amzn-RequestId"));
    }

    @Test
    void aPostToTheRootWithoutATargetIsAnUnknownOperation() {
        var a = kinesis.send(null, "application/x-amz-json-1.1", "{}".getBytes());
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.type()).isEqualTo("UnknownOperationException");
        assertThat(a.header("x-amzn-RequestId")).isNotBlank();
    }

    @Test
    void requestsWithoutATargetOnOtherPathsArePassedOnToTheNextRoute() throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        var r = http.send(java.net.http.HttpRequest.newBuilder(node.endpoint().resolve("/v1/streams"))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding());
        assertThat(r.statusCode()).isEqualTo(KinesisTestNode.PASSED_ON_STATUS);
    }

    @Test
    void anEmptyBodyOrAMissingContentTypeIsASerializationException() {
        var empty = kinesis.send("Kinesis_20131202.ListStreams", "application/x-amz-json-1.1", new byte[0]);
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.type()).isEqualTo("SerializationException");
        var emptyCbor = kinesis.send("Kinesis_20131202.ListStreams", "application/x-amz-cbor-1.1", new byte[0]);
        assertThat(emptyCbor.type()).isEqualTo("SerializationException");
        var noContentType = kinesis.send("Kinesis_20131202.ListStreams", null, "{}".getBytes());
        assertThat(noContentType.status()).isEqualTo(400);
        assertThat(noContentType.type()).isEqualTo("SerializationException");
    }

    @Test
    void aSerializationExceptionCarriesItsMessageUnderCapitalM() {
        var a = kinesis.json("ListStreams", "{\"Limit\": \"ten\"}");
        assertThat(a.header("x-amzn-ErrorType")).isEqualTo("SerializationException");
        assertThat(a.body().path("Message").asText()).isEqualTo("class java.lang.String can not be converted to an Integer");
        assertThat(a.body().has("message")).isFalse();
        assertThat(kinesis.json("DescribeStream", "{\"StreamName\":\"missing\"}").body().has("message")).isTrue();
    }

    @Test
    void answersWithoutMembersHaveAnEmptyBodyInEitherEncoding() {
        var created = kinesis.json("CreateStream", "{\"StreamName\":\"empty\",\"ShardCount\":1}");
        kinesis.awaitActive("empty");
        assertThat(created.status()).isEqualTo(200);
        assertThat(created.raw().body()).isEmpty();
        var tagged = kinesis.cbor("AddTagsToStream", Map.of("StreamName", "empty", "Tags", Map.of("k", "v")));
        assertThat(tagged.status()).isEqualTo(200);
        assertThat(tagged.raw().body()).isEmpty();
        var retention = kinesis.json("IncreaseStreamRetentionPeriod", "{\"StreamName\":\"empty\",\"RetentionPeriodHours\":48}");
        assertThat(retention.status()).isEqualTo(200);
        assertThat(retention.raw().body()).isEmpty();
        assertThat(kinesis.json("DeleteStream", "{\"StreamName\":\"empty\"}").raw().body()).isEmpty();
    }

    @Test
    void retentionSetToItsCurrentValueIsANoOpBothWays() {
        kinesis.json("CreateStream", "{\"StreamName\":\"ret\",\"ShardCount\":1}");
        kinesis.awaitActive("ret");
        assertThat(kinesis.json("IncreaseStreamRetentionPeriod", "{\"StreamName\":\"ret\",\"RetentionPeriodHours\":24}").status()).isEqualTo(200);
        assertThat(kinesis.json("DecreaseStreamRetentionPeriod", "{\"StreamName\":\"ret\",\"RetentionPeriodHours\":24}").status()).isEqualTo(200);
        assertThat(kinesis.json("DescribeStreamSummary", "{\"StreamName\":\"ret\"}").body()
                .path("StreamDescriptionSummary").path("RetentionPeriodHours").asInt()).isEqualTo(24);
        assertThat(kinesis.json("IncreaseStreamRetentionPeriod", "{\"StreamName\":\"ret\",\"RetentionPeriodHours\":23}").type())
                .isEqualTo("InvalidArgumentException");
    }

    @Test
    void unencryptedRecordsAndPutAnswersCarryNoEncryptionType() {
        kinesis.json("CreateStream", "{\"StreamName\":\"plain\",\"ShardCount\":1}");
        kinesis.awaitActive("plain");
        var put = kinesis.json("PutRecord", "{\"StreamName\":\"plain\",\"PartitionKey\":\"k\",\"Data\":\"AA==\"}");
        assertThat(put.body().has("EncryptionType")).isFalse();
        var puts = kinesis.json("PutRecords", "{\"StreamName\":\"plain\",\"Records\":[{\"PartitionKey\":\"k\",\"Data\":\"AA==\"}]}");
        assertThat(puts.body().path("FailedRecordCount").asInt()).isZero();
        assertThat(puts.body().has("EncryptionType")).isFalse();
        String iterator = kinesis.json("GetShardIterator", "{\"StreamName\":\"plain\",\"ShardId\":\"shardId-0\","
                + "\"ShardIteratorType\":\"TRIM_HORIZON\"}").body().path("ShardIterator").asText();
        var records = kinesis.json("GetRecords", "{\"ShardIterator\":\"" + iterator + "\"}").body().path("Records");
        assertThat(records).hasSize(2);
        records.forEach(r -> assertThat(r.has("EncryptionType")).isFalse());
    }

    @Test
    void shardIdsNameTheSameShardHoweverTheirDigitsAreWritten() {
        kinesis.json("CreateStream", "{\"StreamName\":\"ids\",\"ShardCount\":2}");
        kinesis.awaitActive("ids");
        kinesis.json("PutRecord", "{\"StreamName\":\"ids\",\"PartitionKey\":\"k\",\"Data\":\"AA==\",\"ExplicitHashKey\":\"0\"}");
        for (String id : new String[] {"shardId-000000000000", "shardId-0", "foo-0", "0", "shardId-00"}) {
            String iterator = kinesis.json("GetShardIterator", "{\"StreamName\":\"ids\",\"ShardId\":\"" + id
                    + "\",\"ShardIteratorType\":\"TRIM_HORIZON\"}").body().path("ShardIterator").asText();
            assertThat(kinesis.json("GetRecords", "{\"ShardIterator\":\"" + iterator + "\"}").body().path("Records")).as(id).hasSize(1);
        }
        var after = kinesis.json("ListShards", "{\"StreamName\":\"ids\",\"ExclusiveStartShardId\":\"shardId-0\"}");
        assertThat(after.body().path("Shards")).hasSize(1);
        assertThat(after.body().path("Shards").get(0).path("ShardId").asText()).isEqualTo("shardId-000000000001");
    }

    @Test
    void atTimestampInTheFutureIsAnInvalidArgumentAndInThePastStartsAtTheFirstRecord() {
        kinesis.json("CreateStream", "{\"StreamName\":\"when\",\"ShardCount\":1}");
        kinesis.awaitActive("when");
        kinesis.json("PutRecord", "{\"StreamName\":\"when\",\"PartitionKey\":\"k\",\"Data\":\"AA==\"}");
        String shard = "\"StreamName\":\"when\",\"ShardId\":\"shardId-000000000000\",\"ShardIteratorType\":\"AT_TIMESTAMP\"";
        double future = (clock.millis() + 60_000) / 1000.0;
        var a = kinesis.json("GetShardIterator", "{" + shard + ",\"Timestamp\":" + future + "}");
        assertThat(a.type()).isEqualTo("InvalidArgumentException");
        assertThat(a.body().path("message").asText()).startsWith("The timestampInMillis parameter cannot be greater than the currentTimestampInMillis.");
        for (String past : new String[] {"-1e300", "0", "-1"}) {
            var it = kinesis.json("GetShardIterator", "{" + shard + ",\"Timestamp\":" + past + "}");
            assertThat(it.status()).as(past).isEqualTo(200);
            assertThat(kinesis.json("GetRecords", "{\"ShardIterator\":\"" + it.body().path("ShardIterator").asText() + "\"}")
                    .body().path("Records")).as(past).hasSize(1);
        }
        var hugeCbor = kinesis.cbor("GetShardIterator", Map.of("StreamName", "when", "ShardId", "shardId-000000000000",
                "ShardIteratorType", "AT_TIMESTAMP", "Timestamp", new java.math.BigInteger("123456789012345678901234567890")));
        assertThat(hugeCbor.status()).isEqualTo(400);
        assertThat(hugeCbor.type()).isEqualTo("InvalidArgumentException");
    }

    @Test
    void aStreamHoldsAtMostFiftyTagsInAll() {
        kinesis.json("CreateStream", "{\"StreamName\":\"tagged\",\"ShardCount\":1}");
        kinesis.awaitActive("tagged");
        String fifty = java.util.stream.IntStream.range(0, 50).mapToObj(i -> "\"k" + i + "\":\"v\"")
                .collect(java.util.stream.Collectors.joining(","));
        assertThat(kinesis.json("AddTagsToStream", "{\"StreamName\":\"tagged\",\"Tags\":{" + fifty + "}}").status()).isEqualTo(200);
        assertThat(kinesis.json("AddTagsToStream", "{\"StreamName\":\"tagged\",\"Tags\":{\"k0\":\"changed\"}}").status()).isEqualTo(200);
        var over = kinesis.json("AddTagsToStream", "{\"StreamName\":\"tagged\",\"Tags\":{\"k50\":\"v\"}}");
        assertThat(over.type()).isEqualTo("InvalidArgumentException");
        assertThat(over.body().path("message").asText()).isEqualTo("Failed to add tags to stream tagged under account 123456789012"
                + " because a given stream cannot have more than 50 tags associated with it.");
        assertThat(kinesis.json("ListTagsForStream", "{\"StreamName\":\"tagged\"}").body().path("Tags")).hasSize(50);
    }

    @Test
    void cborTextThatIsNotUnicodeIsASerializationException() {
        kinesis.json("CreateStream", "{\"StreamName\":\"bytes\",\"ShardCount\":1}");
        kinesis.awaitActive("bytes");
        // {"StreamName":"bytes","PartitionKey":<text>,"Data":h''} with the text's bytes given raw.
        java.util.function.Function<byte[], byte[]> putWithKey = key -> {
            var out = new java.io.ByteArrayOutputStream();
            out.write(0xa3);
            out.writeBytes(new byte[] {0x6a, 'S', 't', 'r', 'e', 'a', 'm', 'N', 'a', 'm', 'e', 0x65, 'b', 'y', 't', 'e', 's'});
            out.writeBytes(new byte[] {0x6c, 'P', 'a', 'r', 't', 'i', 't', 'i', 'o', 'n', 'K', 'e', 'y'});
            out.write(0x60 + key.length);
            out.writeBytes(key);
            out.writeBytes(new byte[] {0x64, 'D', 'a', 't', 'a', 0x40});
            return out.toByteArray();
        };
        byte[][] notUnicode = {{(byte) 0xff, (byte) 0xfe}, {(byte) 0xc3, 0x28}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80}};
        for (byte[] key : notUnicode) {
            var a = kinesis.send("Kinesis_20131202.PutRecord", "application/x-amz-cbor-1.1", putWithKey.apply(key));
            assertThat(a.status()).isEqualTo(400);
            assertThat(a.type()).isEqualTo("SerializationException");
        }
        var ok = kinesis.send("Kinesis_20131202.PutRecord", "application/x-amz-cbor-1.1", putWithKey.apply(new byte[] {(byte) 0xc3, (byte) 0xa9}));
        assertThat(ok.status()).isEqualTo(200);
        String iterator = kinesis.json("GetShardIterator", "{\"StreamName\":\"bytes\",\"ShardId\":\"shardId-0\","
                + "\"ShardIteratorType\":\"TRIM_HORIZON\"}").body().path("ShardIterator").asText();
        var records = kinesis.json("GetRecords", "{\"ShardIterator\":\"" + iterator + "\"}").body().path("Records");
        assertThat(records).hasSize(1);
        assertThat(records.get(0).path("PartitionKey").asText()).isEqualTo("é");
    }

    @Test
    void cborNumbersAreNotCoercedEither() {
        assertThat(kinesis.cbor("CreateStream", Map.of("StreamName", "f", "ShardCount", 2.0)).type()).isEqualTo("SerializationException");
        kinesis.cbor("CreateStream", Map.of("StreamName", "f", "ShardCount", 1));
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY}) {
            var a = kinesis.cbor("GetShardIterator", Map.of("StreamName", "f", "ShardId", "shardId-000000000000",
                    "ShardIteratorType", "AT_TIMESTAMP", "Timestamp", bad));
            assertThat(a.status()).as(String.valueOf(bad)).isEqualTo(400);
            assertThat(a.type()).as(String.valueOf(bad)).isEqualTo("SerializationException");
        }
    }

    @Test
    void everyAnswerCarriesAnExtendedRequestIdToo() {
        assertThat(kinesis.json("ListStreams", "{}").header("x-amz-id-2")).isNotBlank();
        assertThat(kinesis.json("Nope", "{}").header("x-amz-id-2")).isNotBlank();
        assertThat(kinesis.json("ListStreams", "{\"Limit\":0}").header("x-amz-id-2")).isNotBlank();
    }

    @Test
    void jsonTimestampsAreEpochSecondsWithAFraction() {
        assertThat(kinesis.json("CreateStream", "{\"StreamName\":\"ts\",\"ShardCount\":1}").status()).isEqualTo(200);
        var a = kinesis.json("DescribeStreamSummary", "{\"StreamName\":\"ts\"}");
        var ts = a.body().path("StreamDescriptionSummary").path("StreamCreationTimestamp");
        assertThat(ts.isNumber()).isTrue();
        assertThat(ts.asDouble()).isBetween(System.currentTimeMillis() / 1000.0 - 60, System.currentTimeMillis() / 1000.0 + 1);
        assertThat(a.body().path("StreamDescriptionSummary").path("StreamARN").asText())
                .isEqualTo("arn:aws:kinesis:eu-west-1:123456789012:stream/ts");
    }

    @Test
    void cborTimestampsAreTagOneWithIntegerEpochMillis() throws Exception {
        kinesis.cbor("CreateStream", Map.of("StreamName", "ts", "ShardCount", 1));
        var a = kinesis.cbor("DescribeStreamSummary", Map.of("StreamName", "ts"));
        assertThat(a.status()).isEqualTo(200);
        try (CBORParser p = (CBORParser) RawKinesis.CBOR.getFactory().createParser(a.raw().body())) {
            boolean seen = false;
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t == JsonToken.FIELD_NAME && p.currentName().equals("StreamCreationTimestamp")) {
                    assertThat(p.nextToken()).isEqualTo(JsonToken.VALUE_NUMBER_INT);
                    assertThat(p.getCurrentTag()).isEqualTo(1);
                    assertThat(p.getLongValue()).isBetween(System.currentTimeMillis() - 60_000, System.currentTimeMillis() + 1);
                    seen = true;
                }
            }
            assertThat(seen).isTrue();
        }
    }

    @Test
    void blobsAreBase64InJsonAndByteStringsInCbor() {
        kinesis.json("CreateStream", "{\"StreamName\":\"blobs\",\"ShardCount\":1}");
        kinesis.awaitActive("blobs");
        byte[] data = {0, 1, 2, (byte) 0xff, 'h', 'i'};
        var put = kinesis.json("PutRecord", "{\"StreamName\":\"blobs\",\"PartitionKey\":\"k\",\"Data\":\""
                + Base64.getEncoder().encodeToString(data) + "\"}");
        assertThat(put.status()).isEqualTo(200);
        kinesis.cbor("PutRecord", Map.of("StreamName", "blobs", "PartitionKey", "k", "Data", data));
        String iterator = kinesis.cbor("GetShardIterator", Map.of("StreamName", "blobs", "ShardId", "shardId-000000000000",
                "ShardIteratorType", "TRIM_HORIZON")).body().path("ShardIterator").asText();
        var cbor = kinesis.cbor("GetRecords", Map.of("ShardIterator", iterator));
        assertThat(cbor.body().path("Records")).hasSize(2);
        assertThat(cbor.body().path("Records").get(0).path("Data").isBinary()).isTrue();
        var json = kinesis.json("GetRecords", "{\"ShardIterator\":\"" + iterator + "\"}");
        for (var r : json.body().path("Records")) {
            assertThat(Base64.getDecoder().decode(r.path("Data").asText())).isEqualTo(data);
        }
        assertThat(json.body().path("Records").get(0).path("SequenceNumber").asText()).isEqualTo(put.body().path("SequenceNumber").asText());
    }

    @Test
    void shardIteratorsSurviveARestartAndExpireAfterFiveMinutes() {
        kinesis.json("CreateStream", "{\"StreamName\":\"it\",\"ShardCount\":1}");
        kinesis.awaitActive("it");
        kinesis.json("PutRecord", "{\"StreamName\":\"it\",\"PartitionKey\":\"k\",\"Data\":\"AA==\"}");
        String iterator = kinesis.json("GetShardIterator",
                "{\"StreamName\":\"it\",\"ShardId\":\"shardId-000000000000\",\"ShardIteratorType\":\"TRIM_HORIZON\"}")
                .body().path("ShardIterator").asText();
        node.close();
        startNode();
        var read = kinesis.json("GetRecords", "{\"ShardIterator\":\"" + iterator + "\"}");
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.body().path("Records")).hasSize(1);
        assertThat(read.body().path("MillisBehindLatest").asLong()).isGreaterThanOrEqualTo(0);
        clock.advance(300_001);
        assertThat(kinesis.json("GetRecords", "{\"ShardIterator\":\"" + iterator + "\"}").type()).isEqualTo("ExpiredIteratorException");
    }

    @Test
    void aForgedOrAlteredShardIteratorIsAnInvalidArgument() {
        kinesis.json("CreateStream", "{\"StreamName\":\"it\",\"ShardCount\":1}");
        kinesis.awaitActive("it");
        String iterator = kinesis.json("GetShardIterator",
                "{\"StreamName\":\"it\",\"ShardId\":\"shardId-000000000000\",\"ShardIteratorType\":\"LATEST\"}")
                .body().path("ShardIterator").asText();
        char last = iterator.charAt(10);
        String altered = iterator.substring(0, 10) + (last == 'A' ? 'B' : 'A') + iterator.substring(11);
        assertThat(kinesis.json("GetRecords", "{\"ShardIterator\":\"" + altered + "\"}").type()).isEqualTo("InvalidArgumentException");
        assertThat(kinesis.json("GetRecords", "{\"ShardIterator\":\"bm90LWFuLWl0ZXJhdG9y\"}").type()).isEqualTo("InvalidArgumentException");
    }
}
