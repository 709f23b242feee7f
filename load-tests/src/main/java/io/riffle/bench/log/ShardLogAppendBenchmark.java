package io.riffle.bench.log;

import io.riffle.log.AppendRecord;
import io.riffle.log.FsyncPolicy;
import io.riffle.log.LogConfig;
import io.riffle.log.ShardLog;
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
 * Append throughput of one shard log, one writer thread (as in a shard verticle). Each invocation is one
 * {@link ShardLog#append} of a batch; the {@code records} counter gives records/s. Under INTERVAL the
 * benchmark thread calls {@link ShardLog#flush} every fsyncIntervalMillis, as the shard's owner does.
 * The log is recreated for every iteration so the disk does not fill up.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ShardLogAppendBenchmark {
    @Param({"100", "1024"})
    public int recordBytes;

    @Param({"1", "500"})
    public int batchSize;

    @Param({"PER_BATCH", "INTERVAL"})
    public FsyncPolicy fsync;

    /** Whether the log seals records (encryption at rest, AES-256-GCM per record). */
    @Param({"false", "true"})
    public boolean encrypted;

    private Path dir;
    private ShardLog log;
    private List<AppendRecord> batch;
    private long flushIntervalNanos;
    private long nextFlush;

    /** Records appended, reported by JMH as records per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        public long records;
    }

    @Setup(Level.Iteration)
    public void open() throws IOException {
        dir = Files.createTempDirectory(Path.of(System.getProperty("riffle.bench.dir", System.getProperty("java.io.tmpdir"))), "append-bench");
        LogConfig config = LogConfig.defaults().withFsyncPolicy(fsync);
        io.riffle.log.crypto.Keyring keyring = BenchKeyring.create(dir);
        log = ShardLog.open(dir.resolve("shard"), config, Clock.systemUTC(), () -> keyring);
        log.setEncryption(encrypted ? BenchKeyring.ARN : null);
        Random random = new Random(1);
        batch = new ArrayList<>(batchSize);
        long now = System.currentTimeMillis();
        for (int i = 0; i < batchSize; i++) {
            byte[] data = new byte[recordBytes];
            random.nextBytes(data);
            batch.add(new AppendRecord("partition-key-" + i, data, now));
        }
        flushIntervalNanos = TimeUnit.MILLISECONDS.toNanos(config.fsyncIntervalMillis());
        nextFlush = System.nanoTime() + flushIntervalNanos;
    }

    @TearDown(Level.Iteration)
    public void delete() throws IOException {
        log.deleteAll();
        Files.deleteIfExists(dir.resolve("keyring.json"));
        Files.deleteIfExists(dir);
    }

    @Benchmark
    public long append(Counters counters) throws IOException {
        long first = log.append(batch);
        counters.records += batchSize;
        if (fsync == FsyncPolicy.INTERVAL && System.nanoTime() >= nextFlush) {
            log.flush();
            nextFlush += flushIntervalNanos;
        }
        return first;
    }
}
