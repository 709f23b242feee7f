package io.riffle.kinesis;

import com.fasterxml.jackson.databind.JsonNode;
import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.model.Constraint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One parsed Kinesis request: the operation named by {@code X-Amz-Target}, its body, and the encoding
 * to answer in. The typed getters fail the way AWS does: a member of the wrong type is a
 * SerializationException, a missing required one a ValidationException naming the camelCase member.
 */
public record KinesisRequest(String operation, JsonNode body, WireFormat format) {

    /** Reads a member of the body (or of a nested structure) by its wire name. */
    public Member member(String name) {
        return new Member(name, body.get(name), format);
    }

    /** A structure-valued member's own members. */
    public KinesisRequest nested(String name) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            return new KinesisRequest(operation, com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(), format);
        }
        if (!node.isObject()) {
            throw serialization(node, "a Structure");
        }
        return new KinesisRequest(operation, node, format);
    }

    /** A size, never the body: the request may be megabytes of records, and messages quote their values. */
    @Override
    public String toString() {
        return "structure of " + body.size() + " members";
    }

    /** Whether the member is present (and not null). */
    public boolean has(String name) {
        JsonNode node = body.get(name);
        return node != null && !node.isNull();
    }

    /**
     * A string as the client meant it. The parsers refuse bytes that are not UTF-8, but a JSON {@code \\ud800}
     * escape without its pair, or a surrogate encoded in a CBOR text string, would come through as a lone
     * surrogate and be stored as U+FFFD or '?': refused instead, as the same text must hash to the same
     * shard and read back as sent.
     */
    static String wellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new RiffleException(ErrorCode.SERIALIZATION, "Unpaired surrogate (not encodable as UTF-8) in a string at character " + i);
            }
        }
        return s;
    }

    /** The AWS message field name of a wire member: {@code StreamName} becomes {@code streamName}. */
    public static String fieldName(String wireName) {
        return Character.toLowerCase(wireName.charAt(0)) + wireName.substring(1);
    }

    /**
     * A member of the wrong type, worded as AWS words it ({@code class java.lang.String can not be converted
     * to an Integer}, {@code Start of list found where not expected}).
     */
    static RiffleException serialization(JsonNode found, String expected) {
        String message;
        if (found.isArray()) {
            message = "Start of list found where not expected";
        } else if (found.isObject()) {
            message = "Start of structure or map found where not expected.";
        } else {
            String javaType = found.isTextual() ? "java.lang.String" : found.isBoolean() ? "java.lang.Boolean"
                    : found.isBinary() ? "java.nio.ByteBuffer" : found.isIntegralNumber() ? "java.lang.Long" : "java.lang.Double";
            message = "class " + javaType + " can not be converted to " + expected;
        }
        return new RiffleException(ErrorCode.SERIALIZATION, message);
    }

    /** One member's value with typed getters. */
    public record Member(String name, JsonNode node, WireFormat format) {
        public boolean present() {
            return node != null && !node.isNull();
        }

        public Optional<String> string() {
            if (!present()) {
                return Optional.empty();
            }
            if (!node.isTextual()) {
                throw serialization(node, "an String");
            }
            return Optional.of(wellFormed(node.textValue()));
        }

        public String requiredString() {
            return string().orElseThrow(this::missing);
        }

        public Optional<Integer> integer() {
            if (!present()) {
                return Optional.empty();
            }
            // Jackson would coerce 2.5, 2.0000000000000001 or "2" to 2: only an integer token is an Integer.
            if (!node.isIntegralNumber() || !node.canConvertToInt()) {
                throw serialization(node, "an Integer");
            }
            return Optional.of(node.intValue());
        }

        public int requiredInteger() {
            return integer().orElseThrow(this::missing);
        }

        public Optional<Boolean> bool() {
            if (!present()) {
                return Optional.empty();
            }
            if (!node.isBoolean()) {
                throw serialization(node, "an Boolean");
            }
            return Optional.of(node.booleanValue());
        }

        /** A blob: base64 text in JSON, a byte string in CBOR. */
        public byte[] requiredBlob() {
            if (!present()) {
                throw missing();
            }
            if (node.isBinary()) {
                return ((com.fasterxml.jackson.databind.node.BinaryNode) node).binaryValue();
            }
            if (!node.isTextual()) {
                throw serialization(node, "a Blob");
            }
            return StrictBase64.decode(node.textValue());
        }

        /** A timestamp as epoch milliseconds. */
        public Optional<Long> timestampMillis() {
            return present() ? Optional.of(format.timestampMillis(name, node)) : Optional.empty();
        }

        public List<KinesisRequest> structures(String operation) {
            List<KinesisRequest> out = new ArrayList<>();
            for (JsonNode item : list()) {
                if (!item.isObject()) {
                    throw serialization(item, "a Structure");
                }
                out.add(new KinesisRequest(operation, item, format));
            }
            return out;
        }

        public List<String> strings() {
            List<String> out = new ArrayList<>();
            for (JsonNode item : list()) {
                if (!item.isTextual()) {
                    throw serialization(item, "an String");
                }
                out.add(wellFormed(item.textValue()));
            }
            return out;
        }

        /** A map of strings to strings, in wire order. */
        public Map<String, String> stringMap() {
            Map<String, String> out = new LinkedHashMap<>();
            if (!present()) {
                return out;
            }
            if (!node.isObject()) {
                throw new RiffleException(ErrorCode.SERIALIZATION, node.isArray() ? "Start of list found where not expected"
                        : "Expected map or null");
            }
            for (var it = node.fields(); it.hasNext(); ) {
                var e = it.next();
                if (!e.getValue().isTextual()) {
                    throw serialization(e.getValue(), "an String");
                }
                out.put(wellFormed(e.getKey()), wellFormed(e.getValue().textValue()));
            }
            return out;
        }

        private Iterable<JsonNode> list() {
            if (!present()) {
                return List.of();
            }
            if (!node.isArray()) {
                throw new RiffleException(ErrorCode.SERIALIZATION, node.isObject()
                        ? "Start of structure or map found where not expected." : "Expected list or null");
            }
            return node;
        }

        public RiffleException missing() {
            return Constraint.of(fieldName(name), Constraint.notNull()).violations(null).stream()
                    .map(RiffleException::validation).findFirst().orElseThrow();
        }
    }
}
