package io.riffle.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.model.HashKeyRange;
import io.riffle.model.SequenceNumber;
import io.riffle.model.ShardDescription;
import io.riffle.model.ShardId;
import io.riffle.model.ShardState;
import io.riffle.model.StreamDescription;
import io.riffle.model.StreamMode;
import io.riffle.model.StreamName;
import io.riffle.model.StreamStatus;
import io.riffle.throttle.ThroughputLimits;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Planning splits, merges and uniform scaling, and Kinesis's refusals, over plain descriptions. */
class ReshardingTest {
    private static final long NOW = 1_700_000_000_000L;

    static StreamDescription stream(int shards) {
        List<HashKeyRange> ranges = HashKeyRange.evenSplit(shards);
        List<ShardDescription> list = new ArrayList<>();
        for (int i = 0; i < shards; i++) {
            list.add(new ShardDescription(new ShardId(i), Optional.empty(), Optional.empty(), ranges.get(i),
                    new SequenceNumber(i, 0), Optional.empty(), ShardState.OPEN));
        }
        return new StreamDescription(StreamName.of("s"), StreamStatus.ACTIVE, StreamMode.PROVISIONED, 24, NOW, 1024,
                list, List.of(), Map.of(), Set.of(), ThroughputLimits.KINESIS);
    }

    private static void assertCode(Runnable r, ErrorCode code, String text) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(RiffleException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).contains(text);
        });
    }

    /** The open shards cover the key space exactly once, with no gap. */
    private static void assertCoversKeySpace(StreamDescription d) {
        List<ShardDescription> open = d.openShards().stream().sorted(Comparator.comparing(s -> s.hashKeyRange().start())).toList();
        assertThat(open.get(0).hashKeyRange().start()).isEqualTo(BigInteger.ZERO);
        for (int i = 1; i < open.size(); i++) {
            assertThat(open.get(i).hashKeyRange().start()).isEqualTo(open.get(i - 1).hashKeyRange().end().add(BigInteger.ONE));
        }
        assertThat(open.get(open.size() - 1).hashKeyRange().end()).isEqualTo(HashKeyRange.MAX);
    }

    @Test
    void splitClosesTheParentAndGivesTwoChildrenTheNextIndexes() {
        BigInteger mid = HashKeyRange.MAX.shiftRight(1);
        Resharding.Plan plan = Resharding.split(stream(2), new ShardId(1), HashKeyRange.MAX.shiftRight(2).multiply(BigInteger.valueOf(3)), NOW);
        assertThat(plan.sealed()).containsExactly(new ShardId(1));
        assertThat(plan.created()).extracting(ShardDescription::shardId).containsExactly(new ShardId(2), new ShardId(3));
        assertThat(plan.created()).allSatisfy(c -> {
            assertThat(c.parentShardId()).contains(new ShardId(1));
            assertThat(c.adjacentParentShardId()).isEmpty();
            assertThat(c.isOpen()).isTrue();
        });
        StreamDescription after = plan.withLastOffsets(Map.of(new ShardId(1), 41L), NOW);
        ShardDescription parent = after.shards().get(1);
        assertThat(parent.state()).isEqualTo(ShardState.CLOSED);
        assertThat(parent.endingSequenceNumber()).contains(new SequenceNumber(1, 41));
        assertThat(parent.closedMillis()).contains(NOW);
        assertThat(after.shards().get(0).isOpen()).isTrue();
        assertThat(mid).isLessThan(after.shards().get(2).hashKeyRange().start());
        assertCoversKeySpace(after);
    }

    @Test
    void splitRefusesAKeyThatLeavesAChildEmptyAClosedShardAndAnUnknownOne() {
        StreamDescription d = stream(1);
        assertCode(() -> Resharding.split(d, new ShardId(0), BigInteger.ONE, NOW), ErrorCode.INVALID_ARGUMENT,
                "is not both greater than one plus the shard's StartingHashKey 0");
        assertCode(() -> Resharding.split(d, new ShardId(0), HashKeyRange.MAX, NOW), ErrorCode.INVALID_ARGUMENT,
                "less than the shard's EndingHashKey");
        assertCode(() -> Resharding.split(d, new ShardId(7), BigInteger.TEN, NOW), ErrorCode.RESOURCE_NOT_FOUND,
                "Could not find shard shardId-000000000007 in stream s");
        StreamDescription split = Resharding.split(d, new ShardId(0), BigInteger.TEN, NOW).after();
        assertCode(() -> Resharding.split(split, new ShardId(0), BigInteger.TEN, NOW), ErrorCode.INVALID_ARGUMENT,
                "has already been merged or split");
    }

    @Test
    void mergeTakesTwoAdjacentOpenShardsOnly() {
        StreamDescription d = stream(3);
        Resharding.Plan plan = Resharding.merge(d, new ShardId(2), new ShardId(1), NOW);
        assertThat(plan.sealed()).containsExactlyInAnyOrder(new ShardId(1), new ShardId(2));
        ShardDescription child = plan.created().get(0);
        assertThat(child.shardId()).isEqualTo(new ShardId(3));
        assertThat(child.parentShardId()).contains(new ShardId(2));
        assertThat(child.adjacentParentShardId()).contains(new ShardId(1));
        assertThat(child.hashKeyRange().start()).isEqualTo(d.shards().get(1).hashKeyRange().start());
        assertThat(child.hashKeyRange().end()).isEqualTo(HashKeyRange.MAX);
        assertCoversKeySpace(plan.after());
        assertCode(() -> Resharding.merge(d, new ShardId(0), new ShardId(2), NOW), ErrorCode.INVALID_ARGUMENT,
                "are not an adjacent pair of shards eligible for merging");
    }

    @Test
    void uniformScalingDoublesHalvesAndGoesToUnevenCountsThroughSplitsAndMerges() {
        for (int[] fromTo : new int[][] {{1, 2}, {2, 4}, {4, 2}, {3, 5}, {5, 3}, {4, 7}, {6, 3}}) {
            Resharding.Plan plan = Resharding.uniform(stream(fromTo[0]), fromTo[1], NOW);
            StreamDescription after = plan.withLastOffsets(Map.of(), NOW);
            assertThat(after.openShards()).extracting(ShardDescription::hashKeyRange)
                    .containsExactlyInAnyOrderElementsOf(HashKeyRange.evenSplit(fromTo[1]));
            assertCoversKeySpace(after);
            // Every new shard has one or two parents, all of them shards of the stream.
            assertThat(plan.created()).allSatisfy(c -> assertThat(after.shards()).extracting(ShardDescription::shardId)
                    .contains(c.parentShardId().orElseThrow()));
            assertThat(plan.sealed()).hasSize(fromTo[0]);
        }
    }

    @Test
    void uniformScalingKeepsKinesisLimits() {
        assertCode(() -> Resharding.uniform(stream(2), 5, NOW), ErrorCode.LIMIT_EXCEEDED,
                "cannot scale up over double your current open shard count. Current open shard count: 2 Target shard count: 5");
        assertCode(() -> Resharding.uniform(stream(5), 2, NOW), ErrorCode.LIMIT_EXCEEDED,
                "cannot scale down below half your current open shard count");
        assertCode(() -> Resharding.uniform(stream(2), 0, NOW), ErrorCode.VALIDATION, "targetShardCount");
        assertThat(Resharding.uniform(stream(4), 4, NOW).sealed()).isEmpty();
    }

    @Test
    void closedShardsExpireOnceClosedBeforeTheRetentionPeriodButTheHighestIndexStays() {
        long day = 24 * 3_600_000L;
        StreamDescription split = Resharding.split(stream(1), new ShardId(0), HashKeyRange.MAX.shiftRight(1), NOW).after();
        assertThat(Resharding.expired(split, NOW + day)).isEmpty();
        assertThat(Resharding.expired(split, NOW + day + 1)).containsExactly(new ShardId(0));
        // Were every shard closed, the highest index would stay, so no later child could take an index again.
        StreamDescription allClosed = split.withShards(split.shards().stream().map(s -> s.closed(0, NOW)).toList());
        assertThat(Resharding.expired(allClosed, NOW + day + 1)).containsExactly(new ShardId(0), new ShardId(1));
    }

    @Test
    void scalingHistoryAllowsTenScalingsPerRollingDay() {
        ScalingHistory h = ScalingHistory.scalings();
        StreamDescription d = stream(1);
        for (int i = 0; i < ScalingHistory.MAX_PER_DAY; i++) {
            d = h.record(d, NOW + i);
        }
        StreamDescription tenTimes = d;
        assertThat(tenTimes.dailyChanges().shardCountUpdates()).hasSize(ScalingHistory.MAX_PER_DAY);
        assertCode(() -> h.record(tenTimes, NOW + 3_600_000L), ErrorCode.LIMIT_EXCEEDED, "already been scaled 10 times");
        // A day after the first, one more is allowed, and the times that no longer count are not kept.
        assertThat(h.record(tenTimes, NOW + 86_400_000L).dailyChanges().shardCountUpdates())
                .containsExactly(NOW + 1, NOW + 2, NOW + 3, NOW + 4, NOW + 5, NOW + 6, NOW + 7, NOW + 8, NOW + 9, NOW + 86_400_000L);
    }

    @Test
    void aStreamSwitchesItsCapacityModeTwicePerRollingDay() {
        ScalingHistory h = ScalingHistory.modeSwitches();
        StreamDescription twice = h.record(h.record(stream(1), NOW), NOW + 1);
        assertCode(() -> h.record(twice, NOW + 2), ErrorCode.LIMIT_EXCEEDED, "switched its capacity mode 2 times");
        assertThat(twice.dailyChanges().shardCountUpdates()).isEmpty();
        assertThat(h.record(twice, NOW + 86_400_001L).dailyChanges().modeSwitches()).containsExactly(NOW + 86_400_001L);
    }
}
