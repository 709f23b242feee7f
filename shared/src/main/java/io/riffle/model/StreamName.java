package io.riffle.model;

import io.riffle.error.RiffleException;
import java.util.regex.Pattern;

/** A validated stream name: {@code [a-zA-Z0-9_.-]{1,128}}. */
public record StreamName(String value) implements Comparable<StreamName> {
    static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_.-]{1,128}");

    public StreamName {
        requireName("streamName", value);
    }

    public static StreamName of(String value) {
        return new StreamName(value);
    }

    /** Validates a stream or consumer name, failing with a Kinesis-shaped ValidationException. */
    static void requireName(String field, String value) {
        if (value == null) {
            throw RiffleException.validation("1 validation error detected: Value null at '" + field
                    + "' failed to satisfy constraint: Member must not be null");
        }
        if (value.isEmpty() || value.length() > 128) {
            throw RiffleException.constraint(field, value, "have length less than or equal to 128 and greater than or equal to 1");
        }
        if (!NAME.matcher(value).matches()) {
            throw RiffleException.constraint(field, value, "satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
        }
    }

    @Override
    public int compareTo(StreamName o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
