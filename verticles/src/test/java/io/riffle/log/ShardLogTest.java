package io.riffle.log;

import static io.riffle.log.LogFixtures.appendNumbered;
import static io.riffle.log.LogFixtures.data;
import static io.riffle.log.LogFixtures.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.model.Record;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardLogTest {
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T0);

    private ShardLog open(LogConfig config) throws IOException {
        return ShardLog.open(dir.resolve("shard"), config, clock);
    }

    @Test
    void appendedRecordsAreReadBackInOrderByteForByte() throws IOException {
        try (ShardLog log = open(LogConfig.defaults())) {
            assertThat(log.startOffset()).isZero();
            assertThat(log.endOffset()).isZero();
            assertThat(log.lastArrivalMillis()).isEqualTo(-1);
            assertThat(log.append(List.of(LogFixtures.record(0, 100, T0), LogFixtures.record(1, 0, T0)))).isZero();
            assertThat(log.append(List.of(new AppendRecord("ключ-ü", data(2, 1000), T0 + 5)))).isEqualTo(2);

            List<Record> got = log.read(0, 100, 1 << 20);
            assertThat(got).containsExactly(
                    new Record(0, T0, "key-0", data(0, 100)),
                    new Record(1, T0, "key-1", data(1, 0)),
                    new Record(2, T0 + 5, "ключ-ü", data(2, 1000)));
            assertThat(log.endOffset()).isEqualTo(3);
            assertThat(log.lastArrivalMillis()).isEqualTo(T0 + 5);
            assertThat(log.read(3, 100, 1 << 20)).isEmpty();
            assertThat(log.read(1, 1, 1 << 20)).extracting(Record::offset).containsExactly(1L);
        }
    }

    @Test
    void arrivalTimesAreClampedToBeNonDecreasing() throws IOException {
        try (ShardLog log = open(LogConfig.defaults())) {
            log.append(List.of(LogFixtures.record(0, 10, T0 + 100)));
            log.append(List.of(LogFixtures.record(1, 10, T0 + 50), LogFixtures.record(2, 10, T0 + 200)));
            assertThat(log.read(0, 10, 1 << 20)).extracting(Record::arrivalMillis).containsExactly(T0 + 100, T0 + 100, T0 + 200);
        }
    }

    @Test
    void recordsSurviveACleanRestartAcrossManySegments() throws IOException {
        LogConfig config = LogConfig.defaults().withSegmentBytes(4096).withIndexIntervalBytes(512);
        try (ShardLog log = open(config)) {
            appendNumbered(log, 0, 1000, 7, 100, T0);
        }
        try (Stream<Path> files = Files.list(dir.resolve("shard"))) {
            assertThat(files.filter(f -> f.toString().endsWith(".log")).count()).isGreaterThan(20);
        }
        try (ShardLog log = open(config)) {
            assertThat(log.recovery().clean()).as(log.recovery().toString()).isTrue();
            assertThat(log.endOffset()).isEqualTo(1000);
            List<Record> all = readAll(log, 0);
            assertThat(all).hasSize(1000);
            for (int i = 0; i < 1000; i++) {
                assertThat(all.get(i)).isEqualTo(new Record(i, T0, "key-" + i, data(i, 100)));
            }
            assertThat(log.append(List.of(LogFixtures.record(1000, 100, T0)))).isEqualTo(1000);
        }
    }

    @Test
    void readsStartAtAnyOffsetThroughTheSparseIndex() throws IOException {
        LogConfig config = LogConfig.defaults().withSegmentBytes(64 << 10).withIndexIntervalBytes(300);
        try (ShardLog log = open(config)) {
            appendNumbered(log, 0, 3000, 500, 100, T0);
            for (long from : new long[] {0, 1, 17, 499, 500, 501, 1234, 2999}) {
                List<Record> got = log.read(from, 3, 1 << 20);
                assertThat(got).extracting(Record::offset).containsExactly(
                        Stream.of(from, from + 1, from + 2).filter(o -> o < 3000).toArray(Long[]::new));
                assertThat(got.get(0).data()).isEqualTo(data(from, 100));
            }
        }
    }

    @Test
    void secondOpenOfTheSameDirectoryIsRefused() throws IOException {
        try (ShardLog log = open(LogConfig.defaults())) {
            assertThatThrownBy(() -> open(LogConfig.defaults())).isInstanceOf(IOException.class).hasMessageContaining("already open");
        }
    }

    @Test
    void retentionHidesAndDeletesExpiredSegmentsButKeepsTheOffsets() throws IOException {
        LogConfig config = LogConfig.defaults().withSegmentBytes(4096).withRetentionMillis(60_000);
        try (ShardLog log = open(config)) {
            appendNumbered(log, 0, 100, 10, 100, T0);
            clock.advance(30_000);
            appendNumbered(log, 100, 100, 10, 100, T0 + 30_000);
            clock.advance(40_000);
            // The first 100 records are now 70 s old.
            assertThat(log.startOffset()).isEqualTo(100);
            assertThat(log.read(0, 1000, 1 << 20)).extracting(Record::offset).first().isEqualTo(100L);
            assertThat(log.enforceRetention()).isPositive();
            assertThat(readAll(log, 0)).hasSize(100);
            clock.advance(60_000);
            assertThat(log.read(0, 1000, 1 << 20)).isEmpty();
            assertThat(log.startOffset()).isEqualTo(200);
            log.enforceRetention();
            assertThat(log.endOffset()).isEqualTo(200);
        }
        try (ShardLog log = open(config)) {
            assertThat(log.startOffset()).isEqualTo(200);
            assertThat(log.endOffset()).isEqualTo(200);
            assertThat(log.append(List.of(LogFixtures.record(200, 10, clock.millis())))).isEqualTo(200);
        }
    }
}
