package io.riffle.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recovery half of {@link ShardLog#open}: lists the directory, opens every segment (verifying as the
 * package comment says), finds offsets no segment holds (missing or cut segment files, which become
 * {@link DamagedRange}s) and removes leftovers (temporary files, orphan indexes, segments below the log
 * start that retention did not finish deleting).
 */
final class LogLoader {
    private static final Logger LOG = LoggerFactory.getLogger(LogLoader.class);

    /** The opened segments by base offset (the last one is the active segment), the log start and the report. */
    record Loaded(ConcurrentSkipListMap<Long, Segment> segments, long logStart, RecoveryReport report) {
    }

    private LogLoader() {
    }

    static Loaded load(Path dir, LogConfig config, DamageMap damage) throws IOException {
        Recovery rec = new Recovery(dir);
        Optional<long[]> clean = takeCleanShutdownMarker(dir);
        List<Long> bases = listSegments(dir, rec);
        rec.segmentsFound(bases.size());
        LogMarker startMarker = new LogMarker(dir, LogMarker.LOG_START, 1);
        Optional<long[]> recorded = startMarker.read();
        // A log written before the start was recorded starts at its first segment.
        long logStart = recorded.map(v -> v[0]).orElse(bases.isEmpty() ? 0L : bases.get(0));
        if (recorded.isEmpty()) {
            startMarker.write(logStart);
        }
        dropExpired(dir, bases, logStart, rec);
        ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();
        Segment last;
        try {
            for (int i = 0; i < bases.size() - 1; i++) {
                Segment s = Segment.openSealed(dir, bases.get(i), config.indexIntervalBytes(), rec, damage);
                s.useKey(SegmentKey.find(dir, s.baseOffset).orElse(null));
                if (s.isEmpty() && s.unreadableTail().isEmpty()) {
                    // Nothing to read; the next segment's name keeps the offsets.
                    s.delete();
                    rec.deleted(s.logFile);
                } else {
                    add(segments, s);
                }
            }
            if (bases.isEmpty()) {
                last = Segment.create(dir, logStart);
            } else {
                long base = bases.get(bases.size() - 1);
                long cleanSize = clean.filter(c -> c[0] == base).map(c -> c[1]).orElse(-1L);
                last = Segment.openActive(dir, base, config.indexIntervalBytes(), cleanSize, rec, damage);
                last.useKey(SegmentKey.find(dir, base).orElse(null));
            }
            add(segments, last);
        } catch (IOException | RuntimeException e) {
            segments.values().forEach(LogLoader::closeQuietly);
            throw e;
        }
        recordGaps(segments, logStart, damage);
        deleteOrphanIndexes(dir, segments, rec);
        return new Loaded(segments, logStart, rec.report(last.nextOffset(), damage.from(logStart)));
    }

    /**
     * Reads and deletes the clean-shutdown marker, durably, before anything can be appended: a marker must
     * never outlive the state it describes. Returns {base, size} of the last segment at the shutdown.
     */
    private static Optional<long[]> takeCleanShutdownMarker(Path dir) throws IOException {
        LogMarker marker = new LogMarker(dir, LogMarker.CLEAN_SHUTDOWN, 2);
        Optional<long[]> clean = marker.read();
        marker.delete();
        return clean;
    }

    /** Base offsets of the segment files, sorted; deletes temporary files on the way. */
    private static List<Long> listSegments(Path dir, Recovery rec) throws IOException {
        List<Long> bases = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.endsWith(".tmp")) {
                    Files.delete(f);
                    rec.deleted(f);
                } else if (name.matches("\\d{20}\\.log")) {
                    bases.add(Long.parseLong(name.substring(0, 20)));
                }
            }
        }
        bases.sort(Comparator.naturalOrder());
        return bases;
    }

    /** Deletes segments wholly below the log start: retention recorded the start, then stopped before deleting them. */
    private static void dropExpired(Path dir, List<Long> bases, long logStart, Recovery rec) throws IOException {
        while (bases.size() > 1 && bases.get(1) <= logStart) {
            long base = bases.remove(0);
            for (String ext : new String[] {".log", ".index", ".timeindex", ".key"}) {
                Path f = dir.resolve(Segment.name(base, ext));
                if (Files.deleteIfExists(f)) {
                    rec.deleted(f);
                }
            }
        }
    }

    private static void add(ConcurrentSkipListMap<Long, Segment> segments, Segment s) throws IOException {
        Map.Entry<Long, Segment> prev = segments.lastEntry();
        if (prev != null && prev.getValue().nextOffset() > s.baseOffset) {
            s.close();
            throw new IOException("Segments overlap: " + prev.getValue().logFile + " ends at offset "
                    + prev.getValue().nextOffset() + " after " + s.logFile + " starts; refusing to guess which to keep");
        }
        segments.put(s.baseOffset, s);
    }

    /**
     * Offsets from the log start on that no segment holds were handed out once: a segment file is missing,
     * or a sealed one ends in bytes without an intact frame. Each such run becomes a damaged range.
     */
    private static void recordGaps(ConcurrentSkipListMap<Long, Segment> segments, long logStart, DamageMap damage) {
        long expected = logStart;
        Segment prev = null;
        for (Segment s : segments.values()) {
            Optional<Segment.UnreadableTail> tail = prev == null ? Optional.empty() : prev.unreadableTail();
            if (s.baseOffset > expected) {
                long from = expected;
                String prevName = prev == null ? "" : prev.logFile.getFileName().toString();
                damage.add(tail.map(t -> new DamagedRange(from, s.baseOffset - 1, prevName, t.position(), t.bytes(), t.reason()))
                        .orElseGet(() -> new DamagedRange(from, s.baseOffset - 1, Segment.name(from, ".log"), -1, 0, "segment file missing")));
            } else if (tail.isPresent()) {
                LOG.warn("{}: {} bytes at byte {} hold no record ({}); ignoring them", prev, tail.get().bytes(),
                        tail.get().position(), tail.get().reason());
            }
            expected = s.nextOffset();
            prev = s;
        }
    }

    private static void deleteOrphanIndexes(Path dir, Map<Long, Segment> segments, Recovery rec) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.matches("\\d{20}\\.(index|timeindex|key)") && !segments.containsKey(Long.parseLong(name.substring(0, 20)))) {
                    Files.delete(f);
                    rec.deleted(f);
                }
            }
        }
    }

    static void closeQuietly(Segment s) {
        try {
            s.close();
        } catch (IOException e) {
            LOG.warn("Closing {} failed", s, e);
        }
    }
}
