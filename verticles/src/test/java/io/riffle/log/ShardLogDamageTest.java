package io.riffle.log;

import static io.riffle.log.LogFixtures.appendNumbered;
import static io.riffle.log.LogFixtures.data;
import static io.riffle.log.LogFixtures.flipBit;
import static io.riffle.log.LogFixtures.positionOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.model.Record;
import io.riffle.testing.MutableClock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Damage that is not a torn tail (flipped bytes in older segments, deleted or truncated segment files) is
 * never skipped silently: a read that reaches it fails, and the intact records after it stay readable.
 */
class ShardLogDamageTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final int SIZE = 100;
    /** Records 10..99 have 6-byte keys: segments of 10 such frames hold records 10..19, 20..29. */
    private static final int FRAME = Frames.frameSize(6, SIZE);
    private static final LogConfig CONFIG = LogConfig.defaults().withSegmentBytes(10 * FRAME).withIndexIntervalBytes(3 * FRAME);

    @TempDir
    Path tmp;

    private final MutableClock clock = new MutableClock(T0);

    private Path dir() {
        return tmp.resolve("shard");
    }

    private ShardLog open() throws IOException {
        return ShardLog.open(dir(), CONFIG, clock);
    }

    /** Three sealed segments of ten records (0..9 with shorter frames fill the first one) and an active one. */
    private void writeFortyRecords() throws IOException {
        try (ShardLog log = open()) {
            appendNumbered(log, 0, 40, 1, SIZE, T0);
        }
        assertThat(segment(10)).exists();
        assertThat(segment(20)).exists();
        assertThat(segment(30)).exists();
    }

    private Path segment(long base) {
        return dir().resolve(Segment.name(base, ".log"));
    }

    private void deleteSegment(long base) throws IOException {
        Files.delete(segment(base));
        Files.deleteIfExists(dir().resolve(Segment.name(base, ".index")));
        Files.deleteIfExists(dir().resolve(Segment.name(base, ".timeindex")));
    }

    private static void assertNumbered(List<Record> records, long first, long count) {
        assertThat(records).extracting(Record::offset).hasSize((int) count);
        for (int i = 0; i < count; i++) {
            long n = first + i;
            assertThat(records.get(i)).isEqualTo(new Record(n, T0, "key-" + n, data(n, SIZE)));
        }
    }

    private static void assertReadFailsAt(ShardLog log, long offset, long from, long to) {
        assertThatThrownBy(() -> log.read(offset, 100, 1 << 20))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("offsets " + from + ".." + to);
    }

    /** Segment 10 holds records 10..19 and is indexed at records 10, 13, 16 and 19. */
    @ParameterizedTest(name = "record {0}, byte {1} of its frame")
    @CsvSource({
        "14, 60", // in the data
        "12, 1",  // in the length field: where the next frame starts is lost
        "13, 60", // in the frame an index entry points at
    })
    void aFlippedByteInAMiddleSegmentFailsTheReadsThatReachItAndLaterRecordsStayReadable(long n, int at) throws IOException {
        writeFortyRecords();
        flipBit(segment(10), positionOf(10, n, SIZE) + at);
        try (ShardLog log = open()) {
            assertNumbered(log.read(n + 1, 2, 1 << 20), n + 1, 2);
            assertReadFailsAt(log, n, n, n);
            assertNumbered(log.read(0, 100, 1 << 20), 0, n);
            assertNumbered(log.read(n + 1, 100, 1 << 20), n + 1, 39 - n);
            assertThat(log.damaged()).extracting(DamagedRange::fromOffset).containsExactly(n);
        }
    }

    @Test
    void aDeletedFirstSegmentMakesTrimHorizonReachTheGap() throws IOException {
        writeFortyRecords();
        deleteSegment(0);
        try (ShardLog log = open()) {
            assertThat(log.startOffset()).isZero();
            assertThat(log.offsetForTimestamp(T0)).isZero();
            assertThat(log.damaged()).containsExactly(new DamagedRange(0, 9, Segment.name(0, ".log"), -1, 0, "segment file missing"));
            assertReadFailsAt(log, 0, 0, 9);
            assertReadFailsAt(log, 5, 0, 9);
            assertNumbered(log.read(10, 100, 1 << 20), 10, 30);
        }
    }

    @Test
    void aDeletedMiddleSegmentIsAGapReadsDoNotJump() throws IOException {
        writeFortyRecords();
        deleteSegment(10);
        try (ShardLog log = open()) {
            assertNumbered(log.read(0, 100, 1 << 20), 0, 10);
            assertReadFailsAt(log, 10, 10, 19);
            assertReadFailsAt(log, 15, 10, 19);
            assertNumbered(log.read(20, 100, 1 << 20), 20, 20);
            assertThat(log.endOffset()).isEqualTo(40);
        }
    }

    @Test
    void aTruncatedMiddleSegmentIsAGapFromItsLastWholeRecord() throws IOException {
        writeFortyRecords();
        try (FileChannel ch = FileChannel.open(segment(10), StandardOpenOption.WRITE)) {
            ch.truncate(positionOf(10, 15, SIZE) + 7);
        }
        try (ShardLog log = open()) {
            assertThat(log.damaged()).singleElement().satisfies(d -> {
                assertThat(d.segment()).isEqualTo(Segment.name(10, ".log"));
                assertThat(d.bytePosition()).isEqualTo(positionOf(10, 15, SIZE));
                assertThat(d.bytes()).isEqualTo(7);
            });
            assertNumbered(log.read(10, 100, 1 << 20), 10, 5);
            assertReadFailsAt(log, 15, 15, 19);
            assertNumbered(log.read(20, 100, 1 << 20), 20, 20);
        }
    }

    @Test
    void aFlippedByteInTheMiddleOfTheLastSegmentIsDamageNotATornTail() throws IOException {
        writeFortyRecords();
        Path last = segment(30);
        long size = Files.size(last);
        flipBit(last, positionOf(30, 33, SIZE) + 60);
        // A crash image: no clean-shutdown marker, so the last segment is verified frame by frame.
        Files.deleteIfExists(dir().resolve(".clean-shutdown"));
        try (ShardLog log = open()) {
            assertThat(Files.size(last)).isEqualTo(size);
            assertThat(log.endOffset()).isEqualTo(40);
            assertNumbered(log.read(30, 3, 1 << 20), 30, 3);
            assertReadFailsAt(log, 33, 33, 33);
            assertNumbered(log.read(34, 100, 1 << 20), 34, 6);
            assertThat(log.append(List.of(LogFixtures.record(40, SIZE, T0)))).isEqualTo(40);
            assertNumbered(log.read(34, 100, 1 << 20), 34, 7);
        }
    }

    @Test
    void segmentsDeletedByRetentionAreNotDamageAfterARestart() throws IOException {
        LogConfig config = CONFIG.withRetentionMillis(60_000);
        try (ShardLog log = ShardLog.open(dir(), config, clock)) {
            appendNumbered(log, 0, 20, 1, SIZE, T0);
            clock.advance(50_000);
            appendNumbered(log, 20, 20, 1, SIZE, T0 + 50_000);
            clock.advance(20_000);
            assertThat(log.enforceRetention()).isEqualTo(2);
        }
        try (ShardLog log = ShardLog.open(dir(), config, clock)) {
            assertThat(log.recovery().damaged()).isEmpty();
            assertThat(log.startOffset()).isEqualTo(20);
            assertThat(log.read(0, 100, 1 << 20)).extracting(Record::offset).startsWith(20L).hasSize(20);
        }
    }

    @Test
    void aCleanShutdownMarkerOfAnUnknownVersionMeansFullVerification() throws IOException {
        writeFortyRecords();
        Path marker = dir().resolve(LogMarker.CLEAN_SHUTDOWN);
        assertThat(Files.readString(marker)).startsWith("v1 30 ");
        Files.writeString(marker, Files.readString(marker).replace("v1", "v9"));
        long verifiedAfterUnknownMarker;
        try (ShardLog log = open()) {
            assertThat(log.recovery().cleanShutdown()).isFalse();
            verifiedAfterUnknownMarker = log.recovery().recordsVerified();
        }
        try (ShardLog log = open()) {
            assertThat(log.recovery().cleanShutdown()).isTrue();
            // Only the records after the last index entry of the last segment, instead of all ten of it.
            assertThat(log.recovery().recordsVerified()).isLessThan(verifiedAfterUnknownMarker);
        }
    }

    @Test
    void atTimestampWithinAMissingSegmentAnswersTheStartOfTheGap() throws IOException {
        try (ShardLog log = open()) {
            for (int i = 0; i < 40; i++) {
                log.append(List.of(LogFixtures.record(i, SIZE, T0 + i * 1000L)));
            }
        }
        deleteSegment(10);
        try (ShardLog log = open()) {
            assertThat(log.offsetForTimestamp(T0 + 5_000)).isEqualTo(5);
            assertThat(log.offsetForTimestamp(T0 + 15_000)).isEqualTo(10);
            assertThat(log.offsetForTimestamp(T0 + 25_000)).isEqualTo(25);
        }
    }

    @Test
    void bitRotInTheActiveSegmentOfAnOpenLogIsFoundByReadsWhileAppendsGoOn() throws IOException {
        try (ShardLog log = open()) {
            appendNumbered(log, 0, 5, 1, SIZE, T0);
            flipBit(segment(0), positionOf(0, 2, SIZE) + 60);
            assertNumbered(log.read(0, 100, 1 << 20), 0, 2);
            appendNumbered(log, 5, 3, 1, SIZE, T0);
            assertReadFailsAt(log, 2, 2, 2);
            assertNumbered(log.read(3, 100, 1 << 20), 3, 5);
            assertThat(log.corruptRecordsFound()).isEqualTo(1);
        }
    }
}
