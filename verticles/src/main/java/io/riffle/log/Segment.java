package io.riffle.log;

import java.io.IOException;
import java.lang.ref.SoftReference;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One segment of a shard log: the file {@code <baseOffset>.log} (20 decimal digits, zero padded) of
 * {@link Frames frames} holding consecutive offsets from its base offset, plus its {@link SparseIndex}.
 *
 * <p>Readers use the volatile published state ({@link #size()}, {@link #nextOffset()}, the index snapshot)
 * from any thread; only the log's single writer calls {@link #write}, {@link #publish}, {@link #rollback}
 * and {@link #seal}, and it publishes a batch only after it is written (and fsynced when required).
 */
final class Segment {
    private static final Logger LOG = LoggerFactory.getLogger(Segment.class);

    final long baseOffset;
    final Path logFile;
    final Path indexFile;
    final Path timeIndexFile;
    /** The {@code .key} sidecar's path; it exists only for an encrypted segment. */
    final Path keyFile;
    /** The data key of an encrypted segment, null for a plain one; set before its first frame is written. */
    private volatile SegmentKey key;
    /** Replaced only if a reader's interrupt closed it (see {@link #reopenIfClosedByInterrupt}). */
    private volatile FileChannel channel;
    /** Set once the segment is closed or deleted on purpose. */
    private volatile boolean released;

    private volatile long size;
    private volatile long nextOffset;
    private volatile long firstArrival;
    private volatile long lastArrival;
    /**
     * The index, held strongly while the segment is active (or when its files could not be written). A sealed
     * segment whose index files are on disk holds it only softly ({@link #cachedIndex}) and reloads it from
     * the files when the GC dropped it: a busy shard keeps hundreds of sealed segments, and their indexes
     * (16 bytes per 4 KiB of log) would otherwise pin hundreds of MiB of heap.
     */
    private volatile SparseIndex index;
    private volatile SoftReference<SparseIndex> cachedIndex;
    /** Set by recovery when the end of a sealed segment holds no intact frame (the bytes are kept). */
    private Optional<UnreadableTail> unreadableTail = Optional.empty();

    /** Bytes from {@code position} to the end of a sealed segment's file that hold no intact frame. */
    record UnreadableTail(long position, long bytes, String reason) {
    }

    /** Writer state; the builder is null once the segment is sealed. */
    private SparseIndex.Builder builder;
    private long writeSize;
    private long writeNext;
    private long writeFirstArrival;
    private long writeLastArrival;

    private Segment(long baseOffset, Path dir, FileChannel channel) {
        this.baseOffset = baseOffset;
        this.logFile = dir.resolve(name(baseOffset, ".log"));
        this.indexFile = dir.resolve(name(baseOffset, ".index"));
        this.timeIndexFile = dir.resolve(name(baseOffset, ".timeindex"));
        this.keyFile = io.riffle.log.crypto.SegmentKeyFile.path(dir, SegmentKey.segmentName(baseOffset));
        this.channel = channel;
    }

    static String name(long baseOffset, String extension) {
        return String.format("%020d%s", baseOffset, extension);
    }

    /** Creates a new empty active segment and makes its directory entry durable. */
    static Segment create(Path dir, long baseOffset) throws IOException {
        Path file = dir.resolve(name(baseOffset, ".log"));
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            DurableFile.syncDirectory(dir);
        } catch (IOException e) {
            ch.close();
            Files.deleteIfExists(file);
            throw e;
        }
        Segment s = new Segment(baseOffset, dir, ch);
        s.initState(0, baseOffset, -1, -1, new SparseIndex.Builder());
        return s;
    }

    /**
     * Opens a segment that is not the last one. If its index files are valid, only the frames after the last
     * index entry are verified; otherwise the whole segment is verified (damage found is recorded in
     * {@code damage}, the file is never cut) and its index rebuilt and written.
     */
    static Segment openSealed(Path dir, long baseOffset, int indexInterval, Recovery rec, DamageMap damage) throws IOException {
        FileChannel ch = FileChannel.open(dir.resolve(name(baseOffset, ".log")), StandardOpenOption.READ, StandardOpenOption.WRITE);
        Segment s = new Segment(baseOffset, dir, ch);
        try {
            long fileSize = ch.size();
            Optional<SparseIndex> loaded = SparseIndex.load(s.indexFile, s.timeIndexFile, fileSize);
            if (loaded.isPresent() && s.verifyTail(loaded.get(), fileSize, indexInterval, rec)) {
                s.holdIndexSoftly();
                return s;
            }
            if (loaded.isEmpty()) {
                LOG.warn("Index of {} missing or invalid: rebuilding it from the log", s.logFile);
            }
            s.recoverFully(indexInterval, rec, damage, false);
            rec.indexRebuilt();
            s.builder = null;
            if (s.size > 0) {
                s.writeIndexFilesAndHoldSoftly();
            }
            return s;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Opens the last segment as the active one. After a clean shutdown that left it at exactly
     * {@code cleanSize} bytes (else pass -1) it is opened like a sealed segment, from its index files and a
     * verified tail; otherwise every frame is verified, a torn tail truncated, damage followed by intact
     * frames recorded in {@code damage}, and the index rebuilt in memory.
     */
    static Segment openActive(Path dir, long baseOffset, int indexInterval, long cleanSize, Recovery rec, DamageMap damage)
            throws IOException {
        FileChannel ch = FileChannel.open(dir.resolve(name(baseOffset, ".log")), StandardOpenOption.READ, StandardOpenOption.WRITE);
        Segment s = new Segment(baseOffset, dir, ch);
        try {
            long fileSize = ch.size();
            if (cleanSize == fileSize && fileSize > 0) {
                Optional<SparseIndex> loaded = SparseIndex.load(s.indexFile, s.timeIndexFile, fileSize);
                if (loaded.isPresent() && s.verifyTail(loaded.get(), fileSize, indexInterval, rec)) {
                    s.initState(fileSize, s.nextOffset, s.firstArrival, s.lastArrival, SparseIndex.Builder.of(loaded.get()));
                    rec.cleanShutdown();
                    return s;
                }
            }
            s.recoverFully(indexInterval, rec, damage, true);
            return s;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private void initState(long size, long next, long first, long last, SparseIndex.Builder b) {
        this.builder = b;
        this.writeSize = size;
        this.writeNext = next;
        this.writeFirstArrival = first;
        this.writeLastArrival = last;
        this.index = b == null ? SparseIndex.EMPTY : b.snapshot();
        this.firstArrival = first;
        this.lastArrival = last;
        this.nextOffset = next;
        this.size = size;
    }

    /**
     * Checks the frames after the last index entry of a loaded index; false if they are not all sound, or if
     * the index is incomplete (a crash between creating the next segment and writing this index can leave an
     * older, shorter one).
     */
    private boolean verifyTail(SparseIndex idx, long fileSize, int indexInterval, Recovery rec) throws IOException {
        int last = idx.count() - 1;
        long expected = baseOffset + idx.relOffset(last);
        long lastArr = idx.arrival(last);
        FrameScanner sc = new FrameScanner(channel, idx.position(last), fileSize, 256 << 10);
        long records = 0;
        FrameScanner.Status st;
        while ((st = sc.next()) == FrameScanner.Status.FRAME) {
            if (sc.framePosition - idx.position(last) >= indexInterval) {
                LOG.warn("Index of {} ends before the last interval of the log: rebuilding it", logFile);
                return false;
            }
            if (sc.offset != expected || sc.arrival < lastArr) {
                LOG.warn("Index of {} disagrees with the frame at byte {}: rebuilding it", logFile, sc.framePosition);
                return false;
            }
            expected++;
            lastArr = sc.arrival;
            records++;
        }
        if (st != FrameScanner.Status.END || records == 0) {
            LOG.warn("Tail of {} after its last index entry does not verify ({}): verifying the whole segment", logFile,
                    st == FrameScanner.Status.END ? "no frame at the last index entry" : sc.problem);
            return false;
        }
        rec.verified(fileSize - idx.position(last), records);
        this.index = idx;
        this.firstArrival = idx.arrival(0);
        this.lastArrival = lastArr;
        this.nextOffset = expected;
        this.size = fileSize;
        return true;
    }

    /**
     * Verifies every frame from the start and rebuilds the index in memory. Bad bytes followed by an intact
     * frame are damage: recorded, kept, and skipped (the intact frame gets an index entry, so reads by
     * offset reach it). Bad bytes with no intact frame after them are a torn tail in the active segment
     * (cut, as after a crash) and an {@link UnreadableTail} in a sealed one (kept).
     */
    private void recoverFully(int indexInterval, Recovery rec, DamageMap damage, boolean active) throws IOException {
        long fileSize = channel.size();
        FrameScanner sc = new FrameScanner(channel, 0, fileSize, 1 << 20);
        initState(0, baseOffset, -1, -1, new SparseIndex.Builder());
        long records = 0;
        boolean resynced = false;
        while (true) {
            FrameScanner.Status st = sc.next();
            if (st == FrameScanner.Status.END) {
                break;
            }
            String problem = st != FrameScanner.Status.FRAME ? sc.problem
                    : sc.offset != writeNext ? "offset " + sc.offset + " where " + writeNext + " was expected"
                    : sc.arrival < writeLastArrival ? "arrival " + sc.arrival + " before the previous " + writeLastArrival
                    : null;
            if (problem == null) {
                indexIfDue(sc.framePosition, sc.arrival, resynced ? 0 : indexInterval);
                resynced = false;
                writeNext++;
                records++;
                writeLastArrival = sc.arrival;
                if (writeFirstArrival < 0) {
                    writeFirstArrival = sc.arrival;
                }
                writeSize = sc.position();
                continue;
            }
            long bad = sc.framePosition;
            Optional<FrameSearch.Found> found = FrameSearch.next(channel, bad + 1, fileSize, writeNext,
                    writeNext + (fileSize - bad) / Frames.OVERHEAD);
            if (found.isPresent()) {
                long resume = found.get().position();
                if (found.get().offset() > writeNext) {
                    damage.add(new DamagedRange(writeNext, found.get().offset() - 1, logFile.getFileName().toString(),
                            bad, resume - bad, problem));
                } else {
                    LOG.warn("{}: {} bytes at byte {} hold no record ({}); skipping them", logFile, resume - bad, bad, problem);
                }
                writeNext = found.get().offset();
                sc = new FrameScanner(channel, resume, fileSize, 1 << 20);
                resynced = true;
            } else if (active) {
                long frames = sc.countRemainder();
                channel.truncate(writeSize);
                channel.force(true);
                rec.truncated(logFile, writeSize, fileSize - writeSize, frames, problem);
                break;
            } else {
                unreadableTail = Optional.of(new UnreadableTail(bad, fileSize - bad, problem));
                break;
            }
        }
        rec.verified(writeSize, records);
        publish();
    }

    Optional<UnreadableTail> unreadableTail() {
        return unreadableTail;
    }

    /** Adds an index entry for a frame at this position if it is the first or the interval has passed. */
    private void indexIfDue(long position, long arrival, int indexInterval) {
        int last = builder.lastPosition();
        if (last < 0 || position - last >= indexInterval) {
            builder.add((int) (writeNext - baseOffset), (int) position, arrival);
        }
    }

    long size() {
        return size;
    }

    /** The segment's data key, or null when it is plain. */
    SegmentKey key() {
        return key;
    }

    /**
     * Sets the segment's key: at open (from its sidecar) or, writer only, on an empty segment (whose sidecar
     * the caller made durable, or removed for null).
     */
    void useKey(SegmentKey k) {
        this.key = k;
    }

    FileChannel channel() {
        return channel;
    }

    /**
     * A FileChannel closes itself for every user when a thread blocked in it is interrupted. Reads must not
     * make the log unusable that way, so a segment closed by accident (not by {@link #close}/{@link #delete})
     * is reopened.
     */
    synchronized void reopenIfClosedByInterrupt() throws IOException {
        if (!released && !channel.isOpen()) {
            LOG.warn("{} was closed by an interrupted thread; reopening it", logFile);
            channel = FileChannel.open(logFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
    }

    long nextOffset() {
        return nextOffset;
    }

    boolean isEmpty() {
        return nextOffset == baseOffset;
    }

    long firstArrival() {
        return firstArrival;
    }

    long lastArrival() {
        return lastArrival;
    }

    /** Where to start scanning for this offset: {byte position, offset} of the index entry at or before it. */
    long[] entryFor(long offset) {
        SparseIndex idx = index();
        int i = idx.floorByOffset(offset - baseOffset);
        return i < 0 ? new long[] {0, baseOffset} : new long[] {idx.position(i), baseOffset + idx.relOffset(i)};
    }

    /**
     * First offset in this segment with arrival >= millis (the index narrows the scan to one interval), or
     * {@link #nextOffset()} if there is none.
     */
    long offsetForTimestamp(long millis) throws IOException {
        long end = size;
        long endOffset = nextOffset;
        SparseIndex idx = index();
        int i = idx.lastBefore(millis);
        long expected = i < 0 ? baseOffset : baseOffset + idx.relOffset(i);
        FrameScanner sc = new FrameScanner(channel, i < 0 ? 0 : idx.position(i), end, 16 << 10);
        FrameScanner.Status st;
        while ((st = sc.next()) == FrameScanner.Status.FRAME) {
            if (sc.offset >= endOffset || sc.arrival >= millis) {
                return Math.min(sc.offset, endOffset);
            }
            expected = sc.offset + 1;
        }
        // The record sought may be in damaged bytes: answer where they start, so that the read from
        // there fails with the damage rather than skipping it.
        return st == FrameScanner.Status.END ? endOffset : Math.min(expected, endOffset);
    }

    /**
     * Writer only: writes the batch after the current end (through a pooled buffer, see {@link FrameWriter}),
     * as sealed frames when {@code seal} is not null (an encrypted segment). Nothing becomes visible until
     * {@link #publish}.
     *
     * @return the arrival of the batch's last record (clamped to be non-decreasing)
     */
    long write(List<AppendRecord> batch, int[] keyBytes, long prevArrival, CRC32C crc, int indexInterval,
               io.riffle.log.crypto.FrameSeal seal) throws IOException {
        long arrival = prevArrival;
        try (FrameWriter out = new FrameWriter(channel, writeSize, crc)) {
            for (int i = 0; i < batch.size(); i++) {
                AppendRecord r = batch.get(i);
                arrival = Math.max(arrival, r.arrivalMillis());
                indexIfDue(out.position(), arrival, indexInterval);
                if (seal == null) {
                    out.frame(writeNext, arrival, r.partitionKey(), keyBytes[i], r.data());
                } else {
                    out.sealedFrame(writeNext, arrival, seal.seal(Frames.SEALED_VERSION, writeNext, arrival,
                            Frames.sealedPlain(r.partitionKey(), keyBytes[i], r.data())));
                }
                writeNext++;
                if (writeFirstArrival < 0) {
                    writeFirstArrival = arrival;
                }
            }
            out.flush();
            writeSize = out.position();
        }
        writeLastArrival = arrival;
        return arrival;
    }

    /** Writer only: makes everything written so far visible to readers. */
    void publish() {
        if (builder != null && builder.count() != index.count()) {
            index = builder.snapshot();
        }
        firstArrival = writeFirstArrival;
        lastArrival = writeLastArrival;
        nextOffset = writeNext;
        size = writeSize;
    }

    /** Writer only: forgets an unpublished write and cuts the file back to the published size. */
    void rollback() throws IOException {
        builder.truncate(index.count());
        writeSize = size;
        writeNext = nextOffset;
        writeFirstArrival = firstArrival;
        writeLastArrival = lastArrival;
        channel.truncate(size);
    }

    /** Writer only: forces the segment to disk. */
    void force() throws IOException {
        channel.force(false);
    }

    /** Writer only: forces the file, writes the index files (derived data: a failure is only logged) and stops writing. */
    void seal() throws IOException {
        channel.force(true);
        builder = null;
        writeIndexFilesAndHoldSoftly();
    }

    private void writeIndexFilesAndHoldSoftly() {
        try {
            writeIndexFiles();
            holdIndexSoftly();
        } catch (IOException e) {
            LOG.warn("Could not write the index of {}; keeping it in memory, the next start rebuilds it from the log", logFile, e);
        }
    }

    /** Writes the index files from the strongly held index (active segment, or a sealed one being written). */
    void writeIndexFiles() throws IOException {
        index.write(indexFile, timeIndexFile);
    }

    /** The index files are current: keep the index only softly from now on. */
    private void holdIndexSoftly() {
        cachedIndex = new SoftReference<>(index);
        index = null;
    }

    /** The index to search: held, cached, or reloaded from its files. Any thread. */
    private SparseIndex index() {
        SparseIndex held = index;
        if (held != null) {
            return held;
        }
        SparseIndex cached = cachedIndex.get();
        return cached != null ? cached : reloadIndex();
    }

    private SparseIndex reloadIndex() {
        try {
            Optional<SparseIndex> loaded = SparseIndex.load(indexFile, timeIndexFile, size);
            if (loaded.isPresent()) {
                cachedIndex = new SoftReference<>(loaded.get());
                return loaded.get();
            }
            LOG.warn("Index files of {} are missing or invalid: reads of it scan from its start until a restart rebuilds them", logFile);
        } catch (IOException e) {
            LOG.warn("Index files of {} cannot be read: reads of it scan from its start until a restart rebuilds them", logFile, e);
        }
        // Correct but slow (positions fall back to 0); holding EMPTY avoids retrying on every read.
        index = SparseIndex.EMPTY;
        return SparseIndex.EMPTY;
    }

    /** Lets the GC's work be reproduced in tests: forgets the softly held index. */
    void dropCachedIndex() {
        SoftReference<SparseIndex> ref = cachedIndex;
        if (ref != null) {
            ref.clear();
        }
    }

    void close() throws IOException {
        released = true;
        channel.close();
    }

    /** Closes and deletes the segment's files (the log first: the indexes and key alone are harmless orphans). */
    void delete() throws IOException {
        released = true;
        channel.close();
        Files.deleteIfExists(logFile);
        Files.deleteIfExists(indexFile);
        Files.deleteIfExists(timeIndexFile);
        Files.deleteIfExists(keyFile);
    }

    @Override
    public String toString() {
        return logFile.toString();
    }
}
