package io.riffle.model;

import java.util.List;
import java.util.Optional;

/**
 * What a shard is, as DescribeStream and ListShards show it. Carries what resharding needs: parent and
 * adjacent-parent ids, open/closed state and, once closed, the ending sequence number. {@code damaged}
 * lists the records its log can no longer read (reported by the running shard, not part of the catalog;
 * the Kinesis API does not show it).
 */
public record ShardDescription(
        ShardId shardId,
        Optional<ShardId> parentShardId,
        Optional<ShardId> adjacentParentShardId,
        HashKeyRange hashKeyRange,
        SequenceNumber startingSequenceNumber,
        Optional<SequenceNumber> endingSequenceNumber,
        ShardState state,
        List<DamagedRecords> damaged) {

    public ShardDescription {
        damaged = List.copyOf(damaged);
    }

    /** A shard as the catalog knows it: no damage reported. */
    public ShardDescription(ShardId shardId, Optional<ShardId> parentShardId, Optional<ShardId> adjacentParentShardId,
                            HashKeyRange hashKeyRange, SequenceNumber startingSequenceNumber,
                            Optional<SequenceNumber> endingSequenceNumber, ShardState state) {
        this(shardId, parentShardId, adjacentParentShardId, hashKeyRange, startingSequenceNumber, endingSequenceNumber,
                state, List.of());
    }

    public ShardDescription withDamaged(List<DamagedRecords> d) {
        return new ShardDescription(shardId, parentShardId, adjacentParentShardId, hashKeyRange, startingSequenceNumber,
                endingSequenceNumber, state, d);
    }

    public boolean isOpen() {
        return state == ShardState.OPEN;
    }
}
