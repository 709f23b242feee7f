package io.riffle.log;

import io.riffle.testing.MutableClock;
import static io.riffle.log.LogFixtures.appendNumbered;
import static io.riffle.log.LogFixtures.data;
import static io.riffle.log.LogFixtures.flipBit;
import static io.riffle.log.LogFixtures.positionOf;
import static io.riffle.log.LogFixtures.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
                assertThat(t.position()).isEqualTo(positionOf(0, 9, SIZE));
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
    void aFlippedBitInTheLastSegmentIsReportedAsDamageAndTheRecordsBehindItStay() throws IOException {
        try (ShardLog log = open(LogConfig.defaults())) {
            appendNumbered(log, 0, 10, 1, SIZE, T0);
        }
        Path seg = segmentFiles().get(0);
        long size = Files.size(seg);
        flipBit(seg, positionOf(0, 4, SIZE) + 40); // inside the data of record 4
        Files.delete(dir().resolve(LogMarker.CLEAN_SHUTDOWN)); // as after a crash: the segment is verified at open
        try (ShardLog log = open(LogConfig.defaults())) {
            RecoveryReport r = log.recovery();
            assertThat(r.truncations()).isEmpty();
            assertThat(r.damaged()).singleElement().satisfies(d -> {
                assertThat(d).isEqualTo(new DamagedRange(4, 4, seg.getFileName().toString(), positionOf(0, 4, SIZE), FRAME, d.reason()));
                assertThat(d.reason()).contains("CRC32C");
            });
            assertThat(r.clean()).isFalse();
            assertThat(Files.size(seg)).isEqualTo(size);
            assertThat(log.corruptRecordsFound()).isEqualTo(1);
            assertNumbered(log.read(0, 100, 1 << 20), 0, 4);
            assertThatThrownBy(() -> log.read(4, 100, 1 << 20)).isInstanceOfSatisfying(CorruptLogException.class,
                    e -> assertThat(e.range()).isEqualTo(r.damaged().get(0)));
            assertNumbered(log.read(5, 100, 1 << 20), 5, 5);
            assertThat(log.endOffset()).isEqualTo(10);
            assertThat(log.append(List.of(LogFixtures.record(10, SIZE, T0)))).isEqualTo(10);
        }
    }

    @Test
    void aFlippedBitInASealedSegmentWithoutItsIndexIsFoundAtOpenAndOnlyItsRecordIsLost() throws IOException {
        LogConfig config = LogConfig.defaults().withSegmentBytes(10 * FRAME);
        try (ShardLog log = open(config)) {
            appendNumbered(log, 0, 30, 1, SIZE, T0);
        }
        List<Path> files = segmentFiles();
        assertThat(files.size()).isGreaterThanOrEqualTo(3);
        assertThat(files.get(1).getFileName()).hasToString(Segment.name(10, ".log"));
        long size = Files.size(files.get(0));
        Files.delete(Path.of(files.get(0).toString().replace(".log", ".index"))); // forces a full verification
        flipBit(files.get(0), positionOf(0, 6, SIZE) + 2); // the length field of record 6
        try (ShardLog log = open(config)) {
            RecoveryReport r = log.recovery();
            assertThat(r.indexesRebuilt()).isEqualTo(1);
            assertThat(r.truncations()).isEmpty();
            assertThat(r.damaged()).extracting(DamagedRange::fromOffset, DamagedRange::toOffset, DamagedRange::bytePosition)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(6L, 6L, positionOf(0, 6, SIZE)));
            assertThat(Files.size(files.get(0))).isEqualTo(size);
            assertNumbered(log.read(0, 100, 1 << 20), 0, 6);
            assertThatThrownBy(() -> log.read(6, 1, 1 << 20)).isInstanceOf(CorruptLogException.class);
            assertNumbered(readAll(log, 7), 7, 23);
            assertThat(log.endOffset()).isEqualTo(30);
        }
    }

    @Test
    void bitRotBehindAValidIndexIsFoundByTheFirstReadThatReachesItAndCountedOnce() throws IOException {
        LogConfig config = LogConfig.defaults().withSegmentBytes(10 * FRAME).withIndexIntervalBytes(3 * FRAME);
        try (ShardLog log = open(config)) {
            appendNumbered(log, 0, 30, 1, SIZE, T0);
        }
        // Segment 0 holds records 0..9, indexed at 0, 3, 6 and 9; recovery only verifies it from record 9 on.
        flipBit(segmentFiles().get(0), positionOf(0, 4, SIZE) + 50);
        try (ShardLog log = open(config)) {
            assertThat(log.recovery().clean()).isTrue();
            assertThat(log.damaged()).isEmpty();
            assertNumbered(log.read(0, 100, 1 << 20), 0, 4);
            assertThat(log.damaged()).extracting(DamagedRange::fromOffset, DamagedRange::toOffset)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(4L, 4L));
            for (int i = 0; i < 3; i++) {
                assertThatThrownBy(() -> log.read(4, 1, 1 << 20)).isInstanceOf(CorruptLogException.class);
            }
            assertThat(log.corruptRecordsFound()).isEqualTo(1);
            assertNumbered(log.read(5, 1, 1 << 20), 5, 1);
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
            ch.write(ByteBuffer.allocate(4).putInt(0, (int) positionOf(0, 4, SIZE) + 10), 2 * 8 + 4);
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
