package io.riffle.gateway.subscription;

import java.time.Clock;

/**
 * A byte-rate token bucket refilled continuously, holding at most one second of tokens. A take may drive
 * it into debt (so one record bigger than the rate still passes); the owner then waits until
 * {@link #millisUntilAvailable()} before taking again. A rate of 0 turns the limit off.
 *
 * <p>Not thread-safe: one subscription owns it on its own context.
 */
public final class TokenBucket {
    private final long ratePerSecond;
    private final Clock clock;
    private double tokens;
    private long lastRefillMillis;

    public TokenBucket(long ratePerSecond, Clock clock) {
        if (ratePerSecond < 0) {
            throw new IllegalArgumentException("Rate must be 0 (off) or positive: " + ratePerSecond);
        }
        this.ratePerSecond = ratePerSecond;
        this.clock = clock;
        this.tokens = ratePerSecond;
        this.lastRefillMillis = clock.millis();
    }

    /** Whether a take may happen now. */
    public boolean available() {
        return millisUntilAvailable() == 0;
    }

    /** 0 when tokens are available, else how long until they are. */
    public long millisUntilAvailable() {
        if (ratePerSecond == 0) {
            return 0;
        }
        refill();
        return tokens > 0 ? 0 : (long) Math.ceil((1 - tokens) * 1000.0 / ratePerSecond);
    }

    /** Takes {@code n} tokens, possibly going into debt. */
    public void take(long n) {
        if (ratePerSecond == 0) {
            return;
        }
        refill();
        tokens -= n;
    }

    private void refill() {
        long now = clock.millis();
        long elapsed = now - lastRefillMillis;
        if (elapsed > 0) {
            tokens = Math.min(ratePerSecond, tokens + elapsed * (double) ratePerSecond / 1000.0);
            lastRefillMillis = now;
        }
    }
}
