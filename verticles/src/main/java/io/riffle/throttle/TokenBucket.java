package io.riffle.throttle;

import java.time.Clock;

/**
 * A token bucket refilled continuously at {@code ratePerSecond}, holding at most one second's worth.
 * A rate of 0 means "no limit". A request larger than the whole bucket is let through when the bucket
 * is full and leaves it in debt, so later requests wait until the debt is paid: that is how Kinesis
 * treats a 10 MiB GetRecords answer (the next 5 s of a 2 MiB/s shard are throttled).
 *
 * <p>Not thread-safe: owned by one shard verticle. Time comes from the injected {@link Clock}.
 */
public final class TokenBucket {
    private final Clock clock;
    private long ratePerSecond;
    /** Tokens in thousandths, so refill at any rate stays exact with millisecond time. */
    private long milliTokens;
    private long lastRefillMillis;

    public TokenBucket(long ratePerSecond, Clock clock) {
        this.clock = clock;
        this.lastRefillMillis = clock.millis();
        setRate(ratePerSecond);
    }

    /** Changes the rate; the bucket starts full at the new rate. */
    public void setRate(long newRatePerSecond) {
        if (newRatePerSecond < 0) {
            throw new IllegalArgumentException("rate must be >= 0: " + newRatePerSecond);
        }
        this.ratePerSecond = newRatePerSecond;
        this.milliTokens = newRatePerSecond * 1000;
        this.lastRefillMillis = clock.millis();
    }

    public boolean isUnlimited() {
        return ratePerSecond == 0;
    }

    /** Takes {@code n} tokens if they are there (or the bucket is full); returns whether it did. */
    public boolean tryTake(long n) {
        if (!canTake(n)) {
            return false;
        }
        if (!isUnlimited()) {
            milliTokens -= n * 1000;
        }
        return true;
    }

    /**
     * Whether {@link #tryTake(long)} would succeed now; lets a caller check several buckets before
     * taking from any, so a refused record costs nothing.
     */
    public boolean canTake(long n) {
        if (isUnlimited()) {
            return true;
        }
        refill();
        long needed = n * 1000;
        long capacity = ratePerSecond * 1000;
        return milliTokens >= needed || (needed > capacity && milliTokens >= capacity);
    }

    /** Whether any token is available now (the bucket is not empty or in debt). */
    public boolean hasTokens() {
        if (isUnlimited()) {
            return true;
        }
        refill();
        return milliTokens > 0;
    }

    /** Takes {@code n} tokens unconditionally, possibly going into debt (bytes already served). */
    public void charge(long n) {
        if (!isUnlimited()) {
            refill();
            milliTokens -= n * 1000;
        }
    }

    /** Milliseconds until {@code n} tokens are available (0 if now), for Retry-After hints. */
    public long millisUntil(long n) {
        if (isUnlimited()) {
            return 0;
        }
        refill();
        long missing = Math.min(n, ratePerSecond) * 1000 - milliTokens;
        return missing <= 0 ? 0 : (missing + ratePerSecond - 1) / ratePerSecond;
    }

    private void refill() {
        long now = clock.millis();
        long elapsed = now - lastRefillMillis;
        if (elapsed > 0) {
            long capacity = ratePerSecond * 1000;
            // elapsed ms * rate tokens/s = elapsed * rate milli-tokens; saturate instead of overflowing
            long added = elapsed > Long.MAX_VALUE / 4 / ratePerSecond ? Long.MAX_VALUE / 4 : elapsed * ratePerSecond;
            milliTokens = Math.min(capacity, milliTokens + Math.min(added, capacity - milliTokens));
            lastRefillMillis = now;
        }
    }
}
