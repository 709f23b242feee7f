package io.riffle.model;

/** A validated enhanced fan-out consumer name: {@code [a-zA-Z0-9_.-]{1,128}}. */
public record ConsumerName(String value) {
    public ConsumerName {
        StreamName.requireName(Constraints.CONSUMER_NAME, value);
    }

    public static ConsumerName of(String value) {
        return new ConsumerName(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
