package io.riffle.throttle;

import io.riffle.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
    private final MutableClock clock = new MutableClock(1_000_000);

    private int takeAll(TokenBucket bucket, int attempts) {
        int taken = 0;
        for (int i = 0; i < attempts; i++) {
            if (bucket.tryTake(1)) {
                taken++;
            }
        }
        return taken;
    }

    @Test
    void exactlyTheRatePassesPerSecond() {
        TokenBucket bucket = new TokenBucket(1000, clock);
        assertThat(takeAll(bucket, 5000)).isEqualTo(1000);
        clock.advance(1000);
        assertThat(takeAll(bucket, 5000)).isEqualTo(1000);
    }

    @Test
    void refillIsContinuous() {
        TokenBucket bucket = new TokenBucket(1000, clock);
        takeAll(bucket, 1000);
        clock.advance(250);
        assertThat(takeAll(bucket, 5000)).isEqualTo(250);
        clock.advance(1);
        assertThat(takeAll(bucket, 5000)).isEqualTo(1);
    }

    @Test
    void idleTimeNeverStoresMoreThanOneSecond() {
        TokenBucket bucket = new TokenBucket(5, clock);
        clock.advance(3_600_000);
        assertThat(takeAll(bucket, 100)).isEqualTo(5);
    }

    @Test
    void requestLargerThanBucketPassesWhenFullAndLeavesDebt() {
        TokenBucket bucket = new TokenBucket(2 << 20, clock);
        assertThat(bucket.tryTake(10 << 20)).isTrue();
        assertThat(bucket.hasTokens()).isFalse();
        clock.advance(4000);
        assertThat(bucket.hasTokens()).isFalse();
        clock.advance(1001);
        assertThat(bucket.hasTokens()).isTrue();
    }

    @Test
    void chargeGoesIntoDebtAndMillisUntilSaysWhenItIsPaid() {
        TokenBucket bucket = new TokenBucket(1000, clock);
        bucket.charge(1500);
        assertThat(bucket.canTake(1)).isFalse();
        assertThat(bucket.millisUntil(1)).isEqualTo(501);
        clock.advance(501);
        assertThat(bucket.canTake(1)).isTrue();
    }

    @Test
    void zeroRateIsUnlimited() {
        TokenBucket bucket = new TokenBucket(0, clock);
        assertThat(takeAll(bucket, 100_000)).isEqualTo(100_000);
        assertThat(bucket.millisUntil(1)).isZero();
    }

    @Test
    void canTakeDoesNotConsume() {
        TokenBucket bucket = new TokenBucket(1, clock);
        assertThat(bucket.canTake(1)).isTrue();
        assertThat(bucket.canTake(1)).isTrue();
        assertThat(bucket.tryTake(1)).isTrue();
        assertThat(bucket.canTake(1)).isFalse();
    }
}
