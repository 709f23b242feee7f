package io.riffle.log;

import io.riffle.model.Record;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Deterministic records for the storage tests: record i has key "key-i" and data derived from i. */
final class LogFixtures {
    private LogFixtures() {
    }

    static byte[] data(long i, int size) {
        byte[] d = new byte[size];
        for (int j = 0; j < size; j++) {
            d[j] = (byte) (i * 31 + j);
        }
        byte[] tag = Long.toString(i).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(tag, 0, d, 0, Math.min(tag.length, size));
        return d;
    }

    static AppendRecord record(long i, int size, long arrival) {
        return new AppendRecord("key-" + i, data(i, size), arrival);
    }

    /** Appends count records numbered from first in batches; returns the offset of the first. */
    static long appendNumbered(ShardLog log, long first, int count, int batch, int size, long arrival) throws IOException {
        long firstOffset = -1;
        for (long i = first; i < first + count; i += batch) {
            List<AppendRecord> b = new ArrayList<>();
            for (long j = i; j < Math.min(first + count, i + batch); j++) {
                b.add(record(j, size, arrival));
            }
            long o = log.append(b);
            if (firstOffset < 0) {
                firstOffset = o;
            }
        }
        return firstOffset;
    }

    /** Byte position of record n in the segment starting at record base, when every record has size data bytes. */
    static long positionOf(long base, long n, int size) {
        long pos = 0;
        for (long i = base; i < n; i++) {
            pos += Frames.frameSize(("key-" + i).length(), size);
        }
        return pos;
    }

    /** Flips one bit of the byte at this position. */
    static void flipBit(Path file, long position) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, position);
            b.put(0, (byte) (b.get(0) ^ 0x10)).rewind();
            ch.write(b, position);
        }
    }

    /** Reads everything from the offset to the end in chunks. */
    static List<Record> readAll(ShardLog log, long from) throws IOException {
        List<Record> all = new ArrayList<>();
        long next = from;
        while (true) {
            List<Record> got = log.read(next, 10_000, 10L << 20);
            if (got.isEmpty()) {
                return all;
            }
            all.addAll(got);
            next = got.get(got.size() - 1).offset() + 1;
        }
    }
}
