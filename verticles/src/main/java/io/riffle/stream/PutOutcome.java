package io.riffle.stream;

import io.riffle.error.ErrorCode;
import io.riffle.model.SequenceNumber;
import io.riffle.model.ShardId;

/** The result of one entry of a put, in request order: accepted with its sequence number, or rejected. */
public sealed interface PutOutcome {
    /** The record is durable (as the node's fsync policy defines) at this sequence number, encrypted or not. */
    record Accepted(ShardId shardId, SequenceNumber sequenceNumber, boolean encrypted) implements PutOutcome {
        public Accepted(ShardId shardId, SequenceNumber sequenceNumber) {
            this(shardId, sequenceNumber, false);
        }
    }

    /**
     * Nothing of this record was written.
     *
     * @param retryAfterMillis for throttled records, when the shard expects to have room again
     */
    record Rejected(ErrorCode code, String message, long retryAfterMillis) implements PutOutcome {
    }
}
