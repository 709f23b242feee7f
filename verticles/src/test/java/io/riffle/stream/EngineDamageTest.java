package io.riffle.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.model.DamagedRecords;
import io.riffle.model.Record;
import io.riffle.model.ShardId;
import io.riffle.model.StreamName;
import io.riffle.testing.MutableClock;
import io.riffle.throttle.ThroughputLimits;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A damaged shard log seen from outside: the metric, the shard's description and the read error. */
@ExtendWith(VertxExtension.class)
class EngineDamageTest {
    private static final StreamName S = StreamName.of("orders");
    private static final ShardId SHARD = new ShardId(0);
    /** Key "k" and 20 data bytes: 27 bytes of frame overhead (see io.riffle.log.Frames) plus 21. */
    private static final int FRAME = 48;

    @TempDir
    Path dataDir;
    private Engine engine;
    private final MutableClock clock = new MutableClock(1_700_000_000_000L);

    @AfterEach
    void stop() {
        if (engine != null) {
            await(engine.stop());
        }
    }

    private static <T> T await(Future<T> f) {
        return io.riffle.testing.Futures.await(f);
    }

    private StreamClient start(Vertx vertx, SimpleMeterRegistry registry) {
        engine = await(Engine.start(vertx, EngineConfig.defaults(dataDir).withLimits(ThroughputLimits.OFF).withClock(clock)
                .withMetrics(registry)));
        return engine.client();
    }

    private Path onlySegment() throws IOException {
        try (Stream<Path> files = Files.walk(dataDir)) {
            List<Path> logs = files.filter(f -> f.getFileName().toString().matches("\\d{20}\\.log")).toList();
            assertThat(logs).hasSize(1);
            return logs.get(0);
        }
    }

    @Test
    void damageIsCountedDescribedAndFailsTheReadThatReachesItWithoutAFilePath(Vertx vertx) throws IOException {
        StreamClient client = start(vertx, new SimpleMeterRegistry());
        await(client.create(CreateStream.of("orders", 1)));
        List<PutEntry> entries = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            entries.add(PutEntry.of("k", String.format("record-%013d", i).getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        }
        await(client.put(S, entries));
        await(engine.stop());
        engine = null;
        Path segment = onlySegment();
        assertThat(Files.size(segment)).isEqualTo(10L * FRAME);
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {'X'}), 4L * FRAME + 40);
        }
        // As after a crash: the last segment is verified frame by frame when the node starts.
        Files.delete(segment.resolveSibling(".clean-shutdown"));

        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        client = start(vertx, registry);
        assertThat(registry.get("riffle.log.corrupt.frames").tags("stream", "orders", "shard", SHARD.toString())
                .functionCounter().count()).isEqualTo(1.0);
        assertThat(await(client.describeWithShardStatus(S)).shards().get(0).damaged()).containsExactly(
                new DamagedRecords(4, 4, segment.getFileName() + " at byte " + 4 * FRAME, "CRC32C mismatch"));

        long start = await(client.resolve(S, SHARD, new ReadFrom.TrimHorizon()));
        assertThat(await(client.read(S, SHARD, start, 100, 1 << 20, false)).records())
                .extracting(Record::offset).containsExactly(0L, 1L, 2L, 3L);
        StreamClient c = client;
        assertThatThrownBy(() -> await(c.read(S, SHARD, 4, 100, 1 << 20, false)))
                .isInstanceOfSatisfying(RiffleException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL_FAILURE);
                    assertThat(e.getMessage()).contains(SHARD.toString(), "orders", "offsets 4..4").doesNotContain(dataDir.toString(), ".log");
                });
        assertThat(await(client.read(S, SHARD, 5, 100, 1 << 20, false)).records())
                .extracting(Record::offset).containsExactly(5L, 6L, 7L, 8L, 9L);
    }
}
