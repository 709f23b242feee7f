package io.riffle.gateway.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.riffle.stream.PutOutcome;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The native batch put's answer, {@code {"failedRecordCount":N,"records":[...]}}, written with Jackson's
 * streaming generator: one {@code JsonObject} per record serialized through databind's map serializer was
 * most of the answer's cost on the put path (load-tests/RESULTS.md). The bytes are the ones
 * {@code JsonObject.encode()} gave, field for field.
 */
final class PutAnswers {
    private static final JsonFactory JSON = new JsonFactory();
    /** About what one accepted record's answer takes: the shard id, a 38-digit sequence number, the names. */
    private static final int BYTES_PER_RECORD = 96;

    private PutAnswers() {
    }

    static Buffer batch(List<PutOutcome> outcomes) {
        int failed = 0;
        for (PutOutcome o : outcomes) {
            if (o instanceof PutOutcome.Rejected) {
                failed++;
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(32 + outcomes.size() * BYTES_PER_RECORD);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("failedRecordCount", failed);
            g.writeArrayFieldStart("records");
            for (PutOutcome o : outcomes) {
                g.writeStartObject();
                if (o instanceof PutOutcome.Rejected r) {
                    g.writeStringField("errorCode", r.code().wireName());
                    g.writeStringField("errorMessage", r.message());
                } else {
                    PutOutcome.Accepted a = (PutOutcome.Accepted) o;
                    g.writeStringField("shardId", a.shardId().toString());
                    g.writeStringField("sequenceNumber", a.sequenceNumber().wire());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("Writing JSON to memory cannot fail", e);
        }
        return Buffer.buffer(out.toByteArray());
    }
}
