package io.riffle.log;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link ShardLog#open} found and changed on disk.
 *
 * @param directory        the shard's directory
 * @param segmentsFound    segment files present before recovery
 * @param segmentsVerified segments whose frames were CRC-checked: all of them for the last segment
 *                         (unless the log was shut down cleanly) and for any whose index had to be rebuilt,
 *                         only those after the last index entry for the others
 * @param bytesVerified    bytes of frames CRC-checked
 * @param recordsVerified  frames CRC-checked
 * @param indexesRebuilt   segments whose index files were missing or invalid and were rebuilt from the log
 * @param truncations      every cut made in the last segment's torn tail, with what was dropped
 * @param filesDeleted     files removed (empty sealed segments, orphan or temporary index files, segments
 *                         below the log start that retention had not deleted yet)
 * @param damaged          unreadable ranges found: damage in the frames verified, missing or cut segments
 * @param nextOffset       the offset the next append gets
 * @param cleanShutdown    the log was closed cleanly and the last segment was unchanged since, so it was
 *                         opened from its index and only its tail verified
 */
public record RecoveryReport(Path directory, int segmentsFound, int segmentsVerified, long bytesVerified,
                             long recordsVerified, int indexesRebuilt, List<Truncation> truncations,
                             List<Path> filesDeleted, List<DamagedRange> damaged, long nextOffset, boolean cleanShutdown) {
    public RecoveryReport {
        truncations = List.copyOf(truncations);
        filesDeleted = List.copyOf(filesDeleted);
        damaged = List.copyOf(damaged);
    }

    /**
     * One cut in a segment file.
     *
     * @param file           the segment file
     * @param position       byte position of the first bad frame; the file now ends there
     * @param bytesDropped   exact number of bytes removed
     * @param recordsDropped frames removed: frames whose length header could still be followed, plus one
     *                       for an unparseable or partial remainder (exact for a torn tail or a bad payload,
     *                       a lower bound when a length header itself is damaged)
     * @param reason         why the first dropped frame was rejected
     */
    public record Truncation(Path file, long position, long bytesDropped, long recordsDropped, String reason) {
    }

    public long bytesDropped() {
        return truncations.stream().mapToLong(Truncation::bytesDropped).sum();
    }

    public long recordsDropped() {
        return truncations.stream().mapToLong(Truncation::recordsDropped).sum();
    }

    /** True when nothing was truncated, rebuilt or found damaged. */
    public boolean clean() {
        return truncations.isEmpty() && indexesRebuilt == 0 && damaged.isEmpty();
    }
}
