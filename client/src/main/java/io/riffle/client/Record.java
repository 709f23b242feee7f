package io.riffle.client;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * A record read from or pushed by the node.
 *
 * @param arrival the node's approximate arrival timestamp
 */
public record Record(String shardId, String sequenceNumber, String partitionKey, byte[] data, Instant arrival) {
    public Record {
        Objects.requireNonNull(shardId, "shardId");
        Objects.requireNonNull(sequenceNumber, "sequenceNumber");
        Objects.requireNonNull(partitionKey, "partitionKey");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(arrival, "arrival");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Record r && shardId.equals(r.shardId) && sequenceNumber.equals(r.sequenceNumber)
                && partitionKey.equals(r.partitionKey) && Arrays.equals(data, r.data) && arrival.equals(r.arrival);
    }

    @Override
    public int hashCode() {
        return Objects.hash(shardId, sequenceNumber, partitionKey, arrival) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Record[shardId=" + shardId + ", sequenceNumber=" + sequenceNumber + ", partitionKey.length="
                + partitionKey.length() + ", data.length=" + data.length + "]";
    }
}
