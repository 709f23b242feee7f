package io.riffle.stream;

import static io.riffle.testing.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.model.HashKeyRange;
import io.riffle.model.ShardId;
import io.riffle.model.StreamMode;
import io.riffle.model.StreamName;
import io.riffle.testing.MutableClock;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.math.BigInteger;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * AWS's rate limits on resharding, with an injected clock: per stream and rolling 24 hours (kept durably,
 * so a restart forgets none) and per account and second.
 */
@ExtendWith(VertxExtension.class)
class ReshardLimitsTest {
    private static final StreamName S = StreamName.of("orders");
    private static final long MINUTE = 60_000L;
    private static final long DAY = 86_400_000L;

    @TempDir
    Path dataDir;
    private final MutableClock clock = new MutableClock(1_700_000_000_000L);
    private DiskEngine engine;

    @BeforeEach
    void start(Vertx vertx) {
        engine = new DiskEngine(vertx, dataDir);
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    private static void assertLimitExceeded(Runnable call, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(RiffleException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
            assertThat(e.getMessage()).contains(message);
        });
    }

    private StreamClient restart() {
        engine.stop();
        return engine.start(clock);
    }

    @Test
    void tenScalingsPerRollingDayAreCountedAcrossARestart() {
        StreamClient c = engine.start(clock);
        await(c.create(CreateStream.of(S.value(), 1)));
        long first = clock.millis();
        for (int i = 0; i < ScalingHistory.MAX_PER_DAY; i++) {
            if (i == 5) {
                c = restart();
            }
            assertThat(await(c.updateShardCount(S, i % 2 == 0 ? 2 : 1, true)).openShards()).hasSize(i % 2 == 0 ? 2 : 1);
            clock.advance(MINUTE);
        }
        StreamClient afterTen = restart();
        assertThat(await(afterTen.describe(S)).dailyChanges().shardCountUpdates()).hasSize(ScalingHistory.MAX_PER_DAY);
        assertLimitExceeded(() -> await(afterTen.updateShardCount(S, 2, true)), "has already been scaled 10 times in the last 24 hours");
        // Over the limit, even a call that would change nothing is refused.
        assertLimitExceeded(() -> await(afterTen.updateShardCount(S, 1, true)), "has already been scaled 10 times");
        clock.advance(first + DAY - clock.millis());
        assertThat(await(afterTen.updateShardCount(S, 2, true)).openShards()).hasSize(2);
    }

    @Test
    void twoCapacityModeSwitchesPerRollingDayAreCountedAcrossARestart() {
        StreamClient c = engine.start(clock);
        await(c.create(CreateStream.of(S.value(), 4)));
        String arn = "arn:aws:kinesis:us-east-1:000000000000:stream/orders";
        await(c.setResourcePolicy(S, arn, java.util.Optional.of("{\"Version\":\"2012-10-17\",\"Statement\":[]}")));
        // A switch changes the mode and nothing else.
        assertThat(await(c.setMode(S, StreamMode.ON_DEMAND)).resourcePolicies()).containsKey(arn);
        clock.advance(MINUTE);
        await(c.setMode(S, StreamMode.PROVISIONED));
        StreamClient restarted = restart();
        assertLimitExceeded(() -> await(restarted.setMode(S, StreamMode.ON_DEMAND)), "switched its capacity mode 2 times");
        // Setting the mode a stream has is no switch.
        assertThat(await(restarted.setMode(S, StreamMode.PROVISIONED)).mode()).isEqualTo(StreamMode.PROVISIONED);
        clock.advance(DAY);
        assertThat(await(restarted.setMode(S, StreamMode.ON_DEMAND)).mode()).isEqualTo(StreamMode.ON_DEMAND);
    }

    @Test
    void splitAndMergeTakeFiveCallsASecondAndUpdateShardCountTenPerAccount() {
        StreamClient c = engine.start(clock);
        await(c.create(CreateStream.of(S.value(), 6)));
        await(c.create(CreateStream.of("other", 1)));
        java.util.List<HashKeyRange> ranges = HashKeyRange.evenSplit(6);
        for (int i = 0; i < ReshardCallRates.SPLIT_MERGE_PER_SECOND; i++) {
            BigInteger middle = ranges.get(i).start().add(ranges.get(i).end()).shiftRight(1);
            await(c.split(S, new ShardId(i), middle, true));
        }
        BigInteger lastMiddle = ranges.get(5).start().add(ranges.get(5).end()).shiftRight(1);
        assertLimitExceeded(() -> await(c.split(S, new ShardId(5), lastMiddle, true)), "Rate exceeded for SplitShard");
        // The rate is the account's: another stream is refused too, and refused calls change nothing.
        assertLimitExceeded(() -> await(c.split(StreamName.of("other"), new ShardId(0), HashKeyRange.MAX.shiftRight(1), true)),
                "Rate exceeded for SplitShard");
        assertThat(await(c.describe(S)).openShards()).hasSize(11);
        // MergeShards has a rate of its own.
        assertThat(await(c.merge(S, new ShardId(6), new ShardId(7), true)).openShards()).hasSize(10);
        clock.advance(1_000);
        assertThat(await(c.split(S, new ShardId(5), lastMiddle, true)).openShards()).hasSize(11);

        // UpdateShardCount: ten calls a second, those that change nothing included.
        for (int i = 0; i < ReshardCallRates.UPDATE_SHARD_COUNT_PER_SECOND; i++) {
            await(c.updateShardCount(StreamName.of("other"), 1, true));
        }
        assertLimitExceeded(() -> await(c.updateShardCount(StreamName.of("other"), 1, true)), "Rate exceeded for UpdateShardCount");
        clock.advance(100);
        assertThat(await(c.updateShardCount(StreamName.of("other"), 2, true)).openShards()).hasSize(2);
    }
}
