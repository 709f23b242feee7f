package io.riffle.log;

import java.util.Objects;

/**
 * One record handed to {@link ShardLog#append}. The data array is not copied: the caller must not change
 * it until {@code append} returns.
 */
public record AppendRecord(String partitionKey, byte[] data, long arrivalMillis) {
    public AppendRecord {
        Objects.requireNonNull(partitionKey, "partitionKey");
        Objects.requireNonNull(data, "data");
    }

    @Override
    public String toString() {
        return "AppendRecord[partitionKey.length=" + partitionKey.length() + ", data.length=" + data.length
                + ", arrivalMillis=" + arrivalMillis + "]";
    }
}
