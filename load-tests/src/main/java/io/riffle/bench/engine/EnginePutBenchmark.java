package io.riffle.bench.engine;

import static io.riffle.bench.BenchSupport.await;

import io.riffle.bench.BenchSupport;
import io.riffle.log.FsyncPolicy;
import io.riffle.log.LogConfig;
import io.riffle.stream.CreateStream;
import io.riffle.stream.Engine;
import io.riffle.stream.EngineConfig;
import io.riffle.stream.PutEntry;
import io.riffle.stream.PutOutcome;
import io.riffle.stream.StreamClient;
import io.riffle.model.StreamName;
import io.riffle.throttle.ThroughputLimits;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Puts through the whole engine in one process: StreamClient routing, event bus, shard verticle with token
 * buckets (off), group commit, the shard log on disk. Each invocation keeps {@link #CONCURRENT} puts of
 * {@code batch} records in flight, as several producers would, so group commit has something to group.
 * Score: records per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EnginePutBenchmark {
    static final int CONCURRENT = 8;
    static final int BATCH = 500;

    @Param({"100", "1024"})
    int recordBytes;

    @Param({"PER_BATCH", "INTERVAL"})
    FsyncPolicy fsync;

    private Vertx vertx;
    private Engine engine;
    private StreamClient client;
    private Path dir;
    private List<PutEntry> batch;
    private final StreamName stream = StreamName.of("bench");

    @Setup(Level.Trial)
    public void start() throws Exception {
        dir = Files.createTempDirectory("riffle-engine-bench");
        vertx = Vertx.vertx();
        EngineConfig config = EngineConfig.defaults(dir).withLimits(ThroughputLimits.OFF)
                .withLog(LogConfig.defaults().withFsyncPolicy(fsync));
        engine = await(Engine.start(vertx, config));
        client = engine.client();
        await(client.create(CreateStream.of(stream.value(), 1)));
        byte[] data = new byte[recordBytes];
        batch = IntStream.range(0, BATCH).mapToObj(i -> PutEntry.of("key-" + (i % 16), data)).toList();
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        await(engine.stop());
        await(vertx.close());
        BenchSupport.deleteTree(dir);
    }

    @Benchmark
    @OperationsPerInvocation(CONCURRENT * BATCH)
    public int putBatches() throws Exception {
        List<Future<List<PutOutcome>>> puts = new ArrayList<>(CONCURRENT);
        for (int i = 0; i < CONCURRENT; i++) {
            puts.add(client.put(stream, batch));
        }
        int accepted = 0;
        for (Future<List<PutOutcome>> f : puts) {
            for (PutOutcome o : await(f)) {
                if (o instanceof PutOutcome.Accepted) {
                    accepted++;
                }
            }
        }
        if (accepted != CONCURRENT * BATCH) {
            throw new IllegalStateException("Only " + accepted + " of " + CONCURRENT * BATCH + " records accepted");
        }
        return accepted;
    }
}
