package io.riffle.stream;

/** Where in a shard a read or a subscription starts, as a Kinesis shard iterator type names it. */
public sealed interface ReadFrom {
    /**
     * AT_SEQUENCE_NUMBER in {@code shard}: fails with INVALID_ARGUMENT if the sequence number belongs
     * to another shard.
     */
    static ReadFrom at(io.riffle.model.ShardId shard, io.riffle.model.SequenceNumber seq) {
        return new AtOffset(offsetIn(shard, seq));
    }

    /** AFTER_SEQUENCE_NUMBER in {@code shard}; same check as {@link #at}. */
    static ReadFrom after(io.riffle.model.ShardId shard, io.riffle.model.SequenceNumber seq) {
        return new AfterOffset(offsetIn(shard, seq));
    }

    private static long offsetIn(io.riffle.model.ShardId shard, io.riffle.model.SequenceNumber seq) {
        if (seq.shardIndex() != shard.index()) {
            throw io.riffle.error.RiffleException.invalidArgument("Sequence number " + seq.wire()
                    + " does not belong to " + shard + " (it was issued by " + seq.shardId() + ")");
        }
        return seq.offset();
    }

    /** The oldest record still within retention. */
    record TrimHorizon() implements ReadFrom {
    }

    /** Just after the newest record at the time the position is resolved. */
    record Latest() implements ReadFrom {
    }

    /** At the record with this offset (or the oldest retained one, if it expired). */
    record AtOffset(long offset) implements ReadFrom {
    }

    /** Just after the record with this offset. */
    record AfterOffset(long offset) implements ReadFrom {
    }

    /** At the first record that arrived at or after this time (epoch milliseconds). */
    record AtTimestamp(long epochMillis) implements ReadFrom {
    }
}
