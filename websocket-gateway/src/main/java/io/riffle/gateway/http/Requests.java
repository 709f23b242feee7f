package io.riffle.gateway.http;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.model.SequenceNumber;
import io.riffle.model.ShardId;
import io.riffle.stream.ReadFrom;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;

/**
 * Reading native API requests: JSON bodies, typed fields and query parameters, failing with the Kinesis
 * error type a bad value deserves (SerializationException for unparsable input, ValidationException for
 * values that break a constraint). Shared by the HTTP and WebSocket handlers.
 */
public final class Requests {
    private static final Instant MIN_TIMESTAMP = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant MAX_TIMESTAMP = Instant.parse("9999-12-31T23:59:59.999Z");

    private Requests() {
    }

    /** The body as a JSON object. */
    public static JsonObject jsonBody(RoutingContext ctx) {
        return jsonBody(ctx.body().buffer());
    }

    /** {@link #jsonBody(RoutingContext)} of a body already taken. */
    static JsonObject jsonBody(Buffer body) {
        if (body == null || body.length() == 0) {
            throw new RiffleException(ErrorCode.SERIALIZATION, "The request body is empty; a JSON object is expected");
        }
        try {
            Object parsed = Json.decodeValue(body);
            if (parsed instanceof JsonObject o) {
                return o;
            }
        } catch (DecodeException e) {
            throw new RiffleException(ErrorCode.SERIALIZATION, "The request body is not valid JSON: " + shortMessage(e));
        }
        throw new RiffleException(ErrorCode.SERIALIZATION, "The request body must be a JSON object");
    }

    private static String shortMessage(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl > 0 ? m.substring(0, nl) : m;
    }

    public static Optional<String> string(JsonObject o, String field) {
        return string(o, field, field);
    }

    /** The string at {@code key}, named {@code field} in error messages. */
    public static Optional<String> string(JsonObject o, String key, String field) {
        Object v = o.getValue(key);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof String s)) {
            throw RiffleException.constraint(field, v, "be a string");
        }
        return Optional.of(s);
    }

    /**
     * An integer field. Only a JSON integer literal counts: Jackson reads {@code 2.0000000000000001}, {@code 2.0}
     * and {@code 1e1} as doubles that happen to be whole, so a fraction or exponent is refused by type rather
     * than by value.
     */
    public static Optional<Integer> integer(JsonObject o, String field) {
        Object v = o.getValue(field);
        if (v == null) {
            return Optional.empty();
        }
        if ((v instanceof Integer || v instanceof Long) && Math.abs(((Number) v).longValue()) <= Integer.MAX_VALUE) {
            return Optional.of(((Number) v).intValue());
        }
        throw RiffleException.constraint(field, v, "be an integer");
    }

    /** An enum value given by name, case-insensitive. */
    public static <E extends Enum<E>> E enumValue(Class<E> type, String field, String value) {
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            StringBuilder allowed = new StringBuilder();
            for (E c : type.getEnumConstants()) {
                allowed.append(allowed.length() == 0 ? "" : ", ").append(c.name());
            }
            throw RiffleException.constraint(field, value, "satisfy enum value set: [" + allowed + "]");
        }
    }

    /** A query parameter parsed as an integer in [min, max], or the default when absent. */
    public static int intParam(RoutingContext ctx, String name, int min, int max, int dflt) {
        String v = ctx.queryParams().get(name);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw RiffleException.constraint(name, v, "have value less than or equal to " + max
                + " and greater than or equal to " + min);
    }

    /** A shard id path or query value: malformed is a ValidationException, unknown a 404. */
    public static ShardId shardId(String streamName, String value) {
        return ShardId.parse("shardId", value).orElseThrow(
                () -> RiffleException.notFound("Shard " + value + " in stream " + streamName + " does not exist"));
    }

    /** Where a read starts, as a Kinesis iterator type names it. */
    public enum StartType {
        TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, AT_TIMESTAMP
    }

    /**
     * Builds a starting position for one shard.
     *
     * @param sequenceNumber needed for AT_/AFTER_SEQUENCE_NUMBER; must belong to {@code shard}
     * @param timestamp      needed for AT_TIMESTAMP: epoch milliseconds or ISO-8601
     */
    public static ReadFrom readFrom(StartType type, ShardId shard, String sequenceNumber, String timestamp) {
        return switch (type) {
            case TRIM_HORIZON -> new ReadFrom.TrimHorizon();
            case LATEST -> new ReadFrom.Latest();
            case AT_SEQUENCE_NUMBER -> ReadFrom.at(shard, sequenceNumber(sequenceNumber, type));
            case AFTER_SEQUENCE_NUMBER -> ReadFrom.after(shard, sequenceNumber(sequenceNumber, type));
            case AT_TIMESTAMP -> new ReadFrom.AtTimestamp(timestampMillis(timestamp));
        };
    }

    private static SequenceNumber sequenceNumber(String sequenceNumber, StartType type) {
        if (sequenceNumber == null || sequenceNumber.isEmpty()) {
            throw RiffleException.invalidArgument("A sequenceNumber is required when from is " + type);
        }
        return SequenceNumber.parse("sequenceNumber", sequenceNumber);
    }

    /**
     * Epoch milliseconds, from a decimal number of milliseconds or an ISO-8601 instant, within the years
     * 0001 to 9999 (what a four-digit ISO year holds), so no later arithmetic on it can overflow.
     */
    public static long timestampMillis(String timestamp) {
        if (timestamp == null || timestamp.isEmpty()) {
            throw RiffleException.invalidArgument("A timestamp is required when from is AT_TIMESTAMP");
        }
        long millis;
        try {
            millis = Long.parseLong(timestamp);
        } catch (NumberFormatException notMillis) {
            try {
                millis = Instant.parse(timestamp).toEpochMilli();
            } catch (DateTimeParseException | ArithmeticException e) {
                millis = Long.MIN_VALUE;
            }
        }
        if (millis < MIN_TIMESTAMP.toEpochMilli() || millis > MAX_TIMESTAMP.toEpochMilli()) {
            throw RiffleException.constraint("timestamp", timestamp, "be epoch milliseconds or an ISO-8601 instant "
                    + "such as 2026-01-31T12:00:00Z, from " + MIN_TIMESTAMP + " to " + MAX_TIMESTAMP);
        }
        return millis;
    }
}
