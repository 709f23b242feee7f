package io.riffle.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts a closed shard log back so that its next offset is {@code offset}: what a replica does with an
 * uncommitted tail that a new leader does not have (the replica's records from that offset on were never
 * acknowledged to anyone). Works on the files of a log that no {@link ShardLog} has open; the next
 * {@link ShardLog#open} verifies the cut segment in full, because the clean-shutdown marker goes first.
 *
 * <p>Crash-safe in any order of interruption: the marker is deleted first, later segments are deleted
 * from the highest down (so what is left is always a contiguous prefix of the log), and the segment that
 * holds {@code offset} is cut last at a frame boundary; an interrupted truncation leaves a longer log,
 * which the replica truncates again when it next meets its leader.
 */
public final class LogTruncation {
    private static final Logger LOG = LoggerFactory.getLogger(LogTruncation.class);

    private LogTruncation() {
    }

    /**
     * Truncates the log in {@code dir} to end before {@code offset}; returns the records removed (0 if
     * the log already ended at or before it).
     *
     * @throws IOException              on a file error
     * @throws IllegalArgumentException if {@code offset} is below the log's start (expired records are not
     *                                  part of any replica's log to reconcile)
     */
    public static long truncate(Path dir, long offset) throws IOException {
        new LogMarker(dir, LogMarker.CLEAN_SHUTDOWN, 2).delete();
        long start = new LogMarker(dir, LogMarker.LOG_START, 1).read().map(v -> v[0]).orElse(0L);
        if (offset < start) {
            throw new IllegalArgumentException("Cannot truncate " + dir + " to offset " + offset + ", below its start " + start);
        }
        List<Long> bases = segmentBases(dir);
        long removed = 0;
        for (int i = bases.size() - 1; i >= 0; i--) {
            long base = bases.get(i);
            if (base > offset || (base == offset && i > 0)) {
                removed += countFrames(dir, base);
                deleteSegment(dir, base);
            } else {
                removed += cut(dir, base, offset);
                break;
            }
        }
        DurableFile.syncDirectory(dir);
        if (removed > 0) {
            LOG.warn("Shard log {}: truncated {} uncommitted records from offset {}", dir, removed, offset);
        }
        return removed;
    }

    /**
     * Empties the log in {@code dir} and makes {@code offset} both its start and its next offset: what a
     * follower does whose log ends below its leader's start (retention moved it), so that the leader's log
     * from its start follows on without a gap; every record it drops is expired on the leader. Crash-safe:
     * the start goes first (durable: the records below it are expired from then on, and a log opened with
     * only that done ends below its start, which its leader restarts again), then an empty segment at
     * {@code offset}, then the old segments; the next open drops any left below the start.
     */
    public static void restartAt(Path dir, long offset) throws IOException {
        new LogMarker(dir, LogMarker.CLEAN_SHUTDOWN, 2).delete();
        new LogMarker(dir, LogMarker.LOG_START, 1).write(offset);
        List<Long> bases = segmentBases(dir);
        if (!bases.contains(offset)) {
            Segment.create(dir, offset).close();
        }
        for (long base : bases) {
            if (base != offset) {
                deleteSegment(dir, base);
                Files.deleteIfExists(io.riffle.log.crypto.SegmentKeyFile.path(dir, SegmentKey.segmentName(base)));
            }
        }
        DurableFile.syncDirectory(dir);
        LOG.warn("Shard log {}: restarted empty at offset {} (its leader's log starts there)", dir, offset);
    }

    /** Cuts the segment at {@code base} before the frame of {@code offset}; returns the frames removed. */
    private static long cut(Path dir, long base, long offset) throws IOException {
        Path file = dir.resolve(Segment.name(base, ".log"));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FrameScanner sc = new FrameScanner(ch, 0, ch.size(), 64 << 10);
            long removed = 0;
            long cutAt = -1;
            FrameScanner.Status st;
            while ((st = sc.next()) == FrameScanner.Status.FRAME) {
                if (sc.offset >= offset) {
                    if (cutAt < 0) {
                        cutAt = sc.framePosition;
                    }
                    removed++;
                }
            }
            if (cutAt < 0) {
                // Nothing at or after offset is intact: cut any torn or damaged bytes after the last frame too.
                cutAt = st == FrameScanner.Status.END ? ch.size() : sc.framePosition;
            }
            if (cutAt < ch.size()) {
                ch.truncate(cutAt);
                ch.force(true);
                // The indexes may point past the cut: the open after this rebuilds them.
                Files.deleteIfExists(dir.resolve(Segment.name(base, ".index")));
                Files.deleteIfExists(dir.resolve(Segment.name(base, ".timeindex")));
            }
            return removed;
        }
    }

    private static long countFrames(Path dir, long base) throws IOException {
        try (FileChannel ch = FileChannel.open(dir.resolve(Segment.name(base, ".log")), StandardOpenOption.READ)) {
            FrameScanner sc = new FrameScanner(ch, 0, ch.size(), 64 << 10);
            long n = 0;
            while (sc.next() == FrameScanner.Status.FRAME) {
                n++;
            }
            return n;
        }
    }

    private static void deleteSegment(Path dir, long base) throws IOException {
        Files.deleteIfExists(dir.resolve(Segment.name(base, ".index")));
        Files.deleteIfExists(dir.resolve(Segment.name(base, ".timeindex")));
        Files.delete(dir.resolve(Segment.name(base, ".log")));
    }

    private static List<Long> segmentBases(Path dir) throws IOException {
        List<Long> bases = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.map(f -> f.getFileName().toString()).filter(n -> n.matches("\\d{20}\\.log"))
                    .forEach(n -> bases.add(Long.parseLong(n.substring(0, 20))));
        }
        bases.sort(Comparator.naturalOrder());
        return bases;
    }
}
