package io.riffle.log;

import io.riffle.log.crypto.FrameSeal;
import io.riffle.log.crypto.Keyring;
import io.riffle.log.crypto.MasterKey;
import io.riffle.model.Record;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable, append-only log of one shard: a directory of {@link Segment segments} named by their base
 * offset ({@code 00000000000000000000.log}, {@code .index}, {@code .timeindex}; frame layout in
 * {@link Frames}, index layout in {@link SparseIndex}), the {@link LogMarker} files {@code .clean-shutdown}
 * and {@code .log-start}, and a {@code .lock} file held while open. An open log holds no buffer of its own:
 * appends borrow one from {@link WriteBuffers}.
 *
 * <p><b>Threads.</b> One writer at a time calls {@link #append}, {@link #flush}, {@link #enforceRetention},
 * {@link #setRetentionMillis} and {@link #close}, possibly from different threads one after another (an
 * uncontended lock gives the happens-before). Reads ({@link #read}, offsets, lookups) are lock-free and may
 * run on any thread concurrently with the writer: they see a batch only once {@code append} returned it.
 *
 * <p><b>Offsets</b> start at 0 and never go back: the last segment is kept (empty if needed) and its file
 * name carries the next offset across restarts, even after retention deleted every record.
 *
 * <p><b>Recovery</b> ({@link #open}, in {@link LogLoader}) and <b>damage</b>: see the package comment.
 * Damaged records are never skipped: {@link #read} fails with {@link CorruptLogException} when it reaches
 * them, {@link #damaged()} lists them, {@link #corruptRecordsFound()} counts them.
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

    private final Path dir;
    private final LogConfig config;
    private final Clock clock;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final RecoveryReport recovery;
    private final ConcurrentSkipListMap<Long, Segment> segments;
    private final DamageMap damage;
    private final LogReader reader;
    private final LogMarker startMarker;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final CRC32C crc = new CRC32C();
    /** Where master keys come from (the node's keyring file); asked on every use, so a reload takes effect. */
    private final Supplier<Keyring> keyring;

    private volatile Segment active;
    private volatile long endOffset;
    private volatile long lastArrival;
    private volatile long retentionMillis;
    /** Offsets below this expired under an earlier retention setting; only grows. Set by the writer. */
    private volatile long hiddenBelow;
    /** First offset retention has not deleted (durable in {@link LogMarker#LOG_START}); set by the writer. */
    private volatile long logStart;
    private volatile boolean closed;

    /** Writer state, guarded by writeLock. */
    private IOException stickyError;
    private int[] keyBytes = new int[512];
    /** The KeyId new records are sealed under, or null: plain (see {@link #setEncryption}). */
    private String encryptionKeyId;

    private ShardLog(Path dir, LogConfig config, Clock clock, Supplier<Keyring> keyring, FileChannel lockChannel, FileLock lock)
            throws IOException {
        this.dir = dir;
        this.keyring = keyring;
        this.config = config;
        this.clock = clock;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.retentionMillis = config.retentionMillis();
        this.damage = new DamageMap(dir);
        this.startMarker = new LogMarker(dir, LogMarker.LOG_START, 1);
        LogLoader.Loaded loaded = LogLoader.load(dir, config, damage);
        this.segments = loaded.segments();
        this.logStart = loaded.logStart();
        this.active = segments.lastEntry().getValue();
        this.endOffset = active.nextOffset();
        this.lastArrival = segments.values().stream().mapToLong(Segment::lastArrival).max().orElse(-1);
        this.recovery = loaded.report();
        this.reader = new LogReader(dir, segments, damage, writeLock, this::startOffset, keyring);
    }

    /**
     * Opens (creating the directory if missing) and recovers the log; see the package comment for what
     * recovery verifies, truncates and rebuilds. Fails if another ShardLog holds the directory.
     */
    public static ShardLog open(Path dir, LogConfig config, Clock clock) throws IOException {
        return open(dir, config, clock, Keyring::empty);
    }

    /**
     * As {@link #open(Path, LogConfig, Clock)}, with the master keys that seal and open encrypted segments
     * (asked on every use; recovery needs none: the CRC and the clear offset and arrival suffice).
     */
    public static ShardLog open(Path dir, LogConfig config, Clock clock, Supplier<Keyring> keyring) throws IOException {
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
            return new ShardLog(dir, config, clock, keyring, lockChannel, lock);
        } catch (IOException | RuntimeException e) {
            lockChannel.close();
            throw e;
        }
    }

    /** What {@link #open} verified, truncated, rebuilt and deleted. */
    public RecoveryReport recovery() {
        return recovery;
    }

    /** Damaged ranges known so far (found by recovery or by reads) that retention has not expired, oldest first. Any thread. */
    public List<DamagedRange> damaged() {
        return damage.from(startOffset());
    }

    /** Unreadable records found since open, recovery's included; only grows (a metric's source). Any thread. */
    public long corruptRecordsFound() {
        return damage.recordsFound();
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
            // Null while the log is plain; else the enabled master key, or the KMS error before anything is written.
            MasterKey master = SegmentKey.masterFor(encryptionKeyId, keyring);
            if (master != null) {
                total += (long) n * (FrameSeal.OVERHEAD + 2 + Frames.SEALED_FIXED_BODY - Frames.FIXED_BODY);
            }
            if (total > LogConfig.MAX_SEGMENT_BYTES) {
                throw new IllegalArgumentException("Batch of " + n + " records takes " + total + " bytes, more than " + LogConfig.MAX_SEGMENT_BYTES);
            }
            Segment seg = active;
            if (SegmentKey.differs(seg.key(), master)) {
                // Encryption started, stopped or changed key: every segment is wholly plain or wholly sealed.
                seg = seg.isEmpty() ? rekey(seg, master) : roll(master);
            } else if (!seg.isEmpty() && (seg.size() + total > config.segmentBytes()
                    || clock.millis() - seg.firstArrival() >= config.segmentMaxAgeMillis())) {
                seg = roll(master);
            }
            FrameSeal seal = seg.key() == null ? null : seg.key().writerSeal(keyring.get());
            long first = endOffset;
            long arrival;
            try {
                arrival = seg.write(batch, keyBytes, lastArrival, crc, config.indexIntervalBytes(), seal);
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

    /**
     * Seals the active segment and starts a new one at the end offset, encrypted under {@code master} unless
     * it is null (its key sidecar is durable before the segment is used). Writer only.
     */
    private Segment roll(MasterKey master) throws IOException {
        long base = endOffset;
        Segment old = active;
        Segment fresh = Segment.create(dir, base);
        if (master != null) {
            try {
                fresh.useKey(SegmentKey.create(dir, base, master));
            } catch (IOException | RuntimeException e) {
                fresh.delete();
                throw e;
            }
        }
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

    /** Gives the empty active segment the key appends need now (or makes it plain). Writer only. */
    private Segment rekey(Segment seg, MasterKey master) throws IOException {
        if (master == null) {
            Files.deleteIfExists(seg.keyFile);
            DurableFile.syncDirectory(dir);
            seg.useKey(null);
        } else {
            seg.useKey(SegmentKey.create(dir, seg.baseOffset, master));
        }
        return seg;
    }

    /**
     * Seals records appended from now on under the master key {@code keyId} names (any KeyId form the
     * keyring resolves), or stops sealing when it is null. The next append rolls to a new segment if the
     * active one is of the other kind; records already written keep their own keys and stay readable.
     * Appends fail with {@link KeyUnavailableException} while the key is missing or disabled. Writer only.
     */
    public void setEncryption(String keyId) {
        writeLock.lock();
        try {
            encryptionKeyId = keyId;
        } finally {
            writeLock.unlock();
        }
    }

    /** Whether the record at {@code offset} (an offset append returned) is stored sealed. Any thread, no I/O. */
    public boolean encrypted(long offset) {
        java.util.Map.Entry<Long, Segment> e = segments.floorEntry(offset);
        return e != null && e.getValue().key() != null;
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
     * @throws CorruptLogException the first record to return is in a {@link DamagedRange} (a read that
     *                             collected records before one returns them and stops there)
     * @throws IOException         if the log is closed
     */
    public List<Record> read(long fromOffset, int maxRecords, long maxBytes) throws IOException {
        if (maxRecords <= 0 || maxBytes <= 0) {
            throw new IllegalArgumentException("maxRecords and maxBytes must be positive: " + maxRecords + ", " + maxBytes);
        }
        for (int attempt = 0; ; attempt++) {
            checkOpen();
            try {
                long end = endOffset;
                long cutoff = clock.millis() - retentionMillis;
                return reader.read(Math.max(fromOffset, startOffset()), end, cutoff, maxRecords, maxBytes);
            } catch (ClosedChannelException e) {
                afterClosedChannel(e, attempt);
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
     * index and a scan of at most one index interval. Records whose arrival is unknown because they are
     * damaged or missing count as arriving at the time of the next intact record, so the answer never
     * skips them: a read from it fails instead.
     *
     * @throws UncheckedIOException if a file cannot be read
     */
    public long offsetForTimestamp(long epochMillis) {
        long end = endOffset;
        for (int attempt = 0; ; attempt++) {
            try {
                long expected = logStart;
                for (Segment seg : segments.values()) {
                    if (!seg.isEmpty() && seg.lastArrival() >= epochMillis) {
                        long found = seg.firstArrival() >= epochMillis ? Math.min(expected, seg.baseOffset) : seg.offsetForTimestamp(epochMillis);
                        return Math.min(found, end);
                    }
                    expected = seg.nextOffset();
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
                roll(null);
            }
            List<Segment> expired = segments.values().stream()
                    .takeWhile(seg -> seg != active && (seg.isEmpty() || seg.lastArrival() < cutoff || seg.nextOffset() <= hiddenBelow))
                    .toList();
            if (expired.isEmpty()) {
                return 0;
            }
            // The new start is durable before any file goes, so a segment missing above it is damage, never expiry.
            long newStart = segments.higherKey(expired.get(expired.size() - 1).baseOffset);
            startMarker.write(newStart);
            logStart = newStart;
            for (Segment seg : expired) {
                segments.remove(seg.baseOffset);
                seg.delete();
                LOG.info("Shard log {}: retention deleted {} (offsets {}..{})", dir, seg.logFile.getFileName(), seg.baseOffset, seg.nextOffset() - 1);
            }
            damage.forgetBelow(newStart);
            return expired.size();
        } finally {
            writeLock.unlock();
        }
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new IOException("Shard log " + dir + " is closed");
        }
    }

    /** After the final fsync: writes the active segment's index files and the marker that lets open() trust them. */
    private void writeCleanShutdownMarker() {
        try {
            if (!active.isEmpty()) {
                active.writeIndexFiles();
            }
            new LogMarker(dir, LogMarker.CLEAN_SHUTDOWN, 2).write(active.baseOffset, active.size());
        } catch (IOException e) {
            LOG.warn("Shard log {}: could not record the clean shutdown; the next open verifies the last segment fully", dir, e);
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
            segments.values().forEach(LogLoader::closeQuietly);
            lock.release();
            lockChannel.close();
            if (failure != null) {
                throw new IOException("fsync of " + active.logFile + " failed while closing " + dir + ": " + failure, failure);
            }
        } finally {
            writeLock.unlock();
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
