package io.riffle.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private static Backoff withRandom(double r) {
        return new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2), () -> r);
    }

    @Test
    void delaysDoubleFromTheBaseWithTheLowestJitter() {
        Backoff b = withRandom(0.0);
        assertThat(b.delayMillis(1)).isEqualTo(50);
        assertThat(b.delayMillis(2)).isEqualTo(100);
        assertThat(b.delayMillis(3)).isEqualTo(200);
        assertThat(b.delayMillis(4)).isEqualTo(400);
    }

    @Test
    void delaysReachTheCeilingWithTheHighestJitter() {
        Backoff b = withRandom(0.999999);
        assertThat(b.delayMillis(1)).isEqualTo(100);
        assertThat(b.delayMillis(3)).isEqualTo(400);
    }

    @Test
    void delaysNeverExceedTheMaximumEvenAfterManyRetries() {
        assertThat(withRandom(0.999999).delayMillis(64)).isEqualTo(2000);
        assertThat(withRandom(0.0).delayMillis(1000)).isEqualTo(1000);
    }

    @Test
    void jitterSpreadsDelaysBetweenHalfAndAllOfTheCeiling() {
        Backoff b = Backoff.defaults();
        for (int i = 0; i < 1000; i++) {
            assertThat(b.delayMillis(3)).isBetween(100L, 200L);
        }
    }

    @Test
    void retriesCountFromOne() {
        assertThatThrownBy(() -> withRandom(0.5).delayMillis(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aCeilingBelowTheBaseIsRefused() {
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), () -> 0.5))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
