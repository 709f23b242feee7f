package io.riffle.kinesis;

import com.fasterxml.jackson.databind.JsonNode;
import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import java.io.IOException;
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
            throw serialization(name, "structure");
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

    /** The AWS message field name of a wire member: {@code StreamName} becomes {@code streamName}. */
    public static String fieldName(String wireName) {
        return Character.toLowerCase(wireName.charAt(0)) + wireName.substring(1);
    }

    static RiffleException serialization(String name, String expected) {
        return new RiffleException(ErrorCode.SERIALIZATION, "Unexpected value type for " + name + ": expected " + expected);
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
                throw serialization(name, "string");
            }
            return Optional.of(node.textValue());
        }

        public String requiredString() {
            return string().orElseThrow(this::missing);
        }

        public Optional<Integer> integer() {
            if (!present()) {
                return Optional.empty();
            }
            if (!node.isIntegralNumber() || !node.canConvertToInt()) {
                throw serialization(name, "integer");
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
                throw serialization(name, "boolean");
            }
            return Optional.of(node.booleanValue());
        }

        /** A blob: base64 text in JSON, a byte string in CBOR. */
        public byte[] requiredBlob() {
            if (!present()) {
                throw missing();
            }
            if (!node.isBinary() && !node.isTextual()) {
                throw serialization(name, "blob");
            }
            try {
                return node.binaryValue();
            } catch (IOException | IllegalArgumentException e) {
                throw new RiffleException(ErrorCode.SERIALIZATION, "Base64 encoded value expected for " + name);
            }
        }

        /** A timestamp as epoch milliseconds. */
        public Optional<Long> timestampMillis() {
            return present() ? Optional.of(format.timestampMillis(name, node)) : Optional.empty();
        }

        public List<KinesisRequest> structures(String operation) {
            List<KinesisRequest> out = new ArrayList<>();
            for (JsonNode item : list()) {
                if (!item.isObject()) {
                    throw serialization(name, "list of structures");
                }
                out.add(new KinesisRequest(operation, item, format));
            }
            return out;
        }

        public List<String> strings() {
            List<String> out = new ArrayList<>();
            for (JsonNode item : list()) {
                if (!item.isTextual()) {
                    throw serialization(name, "list of strings");
                }
                out.add(item.textValue());
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
                throw serialization(name, "map");
            }
            for (var it = node.fields(); it.hasNext(); ) {
                var e = it.next();
                if (!e.getValue().isTextual()) {
                    throw serialization(name, "map of strings");
                }
                out.put(e.getKey(), e.getValue().textValue());
            }
            return out;
        }

        private Iterable<JsonNode> list() {
            if (!present()) {
                return List.of();
            }
            if (!node.isArray()) {
                throw serialization(name, "list");
            }
            return node;
        }

        public RiffleException missing() {
            return RiffleException.validation("1 validation error detected: Value null at '" + fieldName(name)
                    + "' failed to satisfy constraint: Member must not be null");
        }
    }
}
