package io.riffle.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.model.HashKeyRange;
import io.riffle.model.Record;
import io.riffle.model.SequenceNumber;
import io.riffle.model.ShardDescription;
import io.riffle.model.ShardId;
import io.riffle.model.StreamDescription;
import io.riffle.model.StreamMode;
import io.riffle.model.StreamName;
import io.riffle.model.StreamStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** SplitShard, MergeShards and UpdateShardCount in the engine: states, lineage, durability, no lost records. */
@ExtendWith(VertxExtension.class)
class EngineReshardTest {
    private static final StreamName S = StreamName.of("orders");
    private static final ShardId S0 = new ShardId(0);
    private static final BigInteger MID = HashKeyRange.MAX.shiftRight(1);

    @TempDir
    Path dataDir;
    private DiskEngine engine;

    @BeforeEach
    void start(Vertx vertx) {
        engine = new DiskEngine(vertx, dataDir);
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    private static <T> T await(Future<T> f) {
        return io.riffle.testing.Futures.await(f);
    }

    private static void assertCode(Runnable call, ErrorCode code) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(RiffleException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    private static List<PutOutcome> put(StreamClient c, String key, int from, int count) {
        List<PutEntry> entries = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            entries.add(PutEntry.of(key, Integer.toString(i).getBytes(StandardCharsets.UTF_8)));
        }
        return await(c.put(S, entries));
    }

    /** Every record of a shard from its start, until its end (closed) or nothing more (open). */
    private static List<Record> readAll(StreamClient c, ShardId shard) {
        List<Record> all = new ArrayList<>();
        long offset = 0;
        for (int i = 0; i < 1000; i++) {
            ReadBatch b = await(c.read(S, shard, offset, 10_000, 10 << 20, false));
            all.addAll(b.records());
            offset = b.nextOffset();
            if (b.endOfShard() || b.records().isEmpty()) {
                return all;
            }
        }
        throw new AssertionError("Shard " + shard + " did not end");
    }

    private static ShardDescription shard(StreamDescription d, int index) {
        return d.shards().stream().filter(s -> s.shardId().index() == index).findFirst().orElseThrow();
    }

    @Test
    void splitClosesTheParentAtItsLastRecordAndTheChildrenTakeTheWrites() {
        StreamClient c = engine.start();
        await(c.create(CreateStream.of("orders", 1)));
        put(c, "k", 0, 10);
        StreamDescription d = await(c.split(S, S0, MID, true));
        assertThat(d.status()).isEqualTo(StreamStatus.ACTIVE);
        assertThat(shard(d, 0).isOpen()).isFalse();
        assertThat(shard(d, 0).endingSequenceNumber()).contains(new SequenceNumber(0, 9));
        assertThat(shard(d, 0).closedMillis()).isPresent();
        assertThat(d.openShards()).extracting(ShardDescription::shardId).containsExactly(new ShardId(1), new ShardId(2));
        assertThat(shard(d, 1).hashKeyRange().end()).isEqualTo(MID.subtract(BigInteger.ONE));
        assertThat(shard(d, 2).hashKeyRange().start()).isEqualTo(MID);

        List<PutOutcome> after = put(c, "k", 10, 5);
        assertThat(after).allSatisfy(o -> assertThat(((PutOutcome.Accepted) o).shardId().index()).isIn(1, 2));
        ReadBatch end = await(c.read(S, S0, 0, 10_000, 10 << 20, false));
        assertThat(end.records()).hasSize(10);
        assertThat(end.endOfShard()).isTrue();
    }

    @Test
    void aRestartedNodeHasTheClosedParentReadableAndTheChildrenOpen() {
        StreamClient c = engine.start();
        await(c.create(CreateStream.of("orders", 2)));
        put(c, "a", 0, 20);
        await(c.merge(S, S0, new ShardId(1), true));
        put(c, "a", 20, 5);
        StreamDescription before = await(c.describe(S));

        c = engine.restart();
        StreamDescription restarted = await(c.describe(S));
        assertThat(restarted.shards()).isEqualTo(before.shards());
        assertThat(restarted.openShards()).extracting(ShardDescription::shardId).containsExactly(new ShardId(2));
        assertThat(readAll(c, S0).size() + readAll(c, new ShardId(1)).size()).isEqualTo(20);
        assertThat(readAll(c, new ShardId(2))).hasSize(5);
        assertThat(await(c.read(S, S0, 0, 10_000, 10 << 20, false)).endOfShard()).isTrue();
        put(c, "a", 25, 1);
        assertThat(readAll(c, new ShardId(2))).hasSize(6);
        // The next reshard takes indexes after every shard that ever was, so no directory is shared.
        StreamDescription split = await(c.split(S, new ShardId(2), MID, true));
        assertThat(split.openShards()).extracting(ShardDescription::shardId).containsExactly(new ShardId(3), new ShardId(4));
        assertThat(readAll(c, new ShardId(3))).isEmpty();
    }

    @Test
    void theStreamIsUpdatingWhileItReshardsAndASecondReshardIsRefused() {
        StreamClient c = engine.start(2_000);
        await(c.create(CreateStream.of("orders", 2)));
        StreamDescription updating = await(c.updateShardCount(S, 4, false));
        assertThat(updating.status()).isEqualTo(StreamStatus.UPDATING);
        assertCode(() -> await(c.split(S, S0, BigInteger.TEN, true)), ErrorCode.RESOURCE_IN_USE);
        assertCode(() -> await(c.updateShardCount(S, 3, true)), ErrorCode.RESOURCE_IN_USE);
        // Reads and writes go on while the stream is UPDATING.
        assertThat(put(c, "k", 0, 3)).allSatisfy(o -> assertThat(o).isInstanceOf(PutOutcome.Accepted.class));
    }

    @Test
    void putsDuringAReshardAreAllAcceptedAndNoneIsLost() {
        StreamClient c = engine.start();
        await(c.create(CreateStream.of("orders", 1)));
        List<Future<List<PutOutcome>>> puts = new ArrayList<>();
        List<PutEntry> batch = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            batch.add(PutEntry.of("key-" + i, ("v" + i).getBytes(StandardCharsets.UTF_8)));
        }
        for (int i = 0; i < 20; i++) {
            puts.add(c.put(S, batch));
        }
        Future<StreamDescription> split = c.split(S, S0, MID, true);
        for (int i = 0; i < 20; i++) {
            puts.add(c.put(S, batch));
        }
        StreamDescription d = await(split);
        int accepted = 0;
        for (Future<List<PutOutcome>> p : puts) {
            for (PutOutcome o : await(p)) {
                assertThat(o).isInstanceOf(PutOutcome.Accepted.class);
                accepted++;
            }
        }
        int stored = 0;
        for (ShardDescription s : d.shards()) {
            stored += readAll(c, s.shardId()).size();
        }
        assertThat(stored).isEqualTo(accepted).isEqualTo(40 * 50);
    }

    @Test
    void uniformScalingGoesFromThreeToFiveShardsOverEvenRanges() {
        StreamClient c = engine.start();
        await(c.create(CreateStream.of("orders", 3)));
        StreamDescription d = await(c.updateShardCount(S, 5, true));
        assertThat(d.openShards()).extracting(ShardDescription::hashKeyRange)
                .containsExactlyInAnyOrderElementsOf(HashKeyRange.evenSplit(5));
        // Temporary shards are closed, empty, and readable to their end.
        for (ShardDescription s : d.shards()) {
            if (!s.isOpen()) {
                assertThat(await(c.read(S, s.shardId(), 0, 100, 1 << 20, false)).endOfShard()).isTrue();
            }
        }
        assertCode(() -> await(c.updateShardCount(S, 11, true)), ErrorCode.LIMIT_EXCEEDED);
    }

    @Test
    void onDemandStreamsRefuseManualResharding() {
        StreamClient c = engine.start();
        await(c.create(new CreateStream(S, 4, 24, StreamMode.ON_DEMAND, Map.of(), Optional.empty())));
        assertCode(() -> await(c.split(S, S0, BigInteger.TEN, true)), ErrorCode.VALIDATION);
        assertCode(() -> await(c.updateShardCount(S, 8, true)), ErrorCode.VALIDATION);
        assertThat(await(c.setMode(S, StreamMode.PROVISIONED)).mode()).isEqualTo(StreamMode.PROVISIONED);
        assertThat(await(c.merge(S, S0, new ShardId(1), true)).openShards()).hasSize(3);
    }
}
