package io.riffle.model;

import java.util.Optional;

/**
 * What a shard is, as DescribeStream and ListShards show it. Carries what resharding needs: parent and
 * adjacent-parent ids, open/closed state and, once closed, the ending sequence number.
 */
public record ShardDescription(
        ShardId shardId,
        Optional<ShardId> parentShardId,
        Optional<ShardId> adjacentParentShardId,
        HashKeyRange hashKeyRange,
        SequenceNumber startingSequenceNumber,
        Optional<SequenceNumber> endingSequenceNumber,
        ShardState state) {

    public boolean isOpen() {
        return state == ShardState.OPEN;
    }
}
