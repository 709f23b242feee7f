package io.riffle.log;

/**
 * Records of a shard log that exist (their offsets were handed out) but cannot be read: frames whose
 * checksum, length or offset is wrong, or a segment file that is missing or cut short. Reads that reach
 * the range fail with {@link CorruptLogException}; the records after it stay readable.
 *
 * @param fromOffset   first unreadable offset
 * @param toOffset     last unreadable offset (inclusive)
 * @param segment      file name (no directory) of the segment holding the damage, or of the missing one
 * @param bytePosition where the damaged bytes start in that file, or -1 when the file is missing
 * @param bytes        number of damaged bytes (0 when the file is missing)
 * @param reason       what is wrong with the first damaged frame, without file paths
 */
public record DamagedRange(long fromOffset, long toOffset, String segment, long bytePosition, long bytes, String reason) {
    public DamagedRange {
        if (fromOffset < 0 || toOffset < fromOffset) {
            throw new IllegalArgumentException("Bad damaged range " + fromOffset + ".." + toOffset);
        }
    }

    /** Number of records in the range. */
    public long records() {
        return toOffset - fromOffset + 1;
    }

    /** The segment file name and byte position, or the file name and "missing": for operators, no directory. */
    public String location() {
        return bytePosition < 0 ? segment + " (missing)" : segment + " at byte " + bytePosition;
    }

    boolean covers(long offset) {
        return offset >= fromOffset && offset <= toOffset;
    }

    /** Byte position in {@link #segment} of the first intact frame after the damage. */
    long resumePosition() {
        return bytePosition + bytes;
    }
}
