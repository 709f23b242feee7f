package io.riffle.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * A record as stored and read back: its offset in the shard log, partition key, data blob and arrival
 * time in epoch milliseconds, and whether it is stored encrypted (sealed with its stream's KMS key; the
 * key and data here are always plain). The data array is owned by the record: it is not copied on the
 * hot path, so callers must not change it after handing it over.
 */
public record Record(long offset, long arrivalMillis, String partitionKey, byte[] data, boolean encrypted) {
    public Record {
        Objects.requireNonNull(partitionKey, "partitionKey");
        Objects.requireNonNull(data, "data");
    }

    /** A record stored in clear. */
    public Record(long offset, long arrivalMillis, String partitionKey, byte[] data) {
        this(offset, arrivalMillis, partitionKey, data, false);
    }

    /** The sequence number of this record in the given shard. */
    public SequenceNumber sequenceNumber(ShardId shard) {
        return new SequenceNumber(shard.index(), offset);
    }

    /** Bytes that count against throughput limits: partition key (UTF-8) plus data. */
    public int billedBytes() {
        return Limits.billedBytes(partitionKey, data.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Record r && offset == r.offset && arrivalMillis == r.arrivalMillis
                && encrypted == r.encrypted && partitionKey.equals(r.partitionKey) && Arrays.equals(data, r.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(offset, arrivalMillis, partitionKey) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Record[offset=" + offset + ", arrivalMillis=" + arrivalMillis + ", partitionKey.length="
                + partitionKey.length() + ", data.length=" + data.length + (encrypted ? ", encrypted" : "") + "]";
    }
}
