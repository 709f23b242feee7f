package io.riffle.model;


/** A validated stream name: {@code [a-zA-Z0-9_.-]{1,128}}. */
public record StreamName(String value) implements Comparable<StreamName> {
    public StreamName {
        requireName(Constraints.STREAM_NAME, value);
    }

    public static StreamName of(String value) {
        return new StreamName(value);
    }

    /** Validates a stream or consumer name, failing with a Kinesis-shaped ValidationException. */
    static void requireName(Constraint constraint, String value) {
        constraint.required().require(value);
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
