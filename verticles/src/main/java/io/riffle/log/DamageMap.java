package io.riffle.log;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The damaged ranges found in one shard log so far, by first offset. Any thread: recovery adds what it
 * finds at open, reads add what they find later; each range is logged and counted once.
 */
final class DamageMap {
    private static final Logger LOG = LoggerFactory.getLogger(DamageMap.class);

    private final Path dir;
    private final ConcurrentSkipListMap<Long, DamagedRange> ranges = new ConcurrentSkipListMap<>();
    private final AtomicLong records = new AtomicLong();

    DamageMap(Path dir) {
        this.dir = dir;
    }

    /** Records a range unless one overlapping it is known already; returns the range now on record. */
    DamagedRange add(DamagedRange r) {
        Optional<DamagedRange> known = covering(r.fromOffset());
        if (known.isPresent()) {
            return known.get();
        }
        DamagedRange raced = ranges.putIfAbsent(r.fromOffset(), r);
        if (raced != null) {
            return raced;
        }
        records.addAndGet(r.records());
        if (r.bytePosition() < 0) {
            LOG.error("Shard log {}: offsets {}..{} are unreadable: {} ({}); reads of them fail, later records stay readable",
                    dir, r.fromOffset(), r.toOffset(), r.reason(), r.segment());
        } else {
            LOG.error("Shard log {}: offsets {}..{} are unreadable: {} in {} at byte {} ({} bytes); reads of them fail, later records stay readable",
                    dir, r.fromOffset(), r.toOffset(), r.reason(), r.segment(), r.bytePosition(), r.bytes());
        }
        return r;
    }

    Optional<DamagedRange> covering(long offset) {
        Map.Entry<Long, DamagedRange> e = ranges.floorEntry(offset);
        return e != null && e.getValue().covers(offset) ? Optional.of(e.getValue()) : Optional.empty();
    }

    /** Known ranges that still hold an offset at or above {@code from}, oldest first. */
    List<DamagedRange> from(long from) {
        return ranges.values().stream().filter(r -> r.toOffset() >= from).toList();
    }

    /** Forgets ranges wholly below {@code offset} (their segments were deleted by retention). */
    void forgetBelow(long offset) {
        ranges.headMap(offset).values().removeIf(r -> r.toOffset() < offset);
    }

    /** Unreadable records found since the log was opened (recovery's included); only grows. */
    long recordsFound() {
        return records.get();
    }
}
