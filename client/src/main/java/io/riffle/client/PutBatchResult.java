package io.riffle.client;

import java.util.List;

/**
 * The outcome of {@link RiffleClient#putAll}: one result per record, in the order the records were given.
 */
public record PutBatchResult(List<PutRecordResult> results) {
    public PutBatchResult {
        results = List.copyOf(results);
    }

    /** How many records were not stored. */
    public int failedRecordCount() {
        return (int) results.stream().filter(r -> !r.succeeded()).count();
    }

    /** How many requests beyond the first were made for all records together. */
    public int retries() {
        return results.stream().mapToInt(r -> r instanceof PutResult p ? p.attempts() - 1
                : ((PutFailure) r).attempts() - 1).sum();
    }
}
