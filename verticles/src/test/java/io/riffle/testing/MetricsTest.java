package io.riffle.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The tests' Prometheus lookups: a missing series is an error, never a 0. */
class MetricsTest {
    private static final String TEXT = """
            # HELP riffle_subscribers Live subscriptions
            # TYPE riffle_subscribers gauge
            riffle_subscribers{consumer="app",shard="shardId-000000000000",stream="s"} 1.0
            riffle_subscribers{consumer="app",shard="shardId-000000000001",stream="s"} 2.0
            riffle_subscribers{consumer="other",shard="shardId-000000000000",stream="s,\\"t\\""} 4.0
            riffle_subscription_timers 3.0
            """;

    @Test
    void aSeriesIsFoundByNameAndAnySubsetOfItsLabels() {
        assertThat(Metrics.value(TEXT, "riffle_subscribers", "stream", "s", "shard", "shardId-000000000001")).isEqualTo(2.0);
        assertThat(Metrics.value(TEXT, "riffle_subscription_timers")).isEqualTo(3.0);
        assertThat(Metrics.value(TEXT, "riffle_subscribers", "stream", "s,\"t\"")).isEqualTo(4.0);
    }

    @Test
    void aSumAddsEveryMatchingSeries() {
        assertThat(Metrics.sum(TEXT, "riffle_subscribers", "consumer", "app")).isEqualTo(3.0);
        assertThat(Metrics.sum(TEXT, "riffle_subscribers")).isEqualTo(7.0);
    }

    @Test
    void aMissingMetricOrSeriesIsAnErrorNotZero() {
        assertThatThrownBy(() -> Metrics.sum(TEXT, "riffle_outgoing_records_total", "stream", "s"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("no metric of that name");
        assertThatThrownBy(() -> Metrics.sum(TEXT, "riffle_subscribers", "stream", "gone"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("shardId-000000000001");
        // A name that only prefixes a real one is not it.
        assertThatThrownBy(() -> Metrics.sum(TEXT, "riffle_subscription")).isInstanceOf(AssertionError.class);
    }

    @Test
    void aValueNeedsExactlyOneSeries() {
        assertThatThrownBy(() -> Metrics.value(TEXT, "riffle_subscribers", "consumer", "app"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("2 series match");
    }
}
