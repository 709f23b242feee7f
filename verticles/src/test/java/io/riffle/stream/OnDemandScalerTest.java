package io.riffle.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.model.ShardId;
import io.riffle.model.StreamDescription;
import io.riffle.testing.MutableClock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ON_DEMAND scaling decisions over write totals, with time moved by hand. */
class OnDemandScalerTest {
    private static final OnDemandSettings SETTINGS = new OnDemandSettings(80, 20, 1_000, 10_000, 60_000, 4);
    private final MutableClock clock = new MutableClock(1_700_000_000_000L);
    private final OnDemandScaler scaler = new OnDemandScaler(SETTINGS);
    private final Map<ShardId, long[]> written = new HashMap<>();

    /** Lets {@code seconds} pass with each shard writing {@code perShard[i]} records/s, and decides at each second. */
    private OnDemandScaler.Decision run(StreamDescription d, int seconds, long... perShard) {
        OnDemandScaler.Decision last = null;
        for (int s = 0; s < seconds; s++) {
            clock.advance(1_000);
            Map<ShardId, OnDemandScaler.ShardTotals> totals = new HashMap<>();
            for (int i = 0; i < d.openShards().size(); i++) {
                long[] t = written.computeIfAbsent(d.openShards().get(i).shardId(), k -> new long[1]);
                t[0] += perShard[Math.min(i, perShard.length - 1)];
                totals.put(d.openShards().get(i).shardId(), new OnDemandScaler.ShardTotals(t[0], t[0] * 100, 0));
            }
            last = scaler.decide(d, totals, clock.millis());
            if (!(last instanceof OnDemandScaler.Decision.None)) {
                return last;
            }
        }
        return last;
    }

    @Test
    void aShardAboveItsShareOfTheLimitSplitsOnceTheCoolDownAfterCreationPassed() {
        StreamDescription d = ReshardingTest.stream(4);
        scaler.decide(d, Map.of(), clock.millis());
        // 900 records/s is 90% of Kinesis's 1000: hot, but a new stream first waits out its cool-down.
        OnDemandScaler.Decision first = run(d, 9, 900, 100);
        assertThat(first).isInstanceOf(OnDemandScaler.Decision.None.class);
        OnDemandScaler.Decision later = run(d, 2, 900, 100);
        assertThat(later).isEqualTo(new OnDemandScaler.Decision.Split(List.of(new ShardId(0))));
    }

    @Test
    void aShardBelowTheThresholdNeverSplitsAndAThrottledOneDoes() {
        StreamDescription d = ReshardingTest.stream(4);
        scaler.decide(d, Map.of(), clock.millis());
        assertThat(run(d, 30, 700)).isInstanceOf(OnDemandScaler.Decision.None.class);
        clock.advance(1_000);
        Map<ShardId, OnDemandScaler.ShardTotals> totals = new HashMap<>();
        d.openShards().forEach(s -> totals.put(s.shardId(), new OnDemandScaler.ShardTotals(0, 0, 0)));
        totals.put(new ShardId(3), new OnDemandScaler.ShardTotals(0, 0, 5));
        scaler.decide(d, totals, clock.millis());
        clock.advance(1_000);
        assertThat(scaler.decide(d, totals, clock.millis())).isInstanceOf(OnDemandScaler.Decision.None.class);
        clock.advance(1_000);
        totals.put(new ShardId(3), new OnDemandScaler.ShardTotals(0, 0, 9));
        assertThat(scaler.decide(d, totals, clock.millis())).isEqualTo(new OnDemandScaler.Decision.Split(List.of(new ShardId(3))));
    }

    @Test
    void coldNeighboursMergeAfterTheirQuietTimeButNeverBelowTheMinimum() {
        StreamDescription six = ReshardingTest.stream(6);
        scaler.decide(six, Map.of(), clock.millis());
        assertThat(run(six, 30, 500, 500, 10, 10, 500, 500)).isInstanceOf(OnDemandScaler.Decision.None.class);
        OnDemandScaler.Decision merge = run(six, 40, 500, 500, 10, 10, 500, 500);
        assertThat(merge).isEqualTo(new OnDemandScaler.Decision.Merge(new ShardId(2), new ShardId(3)));

        StreamDescription four = ReshardingTest.stream(4);
        OnDemandScaler atMinimum = new OnDemandScaler(SETTINGS);
        atMinimum.decide(four, Map.of(), clock.millis());
        clock.advance(200_000);
        assertThat(atMinimum.decide(four, Map.of(), clock.millis())).isInstanceOf(OnDemandScaler.Decision.None.class);
    }

    @Test
    void afterAScalingTheStreamWaitsForTheCoolDown() {
        StreamDescription d = ReshardingTest.stream(4);
        scaler.decide(d, Map.of(), clock.millis());
        clock.advance(20_000);
        scaler.scaled(d.name(), clock.millis());
        assertThat(run(d, 9, 990)).isInstanceOf(OnDemandScaler.Decision.None.class);
        assertThat(run(d, 2, 990)).isInstanceOf(OnDemandScaler.Decision.Split.class);
    }
}
