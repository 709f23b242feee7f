package io.riffle.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.riffle.model.StreamMode;
import io.riffle.model.StreamName;
import io.riffle.throttle.ThroughputLimits;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** An ON_DEMAND stream driven above its shards' write limits grows until its writes are no longer throttled. */
@ExtendWith(VertxExtension.class)
class EngineOnDemandTest {
    private static final StreamName S = StreamName.of("auto");
    /**
     * 100 records/s per shard. The test offers 64 records every 100 ms or slower, spread evenly over the key
     * space: 16 per put for each of 4 shards (up to 160/s: hot, or throttled), 8 for each of 8 (at most 80/s:
     * below the limit and below the 90% that makes a shard hot, so the stream stops at 8).
     */
    private static final ThroughputLimits LIMITS = new ThroughputLimits(0, 100, 0, 0, 0);

    @TempDir
    Path dataDir;

    private static <T> T await(io.vertx.core.Future<T> f) {
        return io.riffle.testing.Futures.await(f);
    }

    /** {@code perSlot} records in each 1/32 of the key space (at its middle), so shards of even ranges share alike. */
    private static List<PutEntry> evenBatch(int perSlot) {
        List<PutEntry> batch = new ArrayList<>();
        BigInteger step = BigInteger.ONE.shiftLeft(123);
        for (int r = 0; r < perSlot; r++) {
            for (int j = 0; j < 32; j++) {
                BigInteger key = step.multiply(BigInteger.valueOf(j)).add(step.shiftRight(1));
                batch.add(new PutEntry("k", Optional.of(key.toString()), new byte[8]));
            }
        }
        return batch;
    }

    private static int throttled(List<PutOutcome> outcomes) {
        return (int) outcomes.stream().filter(o -> o instanceof PutOutcome.Rejected).count();
    }

    /**
     * Puts 64 records, waits 100 ms, and again, for {@code millis}; answers how many were throttled. Never
     * faster than that (a slow put delays the next, no catch-up burst), so 8 shards stay below 80/s each.
     */
    private static int drive(StreamClient c, long millis) throws InterruptedException {
        int throttled = 0;
        for (long end = System.currentTimeMillis() + millis; System.currentTimeMillis() < end; ) {
            throttled += throttled(await(c.put(S, evenBatch(2))));
            Thread.sleep(100);
        }
        return throttled;
    }

    @Test
    void anOnDemandStreamSplitsItsHotShardsAndStopsThrottling(Vertx vertx) throws Exception {
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        Engine engine = await(Engine.start(vertx, EngineConfig.defaults(dataDir).withMetrics(metrics)
                .withOnDemand(new OnDemandSettings(90, 20, 500, 1_000, 3_600_000, 4))));
        try {
            StreamClient c = engine.client();
            await(c.create(new CreateStream(S, 4, 24, StreamMode.PROVISIONED, Map.of(), Optional.of(LIMITS))));
            // 128 records for each shard at once: a shard's bucket holds 100, so the rest is throttled.
            assertThat(throttled(await(c.put(S, evenBatch(16))))).as("4 shards over their limit throttle").isPositive();

            await(c.setMode(S, StreamMode.ON_DEMAND));
            int open = 4;
            for (int i = 0; i < 100 && open < 8; i++) {
                drive(c, 200);
                open = await(c.describe(S)).openShards().size();
            }
            assertThat(open).isEqualTo(8);
            drive(c, 1_500);
            assertThat(drive(c, 2_000)).as("8 shards take the load").isZero();
            assertThat(await(c.describe(S)).openShards()).hasSize(8);
            assertThat(metrics.find("riffle.stream.ondemand.scalings").tags("stream", "auto", "direction", "up")
                    .counter().count()).isEqualTo(1.0);
        } finally {
            await(engine.stop());
        }
    }
}
