package io.riffle.log;

import io.riffle.log.crypto.FrameSeal;
import io.riffle.log.crypto.Keyring;
import io.riffle.model.Record;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.Lock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read path of a {@link ShardLog}: scans segments from the sparse index entry before the wanted
 * offset and verifies every frame it passes (length, CRC32C, version, and that offsets follow each other).
 * Damage is never skipped for a reader that needs what it holds: a read that reaches a {@link DamagedRange}
 * returns the records before it, or fails with {@link CorruptLogException} when there are none. Damage
 * found here for the first time is located (the next intact frame is searched for, see {@link FrameSearch})
 * and recorded, so reads beyond it go on from that frame. Any thread, concurrently with the writer.
 */
final class LogReader {
    private static final Logger LOG = LoggerFactory.getLogger(LogReader.class);

    private final Path dir;
    private final ConcurrentSkipListMap<Long, Segment> segments;
    private final DamageMap damage;
    /** The writer's lock, taken only to locate new damage: it gives the active segment's size and next offset together. */
    private final Lock writeLock;
    private final LongSupplier startOffset;
    private final Supplier<Keyring> keyring;

    LogReader(Path dir, ConcurrentSkipListMap<Long, Segment> segments, DamageMap damage, Lock writeLock, LongSupplier startOffset,
              Supplier<Keyring> keyring) {
        this.keyring = keyring;
        this.dir = dir;
        this.segments = segments;
        this.damage = damage;
        this.writeLock = writeLock;
        this.startOffset = startOffset;
    }

    /**
     * Reads records from {@code from} (at or above the log's start) below {@code end}, skipping those that
     * arrived before {@code cutoff}, up to the bounds (at least one record if any).
     */
    List<Record> read(long from, long end, long cutoff, int maxRecords, long maxBytes) throws IOException {
        List<Record> out = new ArrayList<>(Math.min(maxRecords, 1024));
        long[] bytes = {0};
        int chunk = (int) Math.min(256 << 10, Math.max(8 << 10, Math.min(maxBytes, (long) maxRecords * 256) + Frames.OVERHEAD));
        long next = from;
        while (next < end) {
            Optional<DamagedRange> known = damage.covering(next);
            if (known.isPresent()) {
                return stopAt(known.get(), out);
            }
            Map.Entry<Long, Segment> e = segments.floorEntry(next);
            if (e == null || next >= e.getValue().nextOffset()) {
                // Every hole was recorded as damage at open; a new one is retention deleting under this read
                // (its records expired: go on after them), or a segment vanished, which is never skipped.
                long start = startOffset.getAsLong();
                if (next < start) {
                    next = start;
                    continue;
                }
                throw new IOException("Shard log " + dir + ": no segment holds offset " + next);
            }
            next = readSegment(e.getValue(), next, end, cutoff, maxRecords, maxBytes, chunk, out, bytes);
            if (next < 0) {
                return out;
            }
        }
        return out;
    }

    private static List<Record> stopAt(DamagedRange d, List<Record> out) throws CorruptLogException {
        if (out.isEmpty()) {
            throw new CorruptLogException(d);
        }
        return out;
    }

    /**
     * Appends the records of one segment from {@code from} to out; returns the offset to continue at in
     * the next segment, or -1 when a bound or damage ended the read.
     */
    private long readSegment(Segment seg, long from, long end, long cutoff, int maxRecords, long maxBytes, int chunk,
                             List<Record> out, long[] bytes) throws IOException {
        long[] entry = seg.entryFor(from);
        long expected = entry[1];
        FrameScanner sc = new FrameScanner(seg.channel(), entry[0], seg.size(), chunk);
        boolean first = entry[0] > 0;
        FrameSeal opener = null;
        while (true) {
            FrameScanner.Status st = sc.next();
            if (st == FrameScanner.Status.END) {
                return expected;
            }
            boolean intact = st == FrameScanner.Status.FRAME && sc.offset == expected;
            if (!intact && first && damage.covering(expected).isEmpty()) {
                // The index pointed at something odd that is not known damage: it is derived data, so fall
                // back to the log itself (the scan from the start meets the damage, if it is damage, once).
                LOG.warn("Shard log {}: index of {} gave byte {} for offset {}; scanning the segment from its start", dir, seg, entry[0], from);
                sc = new FrameScanner(seg.channel(), 0, seg.size(), chunk);
                expected = seg.baseOffset;
                first = false;
                continue;
            }
            first = false;
            if (!intact) {
                String problem = st == FrameScanner.Status.FRAME ? "offset " + sc.offset + " where " + expected + " was expected" : sc.problem;
                Resume r = locate(seg, sc.framePosition, expected, problem);
                if (r.range.isPresent() && r.range.get().toOffset() >= from) {
                    stopAt(r.range.get(), out);
                    return -1;
                }
                expected = r.offset;
                sc = new FrameScanner(seg.channel(), r.position, seg.size(), chunk);
                continue;
            }
            expected = sc.offset + 1;
            if (sc.offset >= end) {
                return -1;
            }
            if (sc.offset < from || sc.arrival < cutoff) {
                continue;
            }
            // The plain path first, as it was before encryption existed: the size check needs no decryption.
            Record rec = null;
            if (sc.sealed) {
                if (opener == null) {
                    try {
                        opener = sealOf(seg);
                    } catch (KeyUnavailableException e) {
                        // As with damage: what was read before the sealed records is returned, the next read fails.
                        if (out.isEmpty()) {
                            throw e;
                        }
                        return -1;
                    }
                }
                rec = open(opener, sc, seg);
            }
            int dataLength = rec == null ? sc.dataLength : rec.data().length;
            if (!out.isEmpty() && bytes[0] + dataLength > maxBytes) {
                return -1;
            }
            out.add(rec != null ? rec : new Record(sc.offset, sc.arrival, sc.key(), sc.data()));
            bytes[0] += dataLength;
            if (out.size() >= maxRecords) {
                return -1;
            }
        }
    }

    private FrameSeal sealOf(Segment seg) throws IOException {
        SegmentKey k = seg.key();
        if (k == null) {
            throw new IOException("Shard log " + dir + ": " + seg + " holds sealed frames but has no key sidecar");
        }
        return k.readerSeal(keyring.get());
    }

    /** Decrypts the sealed frame the scanner is on ({@code uint16 K | key | data}). */
    private Record open(FrameSeal opener, FrameScanner sc, Segment seg) throws IOException {
        byte[] plain = opener.open(Frames.SEALED_VERSION, sc.offset, sc.arrival, sc.buffer(), sc.dataStart, sc.dataLength)
                .orElseThrow(() -> new IOException("Shard log " + dir + ": the sealed record at offset " + sc.offset + " of " + seg
                        + " does not decrypt with its segment's key (its CRC is sound: wrong key or deliberate change)"));
        int k = ((plain[0] & 0xff) << 8) | (plain[1] & 0xff);
        if (k > plain.length - 2) {
            throw new IOException("Shard log " + dir + ": the sealed record at offset " + sc.offset + " of " + seg + " has a bad key length");
        }
        return new Record(sc.offset, sc.arrival, new String(plain, 2, k, StandardCharsets.UTF_8),
                Arrays.copyOfRange(plain, 2 + k, plain.length), true);
    }

    /** Where scanning goes on after bad bytes: the damaged range they belong to (if they hid records), and the next intact frame. */
    private record Resume(Optional<DamagedRange> range, long position, long offset) {
    }

    /** Finds (or looks up) the extent of bad bytes met at {@code bad} where offset {@code expected} should start. */
    private Resume locate(Segment seg, long bad, long expected, String problem) throws IOException {
        Optional<DamagedRange> known = damage.covering(expected);
        if (known.isPresent()) {
            return new Resume(known, known.get().resumePosition(), known.get().toOffset() + 1);
        }
        writeLock.lock();
        try {
            long size = seg.size();
            long nextOffset = seg.nextOffset();
            if (expected >= nextOffset) {
                LOG.warn("Shard log {}: bytes from {} of {} hold no record ({}); ignoring them", dir, bad, seg, problem);
                return new Resume(Optional.empty(), size, expected);
            }
            Optional<FrameSearch.Found> found = FrameSearch.next(seg.channel(), bad + 1, size, expected, nextOffset - 1);
            if (found.isPresent() && found.get().offset() == expected) {
                LOG.warn("Shard log {}: {} bytes at byte {} of {} hold no record ({}); skipping them", dir,
                        found.get().position() - bad, bad, seg, problem);
                return new Resume(Optional.empty(), found.get().position(), expected);
            }
            String file = seg.logFile.getFileName().toString();
            DamagedRange d = damage.add(found
                    .map(f -> new DamagedRange(expected, f.offset() - 1, file, bad, f.position() - bad, problem))
                    .orElseGet(() -> new DamagedRange(expected, nextOffset - 1, file, bad, size - bad, problem)));
            return new Resume(Optional.of(d), d.resumePosition(), d.toOffset() + 1);
        } finally {
            writeLock.unlock();
        }
    }
}
