package io.riffle.log;

import io.riffle.model.Record;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.charset.StandardCharsets;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable, append-only log of one shard: a directory of {@link Segment segments} named by their base
 * offset ({@code 00000000000000000000.log}, {@code .index}, {@code .timeindex}; frame layout in
 * {@link Frames}, index layout in {@link SparseIndex}) plus a {@code .lock} file held while open.
 *
 * <p><b>Threads.</b> One writer at a time calls {@link #append}, {@link #flush}, {@link #enforceRetention},
 * {@link #setRetentionMillis} and {@link #close}, possibly from different threads one after another (an
 * uncontended lock gives the happens-before). Reads ({@link #read}, offsets, lookups) are lock-free and may
 * run on any thread concurrently with the writer: they see a batch only once {@code append} returned it.
 *
 * <p><b>Offsets</b> start at 0 and never go back: the last segment is kept (empty if needed) and its file
 * name carries the next offset across restarts, even after retention deleted every record.
 *
 * <p><b>Recovery</b> ({@link #open}): the last segment is verified frame by frame (it is the only one that
 * can hold unsynced bytes: a segment is fsynced when rolled) and cut at the first torn or corrupt frame,
 * unless {@link #close} recorded a clean shutdown ({@code .clean-shutdown}: base offset and size of the last
 * segment, written after its final fsync and index; deleted durably by open before anything else) and the
 * segment still has exactly that size: then it is opened like the earlier segments.
 * Earlier segments are trusted up to their last index entry and verified after it; a missing or invalid
 * index makes the whole segment verified and its index rebuilt. A bad frame in an earlier segment cuts
 * that segment there but keeps the later ones (unlike Kafka, which drops everything after): dropping them
 * would lose more acknowledged records and let new records reuse their offsets, hence their sequence
 * numbers. Reads skip the resulting gap. When valid frames are found behind a bad one in the last segment,
 * the next offset is moved past them for the same reason. Every cut is logged and reported in
 * {@link #recovery()}. Bit rot that a read finds later in a trusted part is logged as an error and skipped
 * up to the next index entry, so consumers are never stuck behind it.
 *
 * <p><b>Durability.</b> Under {@link FsyncPolicy#PER_BATCH} an acknowledged record survives a process crash
 * and a power loss. Under {@link FsyncPolicy#INTERVAL} it survives a process crash (kill -9: the page cache
 * keeps it); a power loss can drop up to one interval, and those offsets are then handed out again.
 *
 * <p><b>Errors.</b> A failed write is rolled back by truncating to the last published position; the log
 * stays readable and writable. A failed fsync, or a failed rollback, makes the log refuse further writes
 * (a sticky error) because it can no longer vouch for what is on disk; reopening re-verifies it.
 */
public final class ShardLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ShardLog.class);
    private static final int MAX_READ_CHUNK = 256 << 10;
    /** Written by {@link #close}: "base size" of the active segment, whose index files are then current. */
    private static final String CLEAN_SHUTDOWN = ".clean-shutdown";

    private final Path dir;
    private final LogConfig config;
    private final Clock clock;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final RecoveryReport recovery;
    private final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final CRC32C crc = new CRC32C();

    private volatile Segment active;
    private volatile long endOffset;
    private volatile long lastArrival;
    private volatile long retentionMillis;
    /** Offsets below this expired under an earlier retention setting; only grows. Set by the writer. */
    private volatile long hiddenBelow;
    private volatile boolean closed;

    /** Writer state, guarded by writeLock. */
    private IOException stickyError;
    private ByteBuffer writeBuffer = ByteBuffer.allocateDirect(1 << 20);
    private int[] keyBytes = new int[512];

    private ShardLog(Path dir, LogConfig config, Clock clock, FileChannel lockChannel, FileLock lock) throws IOException {
        this.dir = dir;
        this.config = config;
        this.clock = clock;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.retentionMillis = config.retentionMillis();
        this.recovery = recover();
    }

    /**
     * Opens (creating the directory if missing) and recovers the log; see the class comment for what
     * recovery verifies, truncates and rebuilds. Fails if another ShardLog holds the directory.
     */
    public static ShardLog open(Path dir, LogConfig config, Clock clock) throws IOException {
        Files.createDirectories(dir);
        FileChannel lockChannel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            lockChannel.close();
            throw new IOException("Shard log " + dir + " is already open by another ShardLog");
        }
        try {
            return new ShardLog(dir, config, clock, lockChannel, lock);
        } catch (IOException | RuntimeException e) {
            lockChannel.close();
            throw e;
        }
    }

    private RecoveryReport recover() throws IOException {
        Recovery rec = new Recovery(dir);
        long[] clean = takeCleanShutdownMarker();
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
        rec.segmentsFound(bases.size());
        try {
            for (int i = 0; i < bases.size() - 1; i++) {
                Segment s = Segment.openSealed(dir, bases.get(i), config.indexIntervalBytes(), rec);
                if (s.isEmpty()) {
                    // Nothing to read; the next segment's name keeps the offsets.
                    s.delete();
                    rec.deleted(s.logFile);
                } else {
                    addRecovered(s);
                }
            }
            Segment last;
            if (bases.isEmpty()) {
                last = Segment.create(dir, 0);
            } else {
                long base = bases.get(bases.size() - 1);
                long cleanSize = clean != null && clean[0] == base ? clean[1] : -1;
                last = Segment.openActive(dir, base, config.indexIntervalBytes(), cleanSize, rec);
            }
            addRecovered(last);
            active = last;
            endOffset = last.nextOffset();
            if (rec.highestDroppedOffset() >= endOffset) {
                // Offsets up to there were handed out (their frames sit behind a bad one): never reuse them.
                rollTo(rec.highestDroppedOffset() + 1);
            }
        } catch (IOException | RuntimeException e) {
            segments.values().forEach(this::closeQuietly);
            throw e;
        }
        deleteOrphanIndexes(rec);
        lastArrival = segments.values().stream().mapToLong(Segment::lastArrival).max().orElse(-1);
        return rec.report(endOffset);
    }

    /**
     * Reads and deletes the clean-shutdown marker, durably, before anything can be appended: a marker must
     * never outlive the state it describes. Returns {base, size} or null.
     */
    private long[] takeCleanShutdownMarker() throws IOException {
        Path marker = dir.resolve(CLEAN_SHUTDOWN);
        if (!Files.exists(marker)) {
            return null;
        }
        String[] parts = Files.readString(marker, StandardCharsets.US_ASCII).trim().split(" ");
        Files.delete(marker);
        Segment.fsyncDirectory(dir);
        try {
            return parts.length == 2 ? new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])} : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** After the final fsync: writes the active segment's index files and the marker that lets open() trust them. */
    private void writeCleanShutdownMarker() {
        try {
            if (!active.isEmpty()) {
                active.writeIndexFiles();
            }
            Path tmp = dir.resolve(CLEAN_SHUTDOWN + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(ByteBuffer.wrap((active.baseOffset + " " + active.size() + "\n").getBytes(StandardCharsets.US_ASCII)));
                ch.force(true);
            }
            Files.move(tmp, dir.resolve(CLEAN_SHUTDOWN), StandardCopyOption.ATOMIC_MOVE);
            Segment.fsyncDirectory(dir);
        } catch (IOException e) {
            LOG.warn("Shard log {}: could not record the clean shutdown; the next open verifies the last segment fully", dir, e);
        }
    }

    private void addRecovered(Segment s) throws IOException {
        Map.Entry<Long, Segment> prev = segments.lastEntry();
        if (prev != null && prev.getValue().nextOffset() > s.baseOffset) {
            s.close();
            throw new IOException("Segments overlap: " + prev.getValue().logFile + " ends at offset "
                    + prev.getValue().nextOffset() + " after " + s.logFile + " starts; refusing to guess which to keep");
        }
        segments.put(s.baseOffset, s);
    }

    private void deleteOrphanIndexes(Recovery rec) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.matches("\\d{20}\\.(index|timeindex)") && !segments.containsKey(Long.parseLong(name.substring(0, 20)))) {
                    Files.delete(f);
                    rec.deleted(f);
                }
            }
        }
    }

    /** What {@link #open} verified, truncated, rebuilt and deleted. */
    public RecoveryReport recovery() {
        return recovery;
    }

    /**
     * Appends the batch as consecutive records with one write (and, under {@link FsyncPolicy#PER_BATCH},
     * one fsync) and returns the offset of the first. Arrival times are clamped to be non-decreasing.
     * Readers see the batch only once this returns. On an I/O error nothing of the batch becomes visible
     * and the log stays readable.
     *
     * @throws IOException              the write failed (message names file, offset and cause), or the log
     *                                  is closed or refuses writes after an earlier fsync failure
     * @throws IllegalArgumentException a key or data is larger than a frame allows, or the batch is over 1 GiB
     */
    public long append(List<AppendRecord> batch) throws IOException {
        writeLock.lock();
        try {
            checkWritable();
            int n = batch.size();
            if (n == 0) {
                return endOffset;
            }
            if (keyBytes.length < n) {
                keyBytes = new int[Math.max(n, keyBytes.length * 2)];
            }
            long total = 0;
            for (int i = 0; i < n; i++) {
                AppendRecord r = batch.get(i);
                int kb = Frames.keyBytes(r.partitionKey());
                if (kb > Frames.MAX_KEY_BYTES || r.data().length > Frames.MAX_DATA_BYTES) {
                    throw new IllegalArgumentException("Record " + i + " of the batch is too large for a frame: key "
                            + kb + " bytes (max " + Frames.MAX_KEY_BYTES + "), data " + r.data().length + " bytes (max " + Frames.MAX_DATA_BYTES + ")");
                }
                keyBytes[i] = kb;
                total += Frames.frameSize(kb, r.data().length);
            }
            if (total > LogConfig.MAX_SEGMENT_BYTES) {
                throw new IllegalArgumentException("Batch of " + n + " records takes " + total + " bytes, more than " + LogConfig.MAX_SEGMENT_BYTES);
            }
            Segment seg = active;
            if (!seg.isEmpty() && (seg.size() + total > config.segmentBytes()
                    || clock.millis() - seg.firstArrival() >= config.segmentMaxAgeMillis())) {
                seg = roll();
            }
            if (writeBuffer.capacity() < total) {
                writeBuffer = ByteBuffer.allocateDirect((int) Math.max(total, Math.min(2L * writeBuffer.capacity(), LogConfig.MAX_SEGMENT_BYTES)));
            }
            long first = endOffset;
            long arrival;
            try {
                arrival = seg.write(batch, keyBytes, lastArrival, writeBuffer, crc, config.indexIntervalBytes());
            } catch (IOException e) {
                throw rollBack(seg, describe(n, total, first, seg, "write", e), false);
            } catch (RuntimeException e) {
                rollBack(seg, new IOException("Append of " + n + " records failed before it was written: " + e, e), false);
                throw e;
            }
            if (config.fsyncPolicy() == FsyncPolicy.PER_BATCH) {
                try {
                    seg.force();
                } catch (IOException e) {
                    throw rollBack(seg, describe(n, total, first, seg, "fsync", e), true);
                }
            }
            seg.publish();
            lastArrival = arrival;
            endOffset = first + n;
            return first;
        } finally {
            writeLock.unlock();
        }
    }

    private static IOException describe(int n, long total, long first, Segment seg, String step, IOException cause) {
        return new IOException("Append of " + n + " records (" + total + " bytes) at offset " + first + " to "
                + seg.logFile + " failed in " + step + ", none of them was stored: " + cause, cause);
    }

    /**
     * Cuts the segment back to its last published state and returns the failure to throw. After a failed
     * fsync the kernel may have dropped dirty pages, so further writes are refused (sticky), as they are when
     * the rollback itself fails.
     */
    private IOException rollBack(Segment seg, IOException failure, boolean fsyncFailed) {
        try {
            seg.rollback();
        } catch (IOException e) {
            failure.addSuppressed(e);
            stickyError = failure;
            LOG.error("Shard log {}: rollback after a failed append failed too; refusing further writes", dir, e);
            return failure;
        }
        if (fsyncFailed) {
            stickyError = failure;
            LOG.error("Shard log {}: fsync failed; refusing further writes until reopened", dir, failure);
        } else {
            LOG.warn("Shard log {}: append failed and was rolled back: {}", dir, failure.getMessage());
        }
        return failure;
    }

    /** Seals the active segment and starts a new one at the end offset. Writer only. */
    private Segment roll() throws IOException {
        return rollTo(endOffset);
    }

    private Segment rollTo(long base) throws IOException {
        Segment old = active;
        Segment fresh = Segment.create(dir, base);
        if (old.isEmpty()) {
            // An empty segment holds nothing; the new name carries the offsets.
            segments.remove(old.baseOffset);
            old.delete();
        } else {
            try {
                old.seal();
            } catch (IOException e) {
                fresh.delete();
                stickyError = new IOException("fsync of " + old.logFile + " failed while rolling; refusing further writes: " + e, e);
                throw stickyError;
            }
        }
        segments.put(fresh.baseOffset, fresh);
        active = fresh;
        endOffset = base;
        LOG.debug("Shard log {}: rolled to a new segment at offset {}", dir, base);
        return fresh;
    }

    private void checkWritable() throws IOException {
        if (closed) {
            throw new IOException("Shard log " + dir + " is closed");
        }
        if (stickyError != null) {
            throw new IOException("Shard log " + dir + " refuses writes after an earlier failure: " + stickyError.getMessage(), stickyError);
        }
    }

    /** Fsyncs everything written. Under {@link FsyncPolicy#INTERVAL} the owner calls it every fsyncIntervalMillis. */
    public void flush() throws IOException {
        writeLock.lock();
        try {
            checkWritable();
            try {
                active.force();
            } catch (IOException e) {
                stickyError = new IOException("fsync of " + active.logFile + " failed; refusing further writes: " + e, e);
                throw stickyError;
            }
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Reads from max(fromOffset, {@link #startOffset()}) at most maxRecords records and maxBytes bytes of
     * data, but always at least one record if one is available. Never returns a record older than
     * retention. Thread-safe, lock-free, concurrent with appends and retention.
     *
     * <p>A corrupt frame found here (bit rot in a segment that recovery trusted up to its index) is logged
     * as an error naming file and byte, and the read continues at the next index entry: readers are never
     * stuck behind it, and the records in between are skipped like a recovery gap.
     *
     * @throws IOException if the log is closed
     */
    public List<Record> read(long fromOffset, int maxRecords, long maxBytes) throws IOException {
        if (maxRecords <= 0 || maxBytes <= 0) {
            throw new IllegalArgumentException("maxRecords and maxBytes must be positive: " + maxRecords + ", " + maxBytes);
        }
        for (int attempt = 0; ; attempt++) {
            checkOpen();
            try {
                return readOnce(fromOffset, maxRecords, maxBytes);
            } catch (ClosedChannelException e) {
                afterClosedChannel(e, attempt);
            }
        }
    }

    private List<Record> readOnce(long fromOffset, int maxRecords, long maxBytes) throws IOException {
        long end = endOffset;
        long cutoff = clock.millis() - retentionMillis;
        long next = Math.max(fromOffset, startOffset());
        List<Record> out = new ArrayList<>(Math.min(maxRecords, 1024));
        if (next >= end) {
            return out;
        }
        long[] bytes = {0};
        int chunk = (int) Math.min(MAX_READ_CHUNK, Math.max(8 << 10, Math.min(maxBytes, (long) maxRecords * 256) + Frames.OVERHEAD));
        Map.Entry<Long, Segment> e = segments.floorEntry(next);
        if (e == null) {
            e = segments.ceilingEntry(next);
        }
        while (e != null) {
            Segment seg = e.getValue();
            if (next < seg.nextOffset() && !readSegment(seg, next, end, cutoff, maxRecords, maxBytes, chunk, out, bytes)) {
                break;
            }
            if (!out.isEmpty()) {
                next = out.get(out.size() - 1).offset() + 1;
            }
            if (next >= end) {
                break;
            }
            e = segments.higherEntry(seg.baseOffset);
            if (e != null) {
                next = Math.max(next, e.getKey());
            }
        }
        return out;
    }

    /** Appends records of one segment to out; false when a bound was reached and the read is complete. */
    private boolean readSegment(Segment seg, long from, long end, long cutoff, int maxRecords, long maxBytes, int chunk,
                                List<Record> out, long[] bytes) throws IOException {
        long start = seg.positionFor(from);
        FrameScanner sc = new FrameScanner(seg.channel(), start, seg.size(), chunk);
        boolean first = true;
        while (true) {
            FrameScanner.Status st = sc.next();
            if (st == FrameScanner.Status.END) {
                return true;
            }
            boolean bad = st != FrameScanner.Status.FRAME || first && sc.offset > from && start > 0;
            if (bad && first && start > 0) {
                // The index pointed at something odd: it is derived data, so fall back to the log itself.
                LOG.warn("Shard log {}: index of {} gave byte {} for offset {}; scanning the segment from its start", dir, seg, start, from);
                sc = new FrameScanner(seg.channel(), 0, seg.size(), chunk);
                start = 0;
                continue;
            }
            if (st != FrameScanner.Status.FRAME) {
                // Bit rot inside what was once written and verified. Failing every read here would leave
                // consumers stuck forever, so skip to the next index entry (a known frame start): those
                // records are lost, like a gap left by recovery, and the error says exactly which bytes.
                long resume = seg.resumePositionAfter(sc.framePosition);
                LOG.error("Shard log {}: {}; skipping to byte {} of the segment", dir, seg.corrupt(sc).getMessage(),
                        resume < 0 ? "its end" : Long.toString(resume));
                if (resume < 0) {
                    return true;
                }
                sc = new FrameScanner(seg.channel(), resume, seg.size(), chunk);
                first = false;
                continue;
            }
            first = false;
            if (sc.offset >= end) {
                return false;
            }
            if (sc.offset < from || sc.arrival < cutoff) {
                continue;
            }
            if (!out.isEmpty() && bytes[0] + sc.dataLength > maxBytes) {
                return false;
            }
            out.add(new Record(sc.offset, sc.arrival, sc.key(), sc.data()));
            bytes[0] += sc.dataLength;
            if (out.size() >= maxRecords) {
                return false;
            }
        }
    }

    /**
     * Oldest offset still readable: the first record not older than retention (and not hidden by an earlier,
     * shorter retention, see {@link #setRetentionMillis}), or {@link #endOffset()}.
     */
    public long startOffset() {
        return Math.max(hiddenBelow, offsetForTimestamp(clock.millis() - retentionMillis));
    }

    /** Offset the next appended record gets; every record below it is visible. */
    public long endOffset() {
        return endOffset;
    }

    /**
     * First offset whose arrival is >= epochMillis, or {@link #endOffset()} if none; found through the time
     * index and a scan of at most one index interval.
     *
     * @throws UncheckedIOException if that interval holds a corrupt frame
     */
    public long offsetForTimestamp(long epochMillis) {
        long end = endOffset;
        for (int attempt = 0; ; attempt++) {
            try {
                for (Segment seg : segments.values()) {
                    if (!seg.isEmpty() && seg.lastArrival() >= epochMillis) {
                        long found = seg.firstArrival() >= epochMillis ? seg.baseOffset : seg.offsetForTimestamp(epochMillis);
                        return Math.min(found, end);
                    }
                }
                return end;
            } catch (ClosedChannelException e) {
                try {
                    afterClosedChannel(e, attempt);
                } catch (IOException failure) {
                    throw new UncheckedIOException(failure);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * A read found a channel closed: retention deleted the segment under it (its records expired, so the
     * caller starts again after them), or an interrupted reader closed the channel for everyone (reopen it,
     * and fail that reader's call). Returns when the caller should retry.
     */
    private void afterClosedChannel(ClosedChannelException e, int attempt) throws IOException {
        for (Segment s : segments.values()) {
            s.reopenIfClosedByInterrupt();
        }
        if (e instanceof ClosedByInterruptException) {
            InterruptedIOException interrupted = new InterruptedIOException("Read of shard log " + dir + " was interrupted");
            interrupted.initCause(e);
            throw interrupted;
        }
        if (closed || attempt >= 3) {
            throw new IOException("Shard log " + dir + " was closed during a read", e);
        }
    }

    /** Forgets every softly held segment index, as the GC does under memory pressure (for tests). */
    void dropCachedIndexes() {
        segments.values().forEach(Segment::dropCachedIndex);
    }

    /** Arrival of the newest record appended (or recovered), or -1 if the log never held one. */
    public long lastArrivalMillis() {
        return lastArrival;
    }

    /**
     * Changes retention; reads apply it at once, {@link #enforceRetention()} deletes the files. As in Kinesis,
     * increasing retention does not bring back records that had already expired: the start offset never
     * moves back while the log is open. (After a restart, records of a segment that retention had not
     * deleted yet could reappear; call {@code enforceRetention()} after shrinking retention.) Writer only.
     */
    public void setRetentionMillis(long retentionMillis) {
        if (retentionMillis <= 0) {
            throw new IllegalArgumentException("retentionMillis must be positive: " + retentionMillis);
        }
        hiddenBelow = startOffset();
        this.retentionMillis = retentionMillis;
    }

    /**
     * Deletes whole segments whose newest record is older than retention, oldest first; the active segment
     * is rolled first if it is wholly expired, so an empty active segment always remains. Writer only.
     *
     * @return the number of segments deleted
     */
    public int enforceRetention() throws IOException {
        writeLock.lock();
        try {
            checkOpen();
            long cutoff = clock.millis() - retentionMillis;
            if (!active.isEmpty() && (active.lastArrival() < cutoff || active.nextOffset() <= hiddenBelow) && stickyError == null) {
                roll();
            }
            int deleted = 0;
            for (Segment seg : segments.values()) {
                if (seg == active || !seg.isEmpty() && seg.lastArrival() >= cutoff && seg.nextOffset() > hiddenBelow) {
                    break;
                }
                segments.remove(seg.baseOffset);
                seg.delete();
                deleted++;
                LOG.info("Shard log {}: retention deleted {} (offsets {}..{})", dir, seg.logFile.getFileName(), seg.baseOffset, seg.nextOffset() - 1);
            }
            return deleted;
        } finally {
            writeLock.unlock();
        }
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new IOException("Shard log " + dir + " is closed");
        }
    }

    /** Fsyncs (unless an earlier fsync failed) and closes every file. Idempotent. */
    @Override
    public void close() throws IOException {
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            IOException failure = null;
            if (stickyError == null) {
                try {
                    active.force();
                    writeCleanShutdownMarker();
                } catch (IOException e) {
                    failure = e;
                }
            }
            for (Segment s : segments.values()) {
                closeQuietly(s);
            }
            lock.release();
            lockChannel.close();
            if (failure != null) {
                throw new IOException("fsync of " + active.logFile + " failed while closing " + dir + ": " + failure, failure);
            }
        } finally {
            writeLock.unlock();
        }
    }

    private void closeQuietly(Segment s) {
        try {
            s.close();
        } catch (IOException e) {
            LOG.warn("Shard log {}: closing {} failed", dir, s, e);
        }
    }

    /** Closes the log and deletes its whole directory. */
    public void deleteAll() throws IOException {
        try {
            close();
        } finally {
            if (Files.exists(dir)) {
                try (Stream<Path> files = Files.walk(dir)) {
                    for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }

    @Override
    public String toString() {
        return "ShardLog[" + dir + ", offsets " + startOffset() + ".." + endOffset + "]";
    }
}
