package io.riffle.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Optional;

/**
 * The sparse offset and time index of one segment: an entry for the segment's first frame and then for
 * the first frame after every {@link LogConfig#indexIntervalBytes()} bytes. Instances are immutable
 * snapshots (readers use them without locks); the writer builds the next snapshot with a {@link Builder}.
 * Indexes are derived data: they are rebuilt from the log whenever a file is missing or fails validation.
 *
 * <p>Files (big-endian, no header), written only when a segment is sealed, via a temporary file, fsync
 * and atomic rename, so a present file is complete:
 * <pre>
 * &lt;base&gt;.index      8 bytes per entry: int32 relative offset (offset - base), int32 byte position in the .log
 * &lt;base&gt;.timeindex 12 bytes per entry: int64 arrival epoch millis of that frame, int32 relative offset
 * </pre>
 * Both files hold the same entries in the same order; arrivals are non-decreasing, offsets and positions
 * strictly increasing, and the first entry is (0, 0).
 */
final class SparseIndex {
    static final SparseIndex EMPTY = new SparseIndex(0, new int[0], new int[0], new long[0]);

    private final int count;
    private final int[] relOffsets;
    private final int[] positions;
    private final long[] arrivals;

    private SparseIndex(int count, int[] relOffsets, int[] positions, long[] arrivals) {
        this.count = count;
        this.relOffsets = relOffsets;
        this.positions = positions;
        this.arrivals = arrivals;
    }

    int count() {
        return count;
    }

    int relOffset(int i) {
        return relOffsets[i];
    }

    int position(int i) {
        return positions[i];
    }

    long arrival(int i) {
        return arrivals[i];
    }

    /** Index of the last entry whose relative offset is <= rel, or -1. */
    int floorByOffset(long rel) {
        int lo = 0;
        int hi = count - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (relOffsets[mid] <= rel) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /** Index of the last entry whose arrival is < millis, or -1: the first record at or after millis follows it. */
    int lastBefore(long millis) {
        int lo = 0;
        int hi = count - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (arrivals[mid] < millis) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    void write(Path indexFile, Path timeIndexFile) throws IOException {
        ByteBuffer off = ByteBuffer.allocate(count * 8);
        ByteBuffer time = ByteBuffer.allocate(count * 12);
        for (int i = 0; i < count; i++) {
            off.putInt(relOffsets[i]).putInt(positions[i]);
            time.putLong(arrivals[i]).putInt(relOffsets[i]);
        }
        writeAtomically(indexFile, off.flip());
        writeAtomically(timeIndexFile, time.flip());
    }

    /**
     * Not {@link DurableFile}: an index file is a cache of its segment, checked against the log by
     * {@link #load} and rebuilt from it when missing or wrong, so it needs no directory fsync on the roll
     * path, only never to be seen half written.
     */
    private static void writeAtomically(Path file, ByteBuffer content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (content.hasRemaining()) {
                ch.write(content);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Loads both files of a sealed segment, or empty if either is missing, torn, inconsistent with the
     * other, not monotonic, or points past the end of a log of {@code logSize} bytes.
     */
    static Optional<SparseIndex> load(Path indexFile, Path timeIndexFile, long logSize) throws IOException {
        if (!Files.isRegularFile(indexFile) || !Files.isRegularFile(timeIndexFile)) {
            return Optional.empty();
        }
        ByteBuffer off = ByteBuffer.wrap(Files.readAllBytes(indexFile));
        ByteBuffer time = ByteBuffer.wrap(Files.readAllBytes(timeIndexFile));
        if (off.capacity() % 8 != 0 || time.capacity() % 12 != 0 || off.capacity() / 8 != time.capacity() / 12
                || off.capacity() == 0) {
            return Optional.empty();
        }
        int n = off.capacity() / 8;
        int[] rel = new int[n];
        int[] pos = new int[n];
        long[] arr = new long[n];
        for (int i = 0; i < n; i++) {
            rel[i] = off.getInt();
            pos[i] = off.getInt();
            arr[i] = time.getLong();
            boolean consistent = time.getInt() == rel[i];
            boolean ordered = i == 0 ? rel[0] == 0 && pos[0] == 0
                    : rel[i] > rel[i - 1] && pos[i] > pos[i - 1] && arr[i] >= arr[i - 1];
            if (!consistent || !ordered || pos[i] >= logSize) {
                return Optional.empty();
            }
        }
        return Optional.of(new SparseIndex(n, rel, pos, arr));
    }

    /** Builds snapshots for the active segment; owned by the single writer. */
    static final class Builder {
        private int count;
        private int[] relOffsets = new int[64];
        private int[] positions = new int[64];
        private long[] arrivals = new long[64];

        /** A builder that continues a loaded index (the active segment after a clean shutdown). */
        static Builder of(SparseIndex idx) {
            Builder b = new Builder();
            int capacity = Math.max(64, idx.count * 2);
            b.relOffsets = Arrays.copyOf(idx.relOffsets, capacity);
            b.positions = Arrays.copyOf(idx.positions, capacity);
            b.arrivals = Arrays.copyOf(idx.arrivals, capacity);
            b.count = idx.count;
            return b;
        }

        int count() {
            return count;
        }

        int lastPosition() {
            return count == 0 ? -1 : positions[count - 1];
        }

        void add(int relOffset, int position, long arrival) {
            if (count == relOffsets.length) {
                // Snapshots keep the old arrays; entries below their count never change.
                relOffsets = Arrays.copyOf(relOffsets, count * 2);
                positions = Arrays.copyOf(positions, count * 2);
                arrivals = Arrays.copyOf(arrivals, count * 2);
            }
            relOffsets[count] = relOffset;
            positions[count] = position;
            arrivals[count] = arrival;
            count++;
        }

        /** Forgets entries added after a failed write (never part of a published snapshot). */
        void truncate(int newCount) {
            count = newCount;
        }

        SparseIndex snapshot() {
            return new SparseIndex(count, relOffsets, positions, arrivals);
        }
    }
}
