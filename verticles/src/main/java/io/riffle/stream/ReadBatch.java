package io.riffle.stream;

import io.riffle.model.Record;
import java.util.List;

/**
 * Records read from one shard.
 *
 * @param nextOffset         the offset to read from next
 * @param millisBehindLatest how far the last returned record is behind the shard's newest one (0 when
 *                           caught up)
 * @param endOfShard         the shard is closed and the reader has consumed all of it
 */
public record ReadBatch(List<Record> records, long nextOffset, long millisBehindLatest, boolean endOfShard) {
    public ReadBatch {
        records = List.copyOf(records);
    }
}
