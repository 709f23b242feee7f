package io.riffle.client;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The JSON shapes of Riffle's native API (issue #3), encoded and decoded in one place. Pure functions of
 * bytes, so the protocol is tested without a node.
 */
final class Wire {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory FACTORY = JSON.getFactory();

    private Wire() {
    }

    /** One record's answer in a put response: stored, or refused with an error. */
    sealed interface PutAnswer permits Stored, Refused {
    }

    record Stored(String shardId, String sequenceNumber) implements PutAnswer {
    }

    record Refused(RiffleException error) implements PutAnswer {
    }

    /** A pushed subscription frame: records of one shard, or a heartbeat or an error notice. */
    record Frame(String type, Optional<String> shardId, List<Record> records,
                 Optional<String> continuationSequenceNumber, long millisBehindLatest,
                 Optional<RiffleException> error) {
    }

    /** {@code {"records":[{"partitionKey","data"(base64)[,"explicitHashKey"]}...]}}. */
    static Buffer encodePut(List<PutScheduler.Entry> entries) {
        int estimate = 16;
        for (PutScheduler.Entry e : entries) {
            estimate += 48 + e.record.partitionKey().length() + e.billedBytes * 4 / 3;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(estimate);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("records");
            for (PutScheduler.Entry e : entries) {
                g.writeStartObject();
                g.writeStringField("partitionKey", e.record.partitionKey());
                g.writeFieldName("data");
                g.writeBinary(e.record.dataUnsafe());
                if (e.record.explicitHashKey().isPresent()) {
                    g.writeStringField("explicitHashKey", e.record.explicitHashKey().get());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return Buffer.buffer(out.toByteArray());
    }

    /**
     * Decodes a 200 put response into one answer per record, in request order. Fails with
     * InternalFailure when the node answered a different number of records than it was sent.
     */
    static List<PutAnswer> decodePut(Buffer body, int expected) {
        JsonNode records = parse(body).path("records");
        if (!records.isArray() || records.size() != expected) {
            throw new RiffleException(ErrorCode.INTERNAL_FAILURE,
                    "Put response has " + records.size() + " results for " + expected + " records");
        }
        List<PutAnswer> answers = new ArrayList<>(expected);
        for (JsonNode r : records) {
            if (r.hasNonNull("errorCode")) {
                answers.add(new Refused(error(r.path("errorCode").asText(), r.path("errorMessage").asText(""), 0)));
            } else {
                answers.add(new Stored(r.path("shardId").asText(), r.path("sequenceNumber").asText()));
            }
        }
        return answers;
    }

    /** Decodes a non-2xx answer {@code {"error":{"code","message"}}}; any other body keeps the status. */
    static RiffleException decodeError(int status, Buffer body) {
        try {
            JsonNode err = parse(body).path("error");
            if (err.hasNonNull("code")) {
                return error(err.path("code").asText(), err.path("message").asText(""), status);
            }
        } catch (RiffleException notJson) {
            // fall through: a proxy or a crash page, keep the status
        }
        return new RiffleException(codeFor(null, status), "HTTP " + status + " from the node");
    }

    /** The error code for a wire name and HTTP status (0 when unknown, as for per-record errors). */
    static ErrorCode codeFor(String wireName, int status) {
        ErrorCode byName = null;
        for (ErrorCode c : ErrorCode.values()) {
            if (c.wireName().equals(wireName)) {
                if (status == 0 || c.httpStatus() == status) {
                    return c;
                }
                byName = byName == null ? c : byName;
            }
        }
        if (byName != null) {
            return byName;
        }
        for (ErrorCode c : ErrorCode.values()) {
            if (c.httpStatus() == status) {
                return c;
            }
        }
        return status == 0 || status >= 500 ? ErrorCode.INTERNAL_FAILURE : ErrorCode.INVALID_ARGUMENT;
    }

    /** A polling read page; the records belong to {@code shardId}. */
    static ReadResult decodeRead(String shardId, Buffer body) {
        JsonNode n = parse(body);
        JsonNode next = n.path("nextSequenceNumber");
        return new ReadResult(records(shardId, n.path("records")),
                next.isTextual() ? Optional.of(next.asText()) : Optional.empty(),
                n.path("millisBehindLatest").asLong(0));
    }

    /** A subscription frame. */
    static Frame decodeFrame(Buffer message) {
        JsonNode n = parse(message);
        String type = n.path("type").asText("");
        Optional<String> shardId = text(n, "shardId");
        Optional<RiffleException> error = Optional.empty();
        JsonNode err = n.path("error");
        if (err.isObject()) {
            error = Optional.of(error(err.path("code").asText(""), err.path("message").asText(""), 0));
        }
        List<Record> records = shardId.isPresent() ? records(shardId.get(), n.path("records")) : List.of();
        return new Frame(type, shardId, records, text(n, "continuationSequenceNumber"),
                n.path("millisBehindLatest").asLong(0), error);
    }

    private static List<Record> records(String shardId, JsonNode array) {
        if (!array.isArray()) {
            return List.of();
        }
        List<Record> out = new ArrayList<>(array.size());
        Base64.Decoder b64 = Base64.getDecoder();
        for (JsonNode r : array) {
            out.add(new Record(text(r, "shardId").orElse(shardId), r.path("sequenceNumber").asText(),
                    r.path("partitionKey").asText(), b64.decode(r.path("data").asText("")),
                    instant(r.path("approximateArrivalTimestamp"))));
        }
        return out;
    }

    /**
     * Arrival timestamps: epoch milliseconds as an integer, epoch seconds with a fraction (Kinesis JSON
     * style), or an ISO-8601 string.
     */
    static Instant instant(JsonNode n) {
        if (n.isIntegralNumber()) {
            return Instant.ofEpochMilli(n.asLong());
        }
        if (n.isNumber()) {
            return Instant.ofEpochMilli(Math.round(n.asDouble() * 1000));
        }
        if (n.isTextual()) {
            return Instant.parse(n.asText());
        }
        return Instant.EPOCH;
    }

    private static Optional<String> text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isTextual() ? Optional.of(v.asText()) : Optional.empty();
    }

    private static RiffleException error(String wireName, String message, int status) {
        return new RiffleException(codeFor(wireName, status), message);
    }

    static JsonNode parse(Buffer body) {
        try {
            return JSON.readTree(body.getBytes());
        } catch (IOException e) {
            throw new RiffleException(ErrorCode.SERIALIZATION, "The node sent malformed JSON: " + e.getMessage());
        }
    }
}
