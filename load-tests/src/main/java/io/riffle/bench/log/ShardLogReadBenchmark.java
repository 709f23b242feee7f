package io.riffle.bench.log;

import io.riffle.log.AppendRecord;
import io.riffle.log.FsyncPolicy;
import io.riffle.log.LogConfig;
import io.riffle.log.ShardLog;
import io.riffle.model.Record;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Sequential read throughput from the page cache: a log of {@link #totalRecords} records is written once,
 * then each invocation is one GetRecords-sized {@link ShardLog#read} (10,000 records / 10 MiB) continuing
 * where the previous one stopped, wrapping around at the end. The {@code records} counter gives records/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ShardLogReadBenchmark {
    @Param({"100"})
    public int recordBytes;

    @Param({"1000000"})
    public int totalRecords;

    private Path dir;
    private ShardLog log;
    private long next;

    /** Records read, reported by JMH as records per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        public long records;
    }

    /** Whether the records are sealed (encryption at rest): each read decrypts them. */
    @Param({"false", "true"})
    public boolean encrypted;

    @Setup(Level.Trial)
    public void fill() throws IOException {
        dir = Files.createTempDirectory(Path.of(System.getProperty("riffle.bench.dir", System.getProperty("java.io.tmpdir"))), "read-bench");
        io.riffle.log.crypto.Keyring keyring = BenchKeyring.create(dir);
        log = ShardLog.open(dir.resolve("shard"), LogConfig.defaults().withFsyncPolicy(FsyncPolicy.INTERVAL), Clock.systemUTC(),
                () -> keyring);
        log.setEncryption(encrypted ? BenchKeyring.ARN : null);
        Random random = new Random(1);
        long now = System.currentTimeMillis();
        for (int i = 0; i < totalRecords; i += 1000) {
            List<AppendRecord> batch = new ArrayList<>(1000);
            for (int j = 0; j < 1000; j++) {
                byte[] data = new byte[recordBytes];
                random.nextBytes(data);
                batch.add(new AppendRecord("partition-key-" + j, data, now));
            }
            log.append(batch);
        }
        log.flush();
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
        log.deleteAll();
        Files.deleteIfExists(dir.resolve("keyring.json"));
        Files.deleteIfExists(dir);
    }

    @Benchmark
    public int read(Counters counters) throws IOException {
        List<Record> got = log.read(next, 10_000, 10L << 20);
        if (got.isEmpty()) {
            next = 0;
            return 0;
        }
        next = got.get(got.size() - 1).offset() + 1;
        counters.records += got.size();
        return got.size();
    }
}
