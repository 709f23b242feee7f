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
    void requestsWithoutATargetArePassedOnToTheNextRoute() {
        assertThat(kinesis.send(null, "application/json", "{}".getBytes()).status()).isEqualTo(KinesisTestNode.PASSED_ON_STATUS);
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
