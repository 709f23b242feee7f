package io.riffle.client;

import java.util.List;
import java.util.Optional;

/**
 * One page of a polling read.
 *
 * @param nextSequenceNumber where the next read continues: read AT it (the node refuses it while no record
 *                           has it yet, so stop once a page comes back short)
 */
public record ReadResult(List<Record> records, Optional<String> nextSequenceNumber, long millisBehindLatest) {
    public ReadResult {
        records = List.copyOf(records);
    }
}
