package io.riffle.log;

import io.riffle.testing.MutableClock;
import static io.riffle.log.LogFixtures.appendNumbered;
import static io.riffle.log.LogFixtures.data;
import static io.riffle.log.LogFixtures.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.model.Record;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Recovery against real damaged files: torn tails, garbage, flipped bits, missing or bad indexes. */
class ShardLogRecoveryTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final int SIZE = 100;
    private static final int FRAME = Frames.frameSize(5, SIZE); // "key-N" keys for N < 10 are 5 bytes

    @TempDir
    Path tmp;

    private final MutableClock clock = new MutableClock(T0);

    private Path dir() {
        return tmp.resolve("shard");
    }

    private ShardLog open(LogConfig config) throws IOException {
        return ShardLog.open(dir(), config, clock);
    }

    private List<Path> segmentFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir())) {
            return files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList();
        }
    }

    private static void assertNumbered(List<Record> records, long first, long count) {
        assertThat(records).hasSize((int) count);
        for (int i = 0; i < count; i++) {
            long n = first + i;
            assertThat(records.get(i)).isEqualTo(new Record(n, T0, "key-" + n, data(n, SIZE)));
        }
    }

    /** Byte position of frame k in a segment holding only records numbered base.. with SIZE data. */
    private static long positionOf(long base, long k) {
        long pos = 0;
        for (long n = base; n < base + k; n++) {
            pos += Frames.frameSize(("key-" + n).length(), SIZE);
        }
        return pos;
    }

    private static void flipBit(Path file, long position) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, position);
            b.put(0, (byte) (b.get(0) ^ 0x10)).rewind();
            ch.write(b, position);
        }
    }

    @Test
    void recoveryTruncatesATornTail() throws IOException {
        try (ShardLog log = open(LogConfig.defaults())) {
            appendNumbered(log, 0, 10, 10, SIZE, T0);
        }
        Path seg = segmentFiles().get(0);
        long full = Files.size(seg);
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
            ch.truncate(full - 7);
        }
        try (ShardLog log = open(LogConfig.defaults())) {
            RecoveryReport r = log.recovery();
            assertThat(r.truncations()).singleElement().satisfies(t -> {
                assertThat(t.file()).isEqualTo(seg);
                assertThat(t.position()).isEqualTo(positionOf(0, 9));
                assertThat(t.bytesDropped()).isEqualTo(FRAME - 7);
                assertThat(t.recordsDropped()).isEqualTo(1);
            });
            assertThat(log.endOffset()).isEqualTo(9);
            assertNumbered(readAll(log, 0), 0, 9);
            assertThat(log.append(List.of(LogFixtures.record(9, SIZE, T0)))).isEqualTo(9);
            assertNumbered(readAll(log, 0), 0, 10);
        }
        try (ShardLog log = open(LogConfig.defaults())) {
            assertThat(log.recovery().clean()).isTrue();
            assertNumbered(readAll(log, 0), 0, 10);
        }
    }

    @Test
    void recoveryDropsRandomGarbageAppendedToTheLastSegment() throws IOException {
        try (ShardLog log = open(LogConfig.defaults())) {
            appendNumbered(log, 0, 20, 5, SIZE, T0);
        }
        Path seg = segmentFiles().get(0);
        long good = Files.size(seg);
        byte[] garbage = new byte[777];
        new Random(42).nextBytes(garbage);
        Files.write(seg, garbage, StandardOpenOption.APPEND);
        try (ShardLog log = open(LogConfig.defaults())) {
            RecoveryReport r = log.recovery();
            assertThat(r.bytesDropped()).isEqualTo(777);
            assertThat(r.recordsDropped()).isPositive();
            assertThat(r.truncations().get(0).position()).isEqualTo(good);
            assertThat(Files.size(seg)).isEqualTo(good);
            assertNumbered(readAll(log, 0), 0, 20);
            assertThat(log.endOffset()).isEqualTo(20);
        }
    }

    @Test
    void aFlippedBitInTheLastSegmentCutsItThereWithoutReusingTheOffsetsBehind() throws IOException {
        try (ShardLog log = open(LogConfig.defaults())) {
            appendNumbered(log, 0, 10, 1, SIZE, T0);
        }
        Path seg = segmentFiles().get(0);
        flipBit(seg, positionOf(0, 4) + 40); // inside the data of record 4
        try (ShardLog log = open(LogConfig.defaults())) {
            RecoveryReport r = log.recovery();
            assertThat(r.truncations()).singleElement().satisfies(t -> {
                assertThat(t.position()).isEqualTo(positionOf(0, 4));
                assertThat(t.recordsDropped()).isEqualTo(6);
                assertThat(t.bytesDropped()).isEqualTo(6L * FRAME);
                assertThat(t.reason()).contains("CRC32C");
            });
            assertNumbered(readAll(log, 0), 0, 4);
            // Offsets 4..9 were acknowledged once: the next record must not take one of them.
            assertThat(log.endOffset()).isEqualTo(10);
            assertThat(log.append(List.of(LogFixtures.record(10, SIZE, T0)))).isEqualTo(10);
            List<Record> all = readAll(log, 0);
            assertThat(all).extracting(Record::offset).containsExactly(0L, 1L, 2L, 3L, 10L);
        }
    }

    @Test
    void aFlippedBitInASealedSegmentCutsOnlyThatSegmentAndKeepsTheLaterOnes() throws IOException {
        LogConfig config = LogConfig.defaults().withSegmentBytes(10 * FRAME);
        try (ShardLog log = open(config)) {
            appendNumbered(log, 0, 30, 1, SIZE, T0);
        }
        List<Path> files = segmentFiles();
        assertThat(files.size()).isGreaterThanOrEqualTo(3);
        assertThat(files.get(1).getFileName()).hasToString(Segment.name(10, ".log"));
        Files.delete(Path.of(files.get(0).toString().replace(".log", ".index"))); // forces a full verification
        flipBit(files.get(0), positionOf(0, 6) + 2); // the length field of record 6
        try (ShardLog log = open(config)) {
            RecoveryReport r = log.recovery();
            assertThat(r.indexesRebuilt()).isEqualTo(1);
            assertThat(r.truncations()).singleElement().satisfies(t -> {
                assertThat(t.file()).isEqualTo(files.get(0));
                assertThat(t.position()).isEqualTo(positionOf(0, 6));
                assertThat(t.bytesDropped()).isEqualTo(4L * FRAME);
            });
            List<Record> all = readAll(log, 0);
            assertNumbered(all.subList(0, 6), 0, 6);
            assertNumbered(all.subList(6, all.size()), 10, 20);
            assertThat(log.endOffset()).isEqualTo(30);
            assertThat(log.read(7, 1, 1 << 20)).extracting(Record::offset).containsExactly(10L);
        }
    }

    @Test
    void bitRotBehindAValidIndexIsSkippedByReadsUpToTheNextIndexEntry() throws IOException {
        LogConfig config = LogConfig.defaults().withSegmentBytes(10 * FRAME).withIndexIntervalBytes(3 * FRAME);
        try (ShardLog log = open(config)) {
            appendNumbered(log, 0, 30, 1, SIZE, T0);
        }
        // Segment 0 holds records 0..9, indexed at 0, 3, 6 and 9; recovery only verifies it from record 9 on.
        flipBit(segmentFiles().get(0), positionOf(0, 4) + 50);
        try (ShardLog log = open(config)) {
            assertThat(log.recovery().truncations()).isEmpty();
            List<Record> all = readAll(log, 0);
            assertThat(all).extracting(Record::offset).doesNotContain(4L, 5L).hasSize(28);
            assertNumbered(all.subList(0, 4), 0, 4);
            assertNumbered(all.subList(4, all.size()), 6, 24);
            assertThat(log.read(4, 1, 1 << 20)).extracting(Record::offset).containsExactly(6L);
            assertThat(log.offsetForTimestamp(T0)).isZero();
        }
    }

    @Test
    void aDeletedOrDamagedIndexIsRebuiltFromTheLog() throws IOException {
        LogConfig config = LogConfig.defaults().withSegmentBytes(20 * FRAME).withIndexIntervalBytes(3 * FRAME);
        try (ShardLog log = open(config)) {
            appendNumbered(log, 0, 60, 4, SIZE, T0);
        }
        List<Path> files = segmentFiles();
        Path index0 = Path.of(files.get(0).toString().replace(".log", ".index"));
        Path time1 = Path.of(files.get(1).toString().replace(".log", ".timeindex"));
        byte[] goodIndex = Files.readAllBytes(index0);
        Files.delete(index0);
        Files.write(time1, new byte[] {1, 2, 3, 4, 5}, StandardOpenOption.APPEND);
        try (ShardLog log = open(config)) {
            assertThat(log.recovery().indexesRebuilt()).isEqualTo(2);
            assertThat(log.recovery().truncations()).isEmpty();
            assertThat(index0).exists();
            assertThat(Files.readAllBytes(index0)).isEqualTo(goodIndex);
            for (long from = 0; from < 60; from += 7) {
                assertNumbered(log.read(from, 3, 1 << 20), from, Math.min(3, 60 - from));
            }
        }
        try (ShardLog log = open(config)) {
            assertThat(log.recovery().clean()).isTrue();
        }
    }

    @Test
    void aShortIndexLeftByACrashDuringARollIsRebuilt() throws IOException {
        LogConfig config = LogConfig.defaults().withSegmentBytes(20 * FRAME).withIndexIntervalBytes(2 * FRAME);
        try (ShardLog log = open(config)) {
            appendNumbered(log, 0, 40, 1, SIZE, T0);
        }
        Path index0 = Path.of(segmentFiles().get(0).toString().replace(".log", ".index"));
        Path time0 = Path.of(segmentFiles().get(0).toString().replace(".log", ".timeindex"));
        byte[] full = Files.readAllBytes(index0);
        // An older index of the same segment: only its first three entries.
        Files.write(index0, java.util.Arrays.copyOf(full, 3 * 8));
        Files.write(time0, java.util.Arrays.copyOf(Files.readAllBytes(time0), 3 * 12));
        try (ShardLog log = open(config)) {
            assertThat(log.recovery().indexesRebuilt()).isEqualTo(1);
            assertThat(Files.readAllBytes(index0)).isEqualTo(full);
            assertNumbered(readAll(log, 0), 0, 40);
        }
    }

    @Test
    void sealedIndexesDroppedFromMemoryAreReloadedFromTheirFilesOrScannedWithout() throws IOException {
        LogConfig config = LogConfig.defaults().withSegmentBytes(20 * FRAME).withIndexIntervalBytes(2 * FRAME);
        try (ShardLog log = open(config)) {
            for (int i = 0; i < 100; i++) {
                appendNumbered(log, i, 1, 1, SIZE, T0);
            }
            log.dropCachedIndexes();
            assertNumbered(log.read(57, 3, 1 << 20), 57, 3);
            // Without its files, a segment is still read correctly (from its start).
            Path index = Path.of(segmentFiles().get(1).toString().replace(".log", ".index"));
            Files.delete(index);
            log.dropCachedIndexes();
            assertNumbered(log.read(25, 3, 1 << 20), 25, 3);
            assertNumbered(readAll(log, 0), 0, 100);
        }
        try (ShardLog log = open(config)) {
            log.dropCachedIndexes();
            assertThat(log.recovery().indexesRebuilt()).isEqualTo(1);
            assertNumbered(log.read(25, 3, 1 << 20), 25, 3);
        }
    }

    @Test
    void anIndexPointingIntoTheMiddleOfAFrameIsNotTrustedOverTheLog() throws IOException {
        LogConfig config = LogConfig.defaults().withSegmentBytes(20 * FRAME).withIndexIntervalBytes(2 * FRAME);
        try (ShardLog log = open(config)) {
            appendNumbered(log, 0, 40, 1, SIZE, T0);
        }
        Path index0 = Path.of(segmentFiles().get(0).toString().replace(".log", ".index"));
        try (FileChannel ch = FileChannel.open(index0, StandardOpenOption.WRITE)) {
            // Entry 2 (relative offset 4) now claims a position 10 bytes too far: still monotonic, so it loads.
            ch.write(ByteBuffer.allocate(4).putInt(0, (int) positionOf(0, 4) + 10), 2 * 8 + 4);
        }
        try (ShardLog log = open(config)) {
            assertNumbered(log.read(5, 2, 1 << 20), 5, 2);
        }
    }

    static Stream<Arguments> matrix() {
        List<Arguments> args = new ArrayList<>();
        for (long segmentBytes : new long[] {1024, 8 << 10, 1 << 20}) {
            for (FsyncPolicy policy : FsyncPolicy.values()) {
                for (String damage : new String[] {"cut", "garbage"}) {
                    args.add(Arguments.of(segmentBytes, policy, damage));
                }
            }
        }
        return args.stream();
    }

    @ParameterizedTest(name = "segments of {0} bytes, fsync {1}, damage {2}")
    @MethodSource("matrix")
    void recoveryKeepsEveryWholeRecordBeforeTheDamage(long segmentBytes, FsyncPolicy policy, String damage) throws IOException {
        LogConfig config = LogConfig.defaults().withSegmentBytes(segmentBytes).withFsyncPolicy(policy).withIndexIntervalBytes(256);
        Random random = new Random(segmentBytes * 31 + policy.ordinal() * 7 + damage.length());
        List<AppendRecord> written = new ArrayList<>();
        try (ShardLog log = open(config)) {
            for (int b = 0; b < 40; b++) {
                List<AppendRecord> batch = new ArrayList<>();
                for (int i = random.nextInt(5) + 1; i > 0; i--) {
                    byte[] d = new byte[random.nextInt(300)];
                    random.nextBytes(d);
                    batch.add(new AppendRecord("k" + random.nextInt(1000), d, T0 + written.size()));
                    written.add(batch.get(batch.size() - 1));
                }
                log.append(batch);
                if (policy == FsyncPolicy.INTERVAL && b % 10 == 0) {
                    log.flush();
                }
            }
        }
        List<Path> files = segmentFiles();
        Path last = files.get(files.size() - 1);
        long lastSize = Files.size(last);
        long keptBytes;
        long garbageBytes = 0;
        if (damage.equals("cut") && lastSize > 0) {
            keptBytes = random.nextInt((int) lastSize);
            try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
                ch.truncate(keptBytes);
            }
        } else {
            keptBytes = lastSize;
            byte[] garbage = new byte[1 + random.nextInt(500)];
            random.nextBytes(garbage);
            Files.write(last, garbage, StandardOpenOption.APPEND);
            garbageBytes = garbage.length;
        }
        try (ShardLog log = open(config)) {
            RecoveryReport r = log.recovery();
            assertThat(Files.size(last)).isLessThanOrEqualTo(keptBytes);
            assertThat(r.bytesDropped()).isEqualTo(keptBytes - Files.size(last) + garbageBytes);
            List<Record> all = readAll(log, 0);
            long end = log.endOffset();
            assertThat(all).hasSize((int) end);
            assertThat(end).isLessThanOrEqualTo(written.size());
            for (int i = 0; i < all.size(); i++) {
                AppendRecord w = written.get(i);
                assertThat(all.get(i)).isEqualTo(new Record(i, w.arrivalMillis(), w.partitionKey(), w.data()));
            }
            if (damage.equals("garbage")) {
                assertThat(end).isEqualTo(written.size());
            }
            assertThat(log.append(List.of(new AppendRecord("after", new byte[] {1}, T0 + 1000)))).isEqualTo(end);
        }
        try (ShardLog log = open(config)) {
            assertThat(log.recovery().clean()).isTrue();
        }
    }
}
