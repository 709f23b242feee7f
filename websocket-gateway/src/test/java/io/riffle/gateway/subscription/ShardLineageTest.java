package io.riffle.gateway.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.model.HashKeyRange;
import io.riffle.model.SequenceNumber;
import io.riffle.model.ShardDescription;
import io.riffle.model.ShardId;
import io.riffle.model.ShardState;
import io.riffle.model.StreamDescription;
import io.riffle.model.StreamMode;
import io.riffle.model.StreamName;
import io.riffle.model.StreamStatus;
import io.riffle.stream.Resharding;
import io.riffle.throttle.ThroughputLimits;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A reader that follows {@link ShardLineage} reads every shard, each after all of its parents. */
class ShardLineageTest {
    private static StreamDescription stream(int shards) {
        List<HashKeyRange> ranges = HashKeyRange.evenSplit(shards);
        List<ShardDescription> list = new ArrayList<>();
        for (int i = 0; i < shards; i++) {
            list.add(new ShardDescription(new ShardId(i), Optional.empty(), Optional.empty(), ranges.get(i),
                    new SequenceNumber(i, 0), Optional.empty(), ShardState.OPEN));
        }
        return new StreamDescription(StreamName.of("s"), StreamStatus.ACTIVE, StreamMode.PROVISIONED, 24, 0, 1024,
                list, List.of(), Map.of(), Set.of(), ThroughputLimits.KINESIS);
    }

    /** Reads as SubscriberSocket does, finishing the started shards last-started first (an unkind order). */
    private static List<ShardId> readOrder(StreamDescription d) {
        ShardLineage lineage = new ShardLineage(d);
        Set<ShardId> read = new HashSet<>(lineage.roots());
        Set<ShardId> finished = new HashSet<>();
        Deque<ShardId> running = new ArrayDeque<>(lineage.roots());
        List<ShardId> order = new ArrayList<>();
        for (int guard = 0; guard < 1000 && !running.isEmpty(); guard++) {
            ShardId done = running.pollLast();
            order.add(done);
            if (d.shards().stream().filter(s -> s.shardId().equals(done)).findFirst().orElseThrow().isOpen()) {
                continue; // an open shard never ends
            }
            finished.add(done);
            for (ShardDescription child : lineage.children(done)) {
                if (!read.contains(child.shardId()) && lineage.mayStart(child.shardId(), read, finished)) {
                    read.add(child.shardId());
                    running.addLast(child.shardId());
                }
            }
        }
        return order;
    }

    @Test
    void everyShardOfAUniformScalingIsReadOnceAndAfterItsParents() {
        StreamDescription d = stream(3);
        d = Resharding.uniform(d, 5, 1).withLastOffsets(Map.of(), 1);
        d = Resharding.uniform(d, 3, 2).withLastOffsets(Map.of(), 2);
        List<ShardId> order = readOrder(d);
        assertThat(order).doesNotHaveDuplicates().hasSameSizeAs(d.shards());
        for (ShardDescription s : d.shards()) {
            for (ShardId parent : ShardLineage.parents(s)) {
                assertThat(order.indexOf(parent)).as(parent + " before " + s.shardId()).isLessThan(order.indexOf(s.shardId()));
            }
        }
    }

    @Test
    void aChildWaitsForAParentThatDescendsFromAShardStillRead() {
        StreamDescription d = Resharding.uniform(stream(2), 3, 1).withLastOffsets(Map.of(), 1);
        ShardLineage lineage = new ShardLineage(d);
        // The middle target range takes a piece of each original shard: its shard has two parents.
        ShardDescription middle = d.openShards().stream().filter(s -> s.adjacentParentShardId().isPresent()).findFirst().orElseThrow();
        ShardId p1 = middle.parentShardId().orElseThrow();
        Set<ShardId> read = new HashSet<>(List.of(new ShardId(0), new ShardId(1), p1));
        assertThat(lineage.mayStart(middle.shardId(), read, Set.of(new ShardId(0), p1))).isFalse();
        assertThat(lineage.roots()).containsExactly(new ShardId(0), new ShardId(1));
    }
}
