package io.riffle.model;

/** A registered enhanced fan-out consumer: its name and registration time (epoch milliseconds). */
public record ConsumerDescription(ConsumerName name, long createdMillis) {
}
