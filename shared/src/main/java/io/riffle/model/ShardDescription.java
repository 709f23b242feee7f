package io.riffle.model;

import java.util.List;
import java.util.Optional;

/**
 * What a shard is, as DescribeStream and ListShards show it. Carries what resharding needs: parent and
 * adjacent-parent ids, open/closed state and, once closed, the ending sequence number and the time it
 * closed (ListShards' timestamp filters need it). {@code damaged} lists the records its log can no longer
 * read (reported by the running shard, not part of the catalog; the Kinesis API does not show it).
 *
 * @param closedMillis when a split or merge closed the shard, epoch milliseconds; empty while open
 */
public record ShardDescription(
        ShardId shardId,
        Optional<ShardId> parentShardId,
        Optional<ShardId> adjacentParentShardId,
        HashKeyRange hashKeyRange,
        SequenceNumber startingSequenceNumber,
        Optional<SequenceNumber> endingSequenceNumber,
        ShardState state,
        List<DamagedRecords> damaged,
        Optional<Long> closedMillis) {

    public ShardDescription {
        damaged = List.copyOf(damaged);
    }

    /** A shard as the catalog knows it: no damage reported. */
    public ShardDescription(ShardId shardId, Optional<ShardId> parentShardId, Optional<ShardId> adjacentParentShardId,
                            HashKeyRange hashKeyRange, SequenceNumber startingSequenceNumber,
                            Optional<SequenceNumber> endingSequenceNumber, ShardState state) {
        this(shardId, parentShardId, adjacentParentShardId, hashKeyRange, startingSequenceNumber, endingSequenceNumber,
                state, List.of(), Optional.empty());
    }

    /** A new open shard, child of {@code parent} (and {@code adjacentParent} for a merge), empty. */
    public static ShardDescription child(ShardId id, ShardId parent, Optional<ShardId> adjacentParent, HashKeyRange range) {
        return new ShardDescription(id, Optional.of(parent), adjacentParent, range, new SequenceNumber(id.index(), 0),
                Optional.empty(), ShardState.OPEN);
    }

    public ShardDescription withDamaged(List<DamagedRecords> d) {
        return new ShardDescription(shardId, parentShardId, adjacentParentShardId, hashKeyRange, startingSequenceNumber,
                endingSequenceNumber, state, d, closedMillis);
    }

    /**
     * This shard closed at {@code atMillis} after its record at {@code lastOffset} (for a shard that never
     * had a record, its starting offset): from then on it takes no writes.
     */
    public ShardDescription closed(long lastOffset, long atMillis) {
        return new ShardDescription(shardId, parentShardId, adjacentParentShardId, hashKeyRange, startingSequenceNumber,
                Optional.of(new SequenceNumber(shardId.index(), lastOffset)), ShardState.CLOSED, damaged,
                Optional.of(atMillis));
    }

    public boolean isOpen() {
        return state == ShardState.OPEN;
    }
}
