package io.riffle.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Protocol test: the client's JSON against the shapes issue #3 documents, without a node. */
class WireProtocolTest {
    private static PutScheduler.Entry entry(PutRecord r) {
        return new PutScheduler.Entry(r, result -> { });
    }

    @Test
    void putRequestsCarryBase64DataAndOptionalExplicitHashKeys() {
        Buffer body = Wire.encodePut(List.of(entry(PutRecord.of("k1", "hi")),
                entry(new PutRecord("k2", new byte[] {1, 2, 3}, Optional.of("42")))));
        JsonNode records = Wire.parse(body).path("records");
        assertThat(records).hasSize(2);
        assertThat(records.get(0).path("partitionKey").asText()).isEqualTo("k1");
        assertThat(records.get(0).path("data").asText()).isEqualTo("aGk=");
        assertThat(records.get(0).has("explicitHashKey")).isFalse();
        assertThat(records.get(1).path("data").asText()).isEqualTo("AQID");
        assertThat(records.get(1).path("explicitHashKey").asText()).isEqualTo("42");
    }

    @Test
    void putResponsesAnswerEachRecordInRequestOrder() {
        Buffer body = Buffer.buffer("{\"failedRecordCount\":1,\"records\":[{\"shardId\":\"shardId-000000000001\","
                + "\"sequenceNumber\":\"21267647932558653966460912964485513216\"},"
                + "{\"errorCode\":\"ProvisionedThroughputExceededException\",\"errorMessage\":\"Rate exceeded\"}]}");
        List<Wire.PutAnswer> answers = Wire.decodePut(body, 2);
        assertThat(answers.get(0)).isEqualTo(new Wire.Stored("shardId-000000000001",
                "21267647932558653966460912964485513216"));
        assertThat(answers.get(1)).isInstanceOfSatisfying(Wire.Refused.class, r -> {
            assertThat(r.error().code()).isEqualTo(ErrorCode.PROVISIONED_THROUGHPUT_EXCEEDED);
            assertThat(r.error().getMessage()).isEqualTo("Rate exceeded");
        });
    }

    @Test
    void aPutResponseWithTheWrongNumberOfResultsIsAnInternalFailure() {
        assertThatThrownBy(() -> Wire.decodePut(Buffer.buffer("{\"records\":[]}"), 1))
                .isInstanceOfSatisfying(RiffleException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL_FAILURE));
    }

    @Test
    void errorBodiesMapToTheErrorCodeOfTheirNameAndStatus() {
        assertThat(Wire.decodeError(413, Buffer.buffer("{\"error\":{\"code\":\"ValidationException\",\"message\":\"too big\"}}")).code())
                .isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
        assertThat(Wire.decodeError(400, Buffer.buffer("{\"error\":{\"code\":\"ValidationException\",\"message\":\"x\"}}")).code())
                .isEqualTo(ErrorCode.VALIDATION);
        RiffleException notFound = Wire.decodeError(404,
                Buffer.buffer("{\"error\":{\"code\":\"ResourceNotFoundException\",\"message\":\"Stream s not found\"}}"));
        assertThat(notFound.code()).isEqualTo(ErrorCode.RESOURCE_NOT_FOUND);
        assertThat(notFound.getMessage()).isEqualTo("Stream s not found");
        assertThat(Wire.decodeError(503, Buffer.buffer("<html>busy</html>")).code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
        assertThat(Wire.decodeError(429, Buffer.buffer("")).code()).isEqualTo(ErrorCode.PROVISIONED_THROUGHPUT_EXCEEDED);
    }

    @Test
    void recordFramesDecodeIntoRecordsOfTheirShard() {
        Buffer frame = Buffer.buffer("{\"type\":\"records\",\"shardId\":\"shardId-000000000002\",\"records\":["
                + "{\"sequenceNumber\":\"7\",\"partitionKey\":\"k\",\"data\":\"aGk=\",\"approximateArrivalTimestamp\":1700000000123}],"
                + "\"millisBehindLatest\":5,\"continuationSequenceNumber\":\"7\"}");
        Wire.Frame f = Wire.decodeFrame(frame);
        assertThat(f.type()).isEqualTo("records");
        assertThat(f.millisBehindLatest()).isEqualTo(5);
        assertThat(f.continuationSequenceNumber()).contains("7");
        assertThat(f.records()).singleElement().satisfies(r -> {
            assertThat(r.shardId()).isEqualTo("shardId-000000000002");
            assertThat(r.sequenceNumber()).isEqualTo("7");
            assertThat(new String(r.data(), StandardCharsets.UTF_8)).isEqualTo("hi");
            assertThat(r.arrival()).isEqualTo(Instant.ofEpochMilli(1700000000123L));
        });
    }

    @Test
    void heartbeatsCarryNoRecords() {
        Wire.Frame f = Wire.decodeFrame(Buffer.buffer("{\"type\":\"heartbeat\"}"));
        assertThat(f.records()).isEmpty();
        assertThat(f.error()).isEmpty();
    }

    @Test
    void arrivalTimestampsAreReadInEveryDocumentedForm() {
        assertThat(Wire.instant(Wire.parse(Buffer.buffer("1.441215410867E9")))).isEqualTo(Instant.ofEpochMilli(1441215410867L));
        assertThat(Wire.instant(Wire.parse(Buffer.buffer("\"2026-11-25T21:00:00Z\"")))).isEqualTo(Instant.parse("2026-11-25T21:00:00Z"));
    }

    @Test
    void malformedJsonFromTheNodeIsASerializationError() {
        assertThatThrownBy(() -> Wire.decodeFrame(Buffer.buffer("{nope")))
                .isInstanceOfSatisfying(RiffleException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SERIALIZATION));
    }

    @Test
    void resumedSubscriptionsStartJustAfterTheLastReceivedRecordOfEachShard() {
        ResumePositions p = new ResumePositions(StartPosition.TRIM_HORIZON);
        assertThat(p.query()).isEqualTo("from=TRIM_HORIZON");
        p.received("shardId-000000000000", "10");
        p.received("shardId-000000000001", "20");
        p.received("shardId-000000000000", "11");
        assertThat(p.query())
                .isEqualTo("from=TRIM_HORIZON&positions=shardId-000000000000:11,shardId-000000000001:20");
    }

    @Test
    void aLatestSubscriptionResumesShardsThatWereEmptyFromTrimHorizon() {
        ResumePositions p = new ResumePositions(StartPosition.LATEST);
        p.heard("shardId-000000000001", Optional.empty());
        assertThat(p.query()).isEqualTo("from=TRIM_HORIZON");
        p.heard("shardId-000000000000", Optional.of("7"));
        assertThat(p.query()).isEqualTo("from=TRIM_HORIZON&positions=shardId-000000000000:7");
    }

    @Test
    void aLatestSubscriptionThatHeardNothingResumesAtLatest() {
        ResumePositions p = new ResumePositions(StartPosition.LATEST);
        assertThat(p.query()).isEqualTo("from=LATEST");
        p.heard("shardId-000000000000", Optional.of("7"));
        assertThat(p.query()).isEqualTo("from=LATEST&positions=shardId-000000000000:7");
    }

    @Test
    void aContinuationNeverMovesAShardBackwards() {
        ResumePositions p = new ResumePositions(StartPosition.afterSequenceNumbers(Map.of("shardId-000000000000", "100")));
        p.continuation("shardId-000000000000", "99");
        assertThat(p.query()).isEqualTo("from=AFTER_SEQUENCE_NUMBER&positions=shardId-000000000000:100");
        p.continuation("shardId-000000000000", "1000");
        assertThat(p.query()).endsWith("shardId-000000000000:1000");
    }
}
