package io.riffle.gateway.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.riffle.model.Limits;
import io.riffle.stream.PutEntry;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.jackson.JacksonCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Reads a native batch put body ({@code {"records":[...]}}) straight from the bytes into {@link PutEntry}s,
 * without building a {@code JsonObject} per record: the profile in load-tests/RESULTS.md (issue #14) found
 * the tree parse the largest single cost of the put path.
 *
 * <p>It handles only the plain, valid shape: string fields, no nulls, no repeated field, the {@code json}
 * form excepted. Anything else, valid or not, goes to {@link NativeApi#batchEntries}, the tree parser, which
 * stays the one definition of what a batch means and of every error it answers: so both paths accept the
 * same bodies with the same records and refuse the same bodies with the same errors.
 */
final class BatchPutParser {
    /** The body is not the plain shape: let the tree parser decide. Thrown without a stack: it is not a fault. */
    private static final class NotPlain extends RuntimeException {
        NotPlain() {
            super(null, null, false, false);
        }
    }

    private static final NotPlain NOT_PLAIN = new NotPlain();

    private BatchPutParser() {
    }

    /** The body's entries, or the error of the first fault the tree parser finds. */
    static List<PutEntry> entries(Buffer body) {
        return plain(body).orElseGet(() -> NativeApi.batchEntries(Requests.jsonBody(body)));
    }

    /** The entries of a plain, valid body; empty for anything else. */
    static Optional<List<PutEntry>> plain(Buffer body) {
        if (body == null || body.length() == 0) {
            return Optional.empty();
        }
        try (JsonParser p = JacksonCodec.createParser(body)) {
            return Optional.of(plain(p));
        } catch (IOException | RuntimeException notPlain) {
            // Not the plain shape, or a bad value (key, base64, sizes): the tree parser names the fault.
            return Optional.empty();
        }
    }

    private static List<PutEntry> plain(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw NOT_PLAIN;
        }
        List<PutEntry> entries = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (!"records".equals(field)) {
                p.skipChildren(); // ignored, as by the tree parser
            } else if (entries == null && value == JsonToken.START_ARRAY) {
                entries = records(p);
            } else {
                throw NOT_PLAIN;
            }
        }
        if (entries == null || p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
            throw NOT_PLAIN;
        }
        return entries;
    }

    private static List<PutEntry> records(JsonParser p) throws IOException {
        List<PutEntry> entries = new ArrayList<>();
        long total = 0;
        while (p.nextToken() == JsonToken.START_OBJECT) {
            PutEntry e = entry(p);
            total += Limits.billedBytes(e.partitionKey(), e.data().length);
            entries.add(e);
            if (entries.size() > Limits.PUT_RECORDS_MAX_ENTRIES) {
                throw NOT_PLAIN;
            }
        }
        if (p.currentToken() != JsonToken.END_ARRAY || entries.isEmpty() || total > Limits.PUT_RECORDS_MAX_BYTES) {
            throw NOT_PLAIN;
        }
        return entries;
    }

    private static PutEntry entry(JsonParser p) throws IOException {
        String key = null;
        String explicitHashKey = null;
        byte[] data = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "partitionKey" -> key = once(key, text(p, value));
                case "explicitHashKey" -> explicitHashKey = once(explicitHashKey, text(p, value));
                case "data" -> data = once(data, Base64.getDecoder().decode(text(p, value)));
                case "text" -> data = once(data, text(p, value).getBytes(StandardCharsets.UTF_8));
                case "json" -> throw NOT_PLAIN; // its re-encoding is the tree parser's
                default -> p.skipChildren();
            }
        }
        if (key == null || data == null) {
            throw NOT_PLAIN;
        }
        return new PutEntry(key, Optional.ofNullable(explicitHashKey), data);
    }

    private static String text(JsonParser p, JsonToken value) throws IOException {
        if (value != JsonToken.VALUE_STRING) {
            throw NOT_PLAIN;
        }
        return p.getText();
    }

    /** A field given twice (or data given as two of data/text): the tree parser's rules decide. */
    private static <T> T once(T before, T value) {
        if (before != null) {
            throw NOT_PLAIN;
        }
        return value;
    }
}
