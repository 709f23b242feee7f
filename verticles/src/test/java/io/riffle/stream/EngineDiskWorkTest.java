package io.riffle.stream;

import static io.riffle.testing.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.model.Record;
import io.riffle.model.ShardId;
import io.riffle.model.StreamMode;
import io.riffle.model.StreamDescription;
import io.riffle.model.StreamName;
import io.riffle.shard.LogPools;
import io.riffle.testing.MutableClock;
import io.riffle.throttle.ThroughputLimits;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Where the engine does its disk work (the named log pools), what it measures, and how its failures are answered. */
@ExtendWith(VertxExtension.class)
class EngineDiskWorkTest {
    private static final StreamName S = StreamName.of("work");

    @TempDir
    Path dataDir;
    private final MutableClock clock = new MutableClock(1_700_000_000_000L);
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private Engine engine;
    private StreamClient client;

    private void start(Vertx vertx, LogPools pools) {
        engine = await(Engine.start(vertx, EngineConfig.defaults(dataDir).withLimits(ThroughputLimits.OFF)
                .withClock(clock).withMetrics(registry).withPools(pools)));
        client = engine.client();
    }

    @AfterEach
    void stop() {
        if (engine != null) {
            await(engine.stop());
        }
    }

    private static PutEntry entry(String key, String data) {
        return PutEntry.of(key, data.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void putsFeedTheGroupCommitAndAppendLatencyHistograms(Vertx vertx) {
        start(vertx, LogPools.defaults());
        await(client.create(CreateStream.of(S.value(), 1)));
        await(client.put(S, List.of(entry("a", "1"), entry("b", "22"))));
        await(client.put(S, List.of(entry("c", "333"))));

        // registry.get(...) throws when a series is missing, so a renamed meter fails here.
        assertThat(registry.get("riffle.shard.group.commit.records").summary().totalAmount()).isEqualTo(3);
        assertThat(registry.get("riffle.shard.group.commit.records").summary().count()).isBetween(1L, 2L);
        assertThat(registry.get("riffle.shard.group.commit.bytes").summary().totalAmount()).isEqualTo((1 + 1) + (1 + 2) + (1 + 3));
        assertThat(registry.get("riffle.log.append.seconds").timer().count()).isBetween(1L, 2L);
    }

    @Test
    void resolvesAndReadsWaitForTheReadPoolWhileAppendsGoOn(Vertx vertx) throws Exception {
        start(vertx, new LogPools(1, 2));
        await(client.create(CreateStream.of(S.value(), 1)));
        await(client.put(S, List.of(entry("k", "before"))));
        ShardId shard = new ShardId(0);

        // Occupy every thread of the read pool until released.
        WorkerExecutor readPool = vertx.createSharedWorkerExecutor(LogPools.READ_POOL);
        CountDownLatch busy = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        for (int i = 0; i < 2; i++) {
            readPool.executeBlocking(() -> {
                busy.countDown();
                return release.await(30, TimeUnit.SECONDS);
            }, false);
        }
        assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();

        Future<Long> resolved = client.resolve(S, shard, new ReadFrom.TrimHorizon());
        Future<ReadBatch> read = client.read(S, shard, 0, 10, 1 << 20, false);
        // Sent after them to the same shard: answered while they wait, so neither runs on the shard's event
        // loop, and appends do not share the read pool.
        List<PutOutcome> put = await(client.put(S, List.of(entry("k", "during"))));
        assertThat(put.get(0)).isInstanceOf(PutOutcome.Accepted.class);
        assertThat(resolved.isComplete()).isFalse();
        assertThat(read.isComplete()).isFalse();

        release.countDown();
        assertThat(await(resolved)).isZero();
        assertThat(await(read).records()).extracting(r -> new String(r.data(), StandardCharsets.UTF_8))
                .startsWith("before");
        await(readPool.close());
    }

    @Test
    void aRetentionChangeTheShardCannotApplyFailsWithoutNamingFiles(Vertx vertx) throws Exception {
        start(vertx, LogPools.defaults());
        await(client.create(new CreateStream(S, 1, 48, StreamMode.PROVISIONED, Map.of(), Optional.empty())));
        await(client.put(S, List.of(entry("k", "old"))));
        clock.advance(30L * 3_600_000);
        // Older than the segment age limit: "new" starts a second segment, and the first one expires at 24 h.
        await(client.put(S, List.of(entry("k", "new"))));
        Path shardDir = shardDirectory();
        // Root ignores permissions, but not the immutable attribute: deleting the expired segment fails.
        assumeTrue(immutable(shardDir, true), "chattr +i is not permitted here");
        try {
            assertThatThrownBy(() -> await(client.setRetention(S, 24)))
                    .isInstanceOfSatisfying(RiffleException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL_FAILURE);
                        assertThat(e.getMessage()).contains("shardId-000000000000 of stream work")
                                .doesNotContain("/").doesNotContain("Exception");
                    });
        } finally {
            immutable(shardDir, false);
        }
        List<Record> all = await(client.read(S, new ShardId(0), 0, 10, 1 << 20, false)).records();
        assertThat(all).extracting(r -> new String(r.data(), StandardCharsets.UTF_8)).containsExactly("new");
        // The change was durable before the shard failed to delete: it stands in the catalog, also after a restart.
        assertThat(await(client.describe(S)).retentionHours()).isEqualTo(24);
        await(engine.stop());
        start(vertx, LogPools.defaults());
        assertThat(await(client.describe(S)).retentionHours()).isEqualTo(24);
    }

    @Test
    void aStreamWhoseFilesCannotBeWrittenFailsToCreateWithoutNamingFiles(Vertx vertx) throws Exception {
        start(vertx, LogPools.defaults());
        List<Path> dirs;
        try (Stream<Path> walk = Files.walk(dataDir)) {
            dirs = walk.filter(Files::isDirectory).toList();
        }
        assumeTrue(immutable(dirs.get(0), true), "chattr +i is not permitted here");
        try {
            for (Path d : dirs) {
                immutable(d, true);
            }
            assertThatThrownBy(() -> await(client.create(CreateStream.of(S.value(), 1))))
                    .isInstanceOfSatisfying(RiffleException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL_FAILURE);
                        assertThat(e.getMessage()).doesNotContain("/").doesNotContain("Exception");
                    });
        } finally {
            for (Path d : dirs) {
                immutable(d, false);
            }
        }
        assertThat(await(client.create(CreateStream.of(S.value(), 1))).shards()).hasSize(1);
    }

    @Test
    void changesThatFailToBecomeDurableTogetherLeaveTheStreamAsItWasInMemoryAndOnDisk(Vertx vertx) throws Exception {
        start(vertx, LogPools.defaults());
        await(client.create(CreateStream.of(S.value(), 1)));
        await(client.addTags(S, Map.of("kept", "1")));
        Path streamDir;
        try (Stream<Path> files = Files.walk(dataDir)) {
            streamDir = files.filter(f -> f.getFileName().toString().equals("stream.json")).map(Path::getParent)
                    .findFirst().orElseThrow();
        }
        // The metadata cannot be replaced: every change below fails to become durable.
        assumeTrue(immutable(streamDir, true), "chattr +i is not permitted here");
        List<Future<StreamDescription>> changes;
        try {
            // Sent together, so the second is queued while the first is still being written: a failed change
            // must roll back itself only, never put back a state the one before it had taken back already.
            changes = List.of(client.addTags(S, Map.of("lost", "1")), client.addTags(S, Map.of("lost-too", "1")),
                    client.setRetention(S, 48));
            for (Future<StreamDescription> change : changes) {
                assertThatThrownBy(() -> await(change)).isInstanceOf(RiffleException.class);
            }
        } finally {
            immutable(streamDir, false);
        }
        assertThat(await(client.describe(S)).tags()).containsExactly(Map.entry("kept", "1"));
        assertThat(await(client.describe(S)).retentionHours()).isEqualTo(24);
        await(engine.stop());
        start(vertx, LogPools.defaults());
        assertThat(await(client.describe(S)).tags()).containsExactly(Map.entry("kept", "1"));
        assertThat(await(client.describe(S)).retentionHours()).isEqualTo(24);
    }

    /** Sets or clears the immutable attribute; false if that is not permitted. */
    private static boolean immutable(Path dir, boolean on) throws Exception {
        return new ProcessBuilder("chattr", on ? "+i" : "-i", dir.toString()).inheritIO().start().waitFor() == 0;
    }

    /** The one directory holding segment files (found, so the layout may change). */
    private Path shardDirectory() throws Exception {
        try (Stream<Path> files = Files.walk(dataDir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".log")).map(Path::getParent)
                    .distinct().reduce((a, b) -> {
                        throw new AssertionError("more than one shard directory: " + a + ", " + b);
                    }).orElseThrow();
        }
    }
}
