package io.riffle.client;

import java.util.Objects;

/**
 * A stored record: the shard it went to and its sequence number there.
 *
 * @param attempts how many requests it took (1 when it was never throttled)
 */
public record PutResult(String shardId, String sequenceNumber, int attempts) implements PutRecordResult {
    public PutResult {
        Objects.requireNonNull(shardId, "shardId");
        Objects.requireNonNull(sequenceNumber, "sequenceNumber");
    }
}
