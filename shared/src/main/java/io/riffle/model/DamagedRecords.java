package io.riffle.model;

import java.util.Objects;

/**
 * Records of a shard that were acknowledged but can no longer be read from the node's disk (damaged
 * frames, a missing or cut segment file). Reading them fails with InternalFailure; reading from the offset
 * after {@code toOffset} works.
 *
 * @param fromOffset first unreadable offset
 * @param toOffset   last unreadable offset (inclusive)
 * @param location   where on the node's disk, for operators: a segment file name and byte position
 * @param reason     what is wrong, e.g. "CRC32C mismatch", "segment file missing"
 */
public record DamagedRecords(long fromOffset, long toOffset, String location, String reason) {
    public DamagedRecords {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(reason, "reason");
        if (fromOffset < 0 || toOffset < fromOffset) {
            throw new IllegalArgumentException("Bad range of damaged records: " + fromOffset + ".." + toOffset);
        }
    }
}
