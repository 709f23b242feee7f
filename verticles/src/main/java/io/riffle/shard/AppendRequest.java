package io.riffle.shard;

import java.util.List;

/**
 * A batch for one shard: the records of one put routed to this shard, in request order. Validated by
 * the sender (partition keys) and re-checked by the shard against its record size limit.
 */
public record AppendRequest(List<Entry> entries) {
    public AppendRequest {
        entries = List.copyOf(entries);
    }

    /** One record to append; the data array is handed over, not copied. */
    public record Entry(String partitionKey, byte[] data) {
        @Override
        public String toString() {
            return "Entry[partitionKey.length=" + partitionKey.length() + ", data.length=" + data.length + "]";
        }
    }
}
