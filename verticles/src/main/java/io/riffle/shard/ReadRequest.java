package io.riffle.shard;

/**
 * A read of up to {@code maxRecords} / {@code maxBytes} from {@code offset}. {@code sharedQuota} reads
 * (polling consumers) count against the shard's shared read buckets.
 */
public record ReadRequest(long offset, int maxRecords, int maxBytes, boolean sharedQuota) {
}
