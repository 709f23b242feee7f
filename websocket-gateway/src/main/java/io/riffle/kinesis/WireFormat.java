package io.riffle.kinesis;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/**
 * The two body encodings of the Kinesis API, AWS JSON 1.1 and AWS CBOR 1.1, and how each carries blobs and
 * timestamps. Answers go out in the encoding the request came in.
 *
 * <p>Answers are built as plain values: {@code Map<String, ?>} (ordered; null values are left out),
 * {@code Collection}, {@code String}, {@code Number}, {@code Boolean}, {@code byte[]} (a blob) and
 * {@link Instant} (a timestamp). Blobs are base64 strings in JSON and byte strings (major type 2) in CBOR.
 * Timestamps are epoch seconds with a fraction in JSON, and tag 1 followed by an integer of epoch
 * milliseconds in CBOR (the AWS SDK for Java reads CBOR timestamps as milliseconds and fails on floats).
 */
public enum WireFormat {
    // Floats as BigDecimal: 1e400 stays a number (not Infinity) and 2.0000000000000001 stays not an integer.
    JSON("application/x-amz-json-1.1", new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)),
    CBOR("application/x-amz-cbor-1.1", new ObjectMapper(new CBORFactory()));

    private static final BigDecimal MAX_MILLIS = BigDecimal.valueOf(Long.MAX_VALUE);
    private final String contentType;
    private final ObjectMapper mapper;

    WireFormat(String contentType, ObjectMapper mapper) {
        this.contentType = contentType;
        this.mapper = mapper;
    }

    public String contentType() {
        return contentType;
    }

    /** The encoding a Content-Type names: CBOR for {@code application/x-amz-cbor-1.1}, JSON otherwise. */
    public static WireFormat of(String contentTypeHeader) {
        return contentTypeHeader != null && contentTypeHeader.toLowerCase().startsWith(CBOR.contentType) ? CBOR : JSON;
    }

    /**
     * Parses a request body. Fails with SERIALIZATION if it is empty (AWS clients send at least {@code {}})
     * or unparsable.
     */
    public JsonNode parse(Buffer body) {
        if (body == null || body.length() == 0) {
            throw new RiffleException(ErrorCode.SERIALIZATION, "Start of structure or map expected, found an empty body");
        }
        try {
            JsonNode node = mapper.readTree(body.getBytes());
            if (node == null || node.isMissingNode() || !node.isObject()) {
                throw new RiffleException(ErrorCode.SERIALIZATION, "Start of structure or map expected");
            }
            return node;
        } catch (IOException e) {
            throw new RiffleException(ErrorCode.SERIALIZATION, "Unable to parse the request body as " + name());
        }
    }

    /**
     * A timestamp field as epoch milliseconds: in CBOR an integer of milliseconds (tag 1 is dropped by the
     * parser), in JSON a number of seconds with an optional fraction.
     */
    public long timestampMillis(String field, JsonNode node) {
        if (!node.isNumber() || (node.isFloatingPointNumber() && !node.isBigDecimal() && !Double.isFinite(node.doubleValue()))) {
            throw KinesisRequest.serialization(node, "a Timestamp");
        }
        BigDecimal millis = this == CBOR && node.isIntegralNumber() ? new BigDecimal(node.bigIntegerValue())
                : node.decimalValue().movePointRight(3);
        // Far past and far future (1e300, -1e300, a 20-digit CBOR integer) are instants AWS answers about,
        // not parse errors: clamp them to what a long of epoch millis holds, never overflow.
        if (millis.compareTo(MAX_MILLIS) > 0) {
            return Long.MAX_VALUE;
        }
        return millis.signum() < 0 ? 0 : millis.longValue();
    }

    /** Encodes an answer value (see the class comment for the types it takes). */
    public Buffer write(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = mapper.getFactory().createGenerator(out)) {
            writeValue(g, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Buffer.buffer(out.toByteArray());
    }

    private void writeValue(JsonGenerator g, Object value) throws IOException {
        if (value instanceof Optional<?> o) {
            writeValue(g, o.orElse(null));
        } else if (value == null) {
            g.writeNull();
        } else if (value instanceof Map<?, ?> map) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                Object v = e.getValue() instanceof Optional<?> o ? o.orElse(null) : e.getValue();
                if (v != null) {
                    g.writeFieldName(e.getKey().toString());
                    writeValue(g, v);
                }
            }
            g.writeEndObject();
        } else if (value instanceof Collection<?> list) {
            g.writeStartArray();
            for (Object item : list) {
                writeValue(g, item);
            }
            g.writeEndArray();
        } else if (value instanceof byte[] blob) {
            g.writeBinary(blob);
        } else if (value instanceof Instant t) {
            if (g instanceof CBORGenerator cbor) {
                cbor.writeTag(1);
                cbor.writeNumber(t.toEpochMilli());
            } else {
                g.writeNumber(BigDecimal.valueOf(t.toEpochMilli(), 3));
            }
        } else if (value instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (value instanceof Integer i) {
            g.writeNumber(i);
        } else if (value instanceof Long l) {
            g.writeNumber(l);
        } else if (value instanceof Enum<?> e) {
            g.writeString(e.name());
        } else {
            g.writeString(value.toString());
        }
    }
}
