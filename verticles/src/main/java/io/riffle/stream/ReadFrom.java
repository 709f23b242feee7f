package io.riffle.stream;

/** Where in a shard a read or a subscription starts, as a Kinesis shard iterator type names it. */
public sealed interface ReadFrom {
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
