package io.riffle.client;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with "equal jitter": before retry {@code n} (1 for the first retry) the client waits
 * a random time in {@code [c/2, c]} where {@code c = min(max, base * 2^(n-1))}. Half of the delay grows
 * for sure, so retries spread out; the random half keeps many throttled clients from retrying in step.
 *
 * @param base   the ceiling of the first retry's delay
 * @param max    the ceiling of every delay
 * @param random a source of uniform numbers in [0, 1); tests pass a fixed one
 */
public record Backoff(Duration base, Duration max, DoubleSupplier random) {
    public Backoff {
        if (base.isNegative() || base.isZero() || max.compareTo(base) < 0) {
            throw new IllegalArgumentException("Backoff needs 0 < base <= max, got base " + base + ", max " + max);
        }
    }

    /** 50 ms doubling up to 2 s, with {@link Math#random()}. */
    public static Backoff defaults() {
        return new Backoff(Duration.ofMillis(50), Duration.ofSeconds(2), Math::random);
    }

    /** The delay in milliseconds before retry number {@code retry} (1-based). */
    public long delayMillis(int retry) {
        if (retry < 1) {
            throw new IllegalArgumentException("Retries count from 1, got " + retry);
        }
        long ceiling = max.toMillis();
        int shift = Math.min(retry - 1, 30);
        long exp = base.toMillis() << shift;
        if (exp > 0 && exp < ceiling) {
            ceiling = exp;
        }
        long half = ceiling / 2;
        return half + (long) (random.getAsDouble() * (ceiling - half + 1));
    }
}
