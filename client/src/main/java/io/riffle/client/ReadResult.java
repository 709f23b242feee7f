package io.riffle.client;

import java.util.List;
import java.util.Optional;

/**
 * One page of a polling read.
 *
 * @param nextSequenceNumber where the next read continues (AFTER it); empty at the end of a closed shard
 */
public record ReadResult(List<Record> records, Optional<String> nextSequenceNumber, long millisBehindLatest) {
    public ReadResult {
        records = List.copyOf(records);
    }
}
