package io.riffle.gateway.subscription;

import io.riffle.model.Record;
import io.riffle.model.SequenceNumber;
import io.riffle.model.ShardId;
import java.util.List;
import java.util.Optional;

/**
 * One push to a subscriber: records of one shard in offset order, or none (a heartbeat).
 *
 * @param records            the next records, contiguous with the previous event's; empty for a heartbeat
 * @param millisBehindLatest how far the last record here is behind the shard's newest known record (0 when
 *                           caught up)
 * @param continuation       the sequence number of the last record delivered so far (this event's last, or
 *                           an earlier one for a heartbeat): resubscribe AFTER it to continue without gap.
 *                           Empty only while nothing precedes the subscription's position in the shard
 *                           (the shard's first record is next); resubscribe from TRIM_HORIZON then.
 */
public record ShardEvent(ShardId shardId, List<Record> records, long millisBehindLatest,
                         Optional<SequenceNumber> continuation) {
    public ShardEvent {
        records = List.copyOf(records);
    }

    public boolean isHeartbeat() {
        return records.isEmpty();
    }

    /** Partition key plus data bytes of all records, as throughput limits count them. */
    public long billedBytes() {
        long n = 0;
        for (Record r : records) {
            n += r.billedBytes();
        }
        return n;
    }
}
