package io.riffle.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.model.Record;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogTruncationTest {
    private static final int SIZE = 100;
    /** Small segments, so 100 records span several and cuts fall inside, at and between them. */
    private static final LogConfig CONFIG = LogConfig.defaults().withSegmentBytes(2_000).withIndexIntervalBytes(256);

    @TempDir
    Path dir;

    private void write(int count) throws IOException {
        try (ShardLog log = ShardLog.open(dir, CONFIG, Clock.systemUTC())) {
            LogFixtures.appendNumbered(log, 0, count, 7, SIZE, System.currentTimeMillis());
        }
    }

    private long segments() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".log")).count();
        }
    }

    /** Opens the cut log and checks it ends at {@code end}, holds records 0..end-1 intact, and takes more. */
    private void assertEndsAt(long end) throws IOException {
        try (ShardLog log = ShardLog.open(dir, CONFIG, Clock.systemUTC())) {
            assertThat(log.endOffset()).isEqualTo(end);
            assertThat(log.recovery().damaged()).isEmpty();
            List<Record> all = log.read(0, 10_000, Long.MAX_VALUE);
            assertThat(all).hasSize((int) end);
            for (Record r : all) {
                assertThat(r.partitionKey()).isEqualTo("key-" + r.offset());
                assertThat(r.data()).isEqualTo(LogFixtures.data(r.offset(), SIZE));
            }
            assertThat(log.append(List.of(LogFixtures.record(end, SIZE, System.currentTimeMillis())))).isEqualTo(end);
            assertThat(log.read(end, 1, Long.MAX_VALUE).get(0).partitionKey()).isEqualTo("key-" + end);
        }
    }

    @Test
    void cutsInsideTheLastSegment() throws IOException {
        write(100);
        assertThat(LogTruncation.truncate(dir, 97)).isEqualTo(3);
        assertEndsAt(97);
    }

    @Test
    void cutsAcrossSegmentsAndDeletesTheLaterOnes() throws IOException {
        write(100);
        long before = segments();
        assertThat(before).isGreaterThan(3);
        assertThat(LogTruncation.truncate(dir, 20)).isEqualTo(80);
        assertThat(segments()).isLessThan(before);
        assertEndsAt(20);
    }

    @Test
    void cutsEverythingAndKeepsTheOffsetsOfAnEmptyLog() throws IOException {
        write(30);
        assertThat(LogTruncation.truncate(dir, 0)).isEqualTo(30);
        assertEndsAt(0);
    }

    @Test
    void aCutAtOrBeyondTheEndChangesNothing() throws IOException {
        write(30);
        assertThat(LogTruncation.truncate(dir, 30)).isZero();
        assertThat(LogTruncation.truncate(dir, 45)).isZero();
        assertEndsAt(30);
    }

    @Test
    void everySegmentBoundaryIsACleanCut() throws IOException {
        write(60);
        List<Long> bases;
        try (Stream<Path> files = Files.list(dir)) {
            bases = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".log"))
                    .map(n -> Long.parseLong(n.substring(0, 20))).sorted().toList();
        }
        long boundary = bases.get(bases.size() / 2);
        assertThat(LogTruncation.truncate(dir, boundary)).isEqualTo(60 - boundary);
        assertEndsAt(boundary);
    }

    @Test
    void aRestartEmptiesTheLogToContinueAtTheOffsetGiven() throws IOException {
        write(60);
        LogTruncation.restartAt(dir, 250);
        try (ShardLog log = ShardLog.open(dir, CONFIG, Clock.systemUTC())) {
            assertThat(log.startOffset()).isEqualTo(250);
            assertThat(log.endOffset()).isEqualTo(250);
            assertThat(log.recovery().damaged()).isEmpty();
            assertThat(log.append(List.of(LogFixtures.record(250, SIZE, System.currentTimeMillis())))).isEqualTo(250);
            assertThat(log.read(0, 10, Long.MAX_VALUE)).extracting(Record::offset).containsExactly(250L);
        }
        assertThat(segments()).isEqualTo(1);
    }

    @Test
    void aRestartCutShortAfterItsStartIsDoneAgain() throws IOException {
        write(60);
        // As if the restart stopped once the start was durable: the log opens ending below it, and restarts again.
        new LogMarker(dir, LogMarker.LOG_START, 1).write(250);
        try (ShardLog log = ShardLog.open(dir, CONFIG, Clock.systemUTC())) {
            assertThat(log.endOffset()).isLessThan(250);
        }
        LogTruncation.restartAt(dir, 250);
        try (ShardLog log = ShardLog.open(dir, CONFIG, Clock.systemUTC())) {
            assertThat(log.endOffset()).isEqualTo(250);
            assertThat(log.recovery().damaged()).isEmpty();
        }
    }

    @Test
    void refusesToCutBelowTheLogStart() throws IOException {
        write(30);
        new LogMarker(dir, LogMarker.LOG_START, 1).write(10);
        assertThatThrownBy(() -> LogTruncation.truncate(dir, 5)).isInstanceOf(IllegalArgumentException.class);
    }
}
