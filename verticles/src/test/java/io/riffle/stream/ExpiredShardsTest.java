package io.riffle.stream;

import static io.riffle.testing.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.model.HashKeyRange;
import io.riffle.model.Record;
import io.riffle.model.ShardDescription;
import io.riffle.model.ShardId;
import io.riffle.model.StreamDescription;
import io.riffle.model.StreamName;
import io.riffle.testing.MutableClock;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closed shards leave their stream once every record of theirs expired, as Kinesis drops them: not listed,
 * not readable, their files gone; their children still name them as parents.
 */
@ExtendWith(VertxExtension.class)
class ExpiredShardsTest {
    private static final StreamName S = StreamName.of("orders");
    private static final ShardId S0 = new ShardId(0);
    private static final BigInteger MID = HashKeyRange.MAX.shiftRight(1);
    private static final long HOUR = 3_600_000L;

    @TempDir
    Path dataDir;
    private final MutableClock clock = new MutableClock(1_700_000_000_000L);
    private DiskEngine engine;

    @BeforeEach
    void start(Vertx vertx) {
        engine = new DiskEngine(vertx, dataDir);
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    private static void put(StreamClient c, int from, int count) {
        List<PutEntry> entries = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            entries.add(PutEntry.of("k" + i, Integer.toString(i).getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(await(c.put(S, entries))).allMatch(o -> o instanceof PutOutcome.Accepted);
    }

    private static List<ShardId> ids(StreamDescription d) {
        return d.shards().stream().map(ShardDescription::shardId).toList();
    }

    private static ShardDescription shard(StreamDescription d, int index) {
        return d.shards().stream().filter(s -> s.shardId().index() == index).findFirst().orElseThrow();
    }

    /** Polls (at most 15 s; the control plane checks every second) until the stream has these shards. */
    private static StreamDescription awaitShards(StreamClient c, List<ShardId> expected) throws InterruptedException {
        long deadline = System.nanoTime() + 15_000_000_000L;
        StreamDescription d = await(c.describe(S));
        while (!ids(d).equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            d = await(c.describe(S));
        }
        assertThat(ids(d)).isEqualTo(expected);
        return d;
    }

    private static void awaitGone(Path dir) throws InterruptedException {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (java.nio.file.Files.exists(dir) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(dir).doesNotExist();
    }

    private static int records(StreamClient c, ShardId shard) {
        return await(c.read(S, shard, 0, 10_000, 10 << 20, false)).records().size();
    }

    @Test
    void aParentWhoseRecordsExpiredLeavesTheStreamAndItsFilesGoChildrenKeepNamingIt() throws Exception {
        StreamClient c = engine.start(clock);
        await(c.create(CreateStream.of(S.value(), 1)));
        put(c, 0, 10);
        await(c.split(S, S0, MID, true));
        put(c, 10, 10);
        Path streamDir = DataDirFiles.streamDir(dataDir, S.value());
        Path parentDir = CatalogStore.shardDir(streamDir, S0);
        assertThat(parentDir).isDirectory();

        // The children's records arrived at the same time as the parent's last ones: past the retention period
        // all of them expired, but only the closed parent leaves; open shards never do.
        clock.advance(24 * HOUR + 1);
        StreamDescription d = awaitShards(c, List.of(new ShardId(1), new ShardId(2)));
        // Its files go once the catalog without it is durable and its verticle stopped.
        awaitGone(parentDir);
        assertThat(shard(d, 1).parentShardId()).contains(S0);
        assertThat(shard(d, 2).parentShardId()).contains(S0);
        assertThatThrownBy(() -> await(c.read(S, S0, 0, 100, 1 << 20, false))).isInstanceOfSatisfying(RiffleException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_NOT_FOUND));
        put(c, 20, 10);
        assertThat(records(c, new ShardId(1)) + records(c, new ShardId(2))).isEqualTo(10);

        // Durably: a restarted node neither has the parent nor its files, and new shards never take its index.
        StreamClient restarted = engine.restart();
        assertThat(ids(await(restarted.describe(S)))).containsExactly(new ShardId(1), new ShardId(2));
        assertThat(parentDir).doesNotExist();
        StreamDescription split = await(restarted.split(S, new ShardId(2), MID.add(MID.shiftRight(1)), true));
        assertThat(split.openShards()).extracting(ShardDescription::shardId).containsExactly(new ShardId(1), new ShardId(3), new ShardId(4));
    }

    @Test
    void eachClosedShardLeavesOnceTheRetentionPeriodPassedSinceItClosed() throws Exception {
        StreamClient c = engine.start(clock);
        await(c.create(CreateStream.of(S.value(), 1)));
        put(c, 0, 10);
        await(c.split(S, S0, MID, true));                                 // 0 closes at T
        clock.advance(HOUR);
        await(c.merge(S, new ShardId(1), new ShardId(2), true));          // 1 and 2 close at T + 1 h
        clock.advance(HOUR);
        await(c.split(S, new ShardId(3), MID, true));                     // 3 closes at T + 2 h
        clock.advance(22 * HOUR + HOUR / 2);
        StreamDescription d = awaitShards(c, List.of(new ShardId(1), new ShardId(2), new ShardId(3), new ShardId(4), new ShardId(5)));
        assertThat(records(c, new ShardId(1))).isZero();
        clock.advance(HOUR);
        d = awaitShards(c, List.of(new ShardId(3), new ShardId(4), new ShardId(5)));
        assertThat(shard(d, 3).parentShardId()).contains(new ShardId(1));
        assertThat(shard(d, 3).adjacentParentShardId()).contains(new ShardId(2));
        clock.advance(HOUR);
        awaitShards(c, List.of(new ShardId(4), new ShardId(5)));
    }

    @Test
    void aLongerRetentionPeriodKeepsClosedShardsLonger() throws Exception {
        StreamClient c = engine.start(clock);
        await(c.create(new CreateStream(S, 1, 48, io.riffle.model.StreamMode.PROVISIONED, java.util.Map.of(), Optional.empty())));
        put(c, 0, 3);
        await(c.split(S, S0, MID, true));
        clock.advance(30 * HOUR);
        assertThat(Resharding.expired(await(c.describe(S)), clock.millis())).isEmpty();
        assertThat(records(c, S0)).isEqualTo(3);
        clock.advance(18 * HOUR + 1);
        awaitShards(c, List.of(new ShardId(1), new ShardId(2)));
    }
}
