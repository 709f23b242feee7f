package io.riffle.log;

import io.riffle.testing.MutableClock;
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
            // An unpaired surrogate is stored the way String.getBytes encodes it.
            assertThat(log.append(List.of(new AppendRecord("\uD800", new byte[1], T0 + 5)))).isEqualTo(3);
            assertThat(log.read(3, 1, 100)).singleElement().extracting(Record::partitionKey).isEqualTo("?");

            List<Record> got = log.read(0, 100, 1 << 20);
            assertThat(got).containsExactly(
                    new Record(0, T0, "key-0", data(0, 100)),
                    new Record(1, T0, "key-1", data(1, 0)),
                    new Record(2, T0 + 5, "ключ-ü", data(2, 1000)),
                    new Record(3, T0 + 5, "?", new byte[1]));
            assertThat(log.endOffset()).isEqualTo(4);
            assertThat(log.lastArrivalMillis()).isEqualTo(T0 + 5);
            assertThat(log.read(4, 100, 1 << 20)).isEmpty();
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

    @Test
    void atTimestampFindsTheFirstRecordAtOrAfterThatTimeThroughTheTimeIndex() throws IOException {
        LogConfig config = LogConfig.defaults().withSegmentBytes(8 << 10).withIndexIntervalBytes(500);
        try (ShardLog log = open(config)) {
            // Record i arrives at T0 + 10 * (i / 3): three records per 10 ms step.
            for (int i = 0; i < 600; i += 3) {
                appendNumbered(log, i, 3, 3, 100, T0 + 10L * (i / 3));
            }
            assertThat(log.offsetForTimestamp(0)).isZero();
            assertThat(log.offsetForTimestamp(T0)).isZero();
            assertThat(log.offsetForTimestamp(T0 + 1)).isEqualTo(3);
            assertThat(log.offsetForTimestamp(T0 + 10)).isEqualTo(3);
            for (int step = 0; step < 200; step += 13) {
                assertThat(log.offsetForTimestamp(T0 + 10L * step)).isEqualTo(3L * step);
                assertThat(log.offsetForTimestamp(T0 + 10L * step - 5)).isEqualTo(3L * step);
            }
            assertThat(log.offsetForTimestamp(T0 + 1990)).isEqualTo(597);
            assertThat(log.offsetForTimestamp(T0 + 1991)).isEqualTo(600).isEqualTo(log.endOffset());
        }
        try (ShardLog log = open(config)) {
            assertThat(log.offsetForTimestamp(T0 + 10L * 111)).isEqualTo(333);
            log.dropCachedIndexes();
            assertThat(log.offsetForTimestamp(T0 + 10L * 111 - 3)).isEqualTo(333);
            assertThat(log.offsetForTimestamp(T0 + 10L * 67)).isEqualTo(201);
        }
    }

    @Test
    void readsAreBoundedByMaxRecordsAndMaxBytesButReturnAtLeastOneRecord() throws IOException {
        try (ShardLog log = open(LogConfig.defaults())) {
            appendNumbered(log, 0, 100, 50, 1000, T0);
            log.append(List.of(LogFixtures.record(100, 50_000, T0)));
            assertThat(log.read(0, 10, 1 << 20)).hasSize(10);
            assertThat(log.read(0, 10_000, 5000)).hasSize(5);
            assertThat(log.read(0, 10_000, 4999)).hasSize(4);
            assertThat(log.read(0, 10_000, 1)).hasSize(1);
            assertThat(log.read(100, 10, 1000)).singleElement().satisfies(r -> assertThat(r.data()).isEqualTo(data(100, 50_000)));
            assertThat(log.read(99, 10, 40_000)).extracting(Record::offset).containsExactly(99L);
            assertThatThrownBy(() -> log.read(0, 0, 100)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void segmentsRollByAge() throws IOException {
        LogConfig config = LogConfig.defaults().withSegmentMaxAgeMillis(1000);
        try (ShardLog log = open(config)) {
            appendNumbered(log, 0, 5, 5, 10, T0);
            clock.advance(999);
            appendNumbered(log, 5, 5, 5, 10, clock.millis());
            clock.advance(1);
            appendNumbered(log, 10, 5, 5, 10, clock.millis());
        }
        try (Stream<Path> files = Files.list(dir.resolve("shard"))) {
            assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".log")).sorted())
                    .containsExactly(Segment.name(0, ".log"), Segment.name(10, ".log"));
        }
    }

    @Test
    void offsetsAreNeverReusedAfterRetentionDeletedEverythingAndTheNodeRestarted() throws IOException {
        LogConfig config = LogConfig.defaults().withSegmentBytes(2048).withRetentionMillis(1000);
        try (ShardLog log = open(config)) {
            appendNumbered(log, 0, 50, 5, 100, T0);
            clock.advance(5000);
            assertThat(log.enforceRetention()).isPositive();
            assertThat(log.startOffset()).isEqualTo(50);
            assertThat(log.read(0, 100, 1 << 20)).isEmpty();
        }
        try (Stream<Path> files = Files.list(dir.resolve("shard"))) {
            assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".log")))
                    .containsExactly(Segment.name(50, ".log"));
        }
        try (ShardLog log = open(config)) {
            assertThat(log.endOffset()).isEqualTo(50);
            assertThat(log.append(List.of(LogFixtures.record(50, 10, clock.millis())))).isEqualTo(50);
            assertThat(log.read(0, 10, 1 << 20)).extracting(Record::offset).containsExactly(50L);
        }
    }

    @Test
    void aConcurrentReaderSeesEveryRecordExactlyOnceInOrderWhileAppendsRun() throws Exception {
        LogConfig config = LogConfig.defaults().withSegmentBytes(16 << 10).withIndexIntervalBytes(1024);
        int total = 20_000;
        try (ShardLog log = open(config)) {
            java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
            java.util.concurrent.atomic.AtomicLong readCount = new java.util.concurrent.atomic.AtomicLong();
            Thread reader = new Thread(() -> {
                try {
                    long next = 0;
                    long deadline = System.nanoTime() + 30_000_000_000L;
                    while (next < total && System.nanoTime() < deadline) {
                        long end = log.endOffset();
                        List<Record> got = log.read(next, 333, 1 << 20);
                        for (Record r : got) {
                            if (r.offset() != next || r.offset() >= log.endOffset() || !java.util.Arrays.equals(r.data(), data(next, 50))) {
                                throw new AssertionError("unexpected " + r + " while expecting offset " + next);
                            }
                            next++;
                        }
                        if (got.isEmpty() && next < end) {
                            throw new AssertionError("nothing read at " + next + " below end " + end);
                        }
                    }
                    readCount.set(next);
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            reader.start();
            appendNumbered(log, 0, total, 37, 50, T0);
            reader.join(60_000);
            assertThat(failure.get()).isNull();
            assertThat(readCount.get()).isEqualTo(total);
        }
    }

    @Test
    void readsRacingWithRetentionReturnOnlyUnexpiredRecords() throws Exception {
        LogConfig config = LogConfig.defaults().withSegmentBytes(4096).withRetentionMillis(1000);
        try (ShardLog log = open(config)) {
            java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            Thread reader = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        long cutoff = clock.millis() - 1000;
                        for (Record r : log.read(0, 10_000, 10 << 20)) {
                            if (r.arrivalMillis() < cutoff) {
                                throw new AssertionError("expired record returned: " + r + " cutoff " + cutoff);
                            }
                        }
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            reader.start();
            for (int round = 0; round < 200; round++) {
                appendNumbered(log, round * 10L, 10, 10, 100, clock.millis());
                clock.advance(100);
                log.enforceRetention();
            }
            stop.set(true);
            reader.join(10_000);
            assertThat(failure.get()).isNull();
            assertThat(log.startOffset()).isEqualTo(1900);
        }
    }

    @Test
    void anInterruptedReaderFailsAloneAndTheLogStaysUsable() throws IOException {
        try (ShardLog log = open(LogConfig.defaults())) {
            appendNumbered(log, 0, 10, 10, 100, T0);
            Thread.currentThread().interrupt();
            try {
                // FileChannel closes itself for every user when an interrupted thread touches it.
                assertThatThrownBy(() -> log.read(0, 10, 1 << 20)).isInstanceOf(java.io.InterruptedIOException.class);
            } finally {
                Thread.interrupted();
            }
            assertThat(log.read(0, 10, 1 << 20)).hasSize(10);
            assertThat(log.append(List.of(LogFixtures.record(10, 100, T0)))).isEqualTo(10);
            assertThat(readAll(log, 0)).hasSize(11);
        }
    }

    @Test
    void aCleanShutdownIsTrustedButACrashImageIsVerifiedFrameByFrame() throws IOException {
        LogConfig config = LogConfig.defaults().withIndexIntervalBytes(1024);
        Path shard = dir.resolve("shard");
        Path crashImage = dir.resolve("crash-image");
        try (ShardLog log = open(config)) {
            appendNumbered(log, 0, 500, 50, 100, T0);
            // What the disk holds if the process dies now (every append was fsynced): no clean-shutdown marker.
            Files.createDirectories(crashImage);
            try (Stream<Path> files = Files.list(shard)) {
                for (Path f : files.filter(f -> !f.getFileName().toString().startsWith(".")).toList()) {
                    Files.copy(f, crashImage.resolve(f.getFileName()));
                }
            }
        }
        try (ShardLog log = open(config)) {
            assertThat(log.recovery().cleanShutdown()).isTrue();
            assertThat(log.recovery().recordsVerified()).isLessThan(50);
            assertThat(log.read(321, 2, 1 << 20)).extracting(Record::offset).containsExactly(321L, 322L);
            assertThat(log.append(List.of(LogFixtures.record(500, 100, T0)))).isEqualTo(500);
            assertThat(readAll(log, 0)).hasSize(501);
        }
        try (ShardLog log = ShardLog.open(crashImage, config, clock)) {
            assertThat(log.recovery().cleanShutdown()).isFalse();
            assertThat(log.recovery().recordsVerified()).isEqualTo(500);
            assertThat(readAll(log, 0)).hasSize(500);
        }
    }

    @Test
    void increasingRetentionDoesNotBringBackExpiredRecords() throws IOException {
        LogConfig config = LogConfig.defaults().withSegmentBytes(4096).withRetentionMillis(60_000);
        try (ShardLog log = open(config)) {
            appendNumbered(log, 0, 100, 10, 100, T0);
            clock.advance(50_000);
            appendNumbered(log, 100, 100, 10, 100, clock.millis());
            clock.advance(20_000);
            assertThat(log.startOffset()).isEqualTo(100);
            log.setRetentionMillis(10_000);
            assertThat(log.startOffset()).isEqualTo(200);
            assertThat(log.read(0, 1000, 1 << 20)).isEmpty();
            log.setRetentionMillis(3_600_000);
            assertThat(log.startOffset()).isEqualTo(200);
            assertThat(log.read(0, 1000, 1 << 20)).isEmpty();
            assertThat(log.enforceRetention()).isPositive();
            assertThat(log.endOffset()).isEqualTo(200);
            assertThat(log.append(List.of(LogFixtures.record(200, 10, clock.millis())))).isEqualTo(200);
            assertThat(log.read(0, 1000, 1 << 20)).extracting(Record::offset).containsExactly(200L);
        }
    }
}
