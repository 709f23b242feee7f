package io.riffle.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.model.ConsumerName;
import io.riffle.model.HashKeyRange;
import io.riffle.model.Record;
import io.riffle.model.SequenceNumber;
import io.riffle.model.ShardId;
import io.riffle.model.StreamDescription;
import io.riffle.model.StreamMode;
import io.riffle.model.StreamName;
import io.riffle.model.StreamStatus;
import io.riffle.testing.MutableClock;
import io.riffle.throttle.ThroughputLimits;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The engine end to end on one Vert.x instance: control plane, shard verticles, real logs on disk. */
@ExtendWith(VertxExtension.class)
class EngineTest {
    private static final StreamName S = StreamName.of("orders");

    @TempDir
    Path dataDir;
    private Vertx vertx;
    private Engine engine;
    private StreamClient client;
    private final MutableClock clock = new MutableClock(1_700_000_000_000L);

    @BeforeEach
    void start(Vertx vertx) {
        this.vertx = vertx;
        startEngine(ThroughputLimits.OFF);
    }

    @AfterEach
    void stop() {
        if (engine != null) {
            await(engine.stop());
        }
    }

    private void startEngine(ThroughputLimits limits) {
        engine = await(Engine.start(vertx, EngineConfig.defaults(dataDir).withLimits(limits).withClock(clock)));
        client = engine.client();
    }

    private void restart() {
        await(engine.stop());
        startEngine(ThroughputLimits.OFF);
    }

    static <T> T await(Future<T> f) {
        return io.riffle.testing.Futures.await(f);
    }

    private static PutEntry entry(String key, String data) {
        return PutEntry.of(key, data.getBytes(StandardCharsets.UTF_8));
    }

    private List<Record> readAll(StreamName stream, ShardId shard) {
        long offset = await(client.resolve(stream, shard, new ReadFrom.TrimHorizon()));
        return await(client.read(stream, shard, offset, 10_000, 10 << 20, false)).records();
    }

    @Test
    void createdStreamSplitsTheHashSpaceEvenly() {
        StreamDescription d = await(client.create(CreateStream.of("orders", 3)));
        assertThat(d.status()).isEqualTo(StreamStatus.ACTIVE);
        assertThat(d.shards()).hasSize(3);
        assertThat(d.shards()).extracting(s -> s.hashKeyRange()).containsExactlyElementsOf(HashKeyRange.evenSplit(3));
        assertThat(d.shards().get(0).shardId().toString()).isEqualTo("shardId-000000000000");
        assertThat(d.shards().get(2).startingSequenceNumber()).isEqualTo(new SequenceNumber(2, 0));
        assertThat(await(client.list())).containsExactly(S);
    }

    @Test
    void creatingAnExistingStreamIsInUse() {
        await(client.create(CreateStream.of("orders", 1)));
        assertThatThrownBy(() -> await(client.create(CreateStream.of("orders", 2))))
                .isInstanceOfSatisfying(RiffleException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_IN_USE));
    }

    @Test
    void unknownStreamIsNotFoundEverywhere() {
        StreamName missing = StreamName.of("missing");
        for (Runnable call : List.<Runnable>of(
                () -> await(client.describe(missing)),
                () -> await(client.put(missing, List.of(entry("k", "v")))),
                () -> await(client.delete(missing, false)),
                () -> await(client.registerConsumer(missing, ConsumerName.of("c"))),
                () -> await(client.read(missing, new ShardId(0), 0, 1, 1, true)))) {
            assertThatThrownBy(call::run).isInstanceOfSatisfying(RiffleException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_NOT_FOUND));
        }
    }

    @Test
    void putRoutesByPartitionKeyAndReadsBackInOrder() {
        await(client.create(CreateStream.of("orders", 4)));
        List<PutEntry> entries = IntStream.range(0, 200).mapToObj(i -> entry("key-" + (i % 10), "value-" + i)).toList();
        List<PutOutcome> outcomes = await(client.put(S, entries));
        assertThat(outcomes).hasSize(200).allMatch(o -> o instanceof PutOutcome.Accepted);
        StreamDescription d = await(client.describe(S));
        int total = 0;
        for (var shard : d.shards()) {
            List<Record> records = readAll(S, shard.shardId());
            total += records.size();
            for (Record r : records) {
                assertThat(shard.hashKeyRange().contains(io.riffle.model.HashKeys.md5(r.partitionKey()))).isTrue();
            }
            assertThat(records).extracting(Record::offset).isSorted();
        }
        assertThat(total).isEqualTo(200);
        // Per key, records come back in put order.
        var first = (PutOutcome.Accepted) outcomes.get(0);
        List<Record> shardRecords = readAll(S, first.shardId());
        List<String> key0 = shardRecords.stream().filter(r -> r.partitionKey().equals("key-0"))
                .map(r -> new String(r.data(), StandardCharsets.UTF_8)).toList();
        assertThat(key0).containsExactlyElementsOf(IntStream.range(0, 20).mapToObj(i -> "value-" + (i * 10)).toList());
    }

    @Test
    void explicitHashKeyOverridesThePartitionKey() {
        await(client.create(CreateStream.of("orders", 2)));
        String lastKey = HashKeyRange.MAX.toString();
        List<PutOutcome> outcomes = await(client.put(S, List.of(
                new PutEntry("a", Optional.of("0"), new byte[] {1}),
                new PutEntry("a", Optional.of(lastKey), new byte[] {2}))));
        assertThat(((PutOutcome.Accepted) outcomes.get(0)).shardId()).isEqualTo(new ShardId(0));
        assertThat(((PutOutcome.Accepted) outcomes.get(1)).shardId()).isEqualTo(new ShardId(1));
    }

    @Test
    void sequenceNumbersIncreaseAndAreUniqueAcrossShards() {
        await(client.create(CreateStream.of("orders", 2)));
        List<String> seqs = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (PutOutcome o : await(client.put(S, List.of(entry("x", "1"), entry("y", "2"), entry("z", "3"))))) {
                seqs.add(((PutOutcome.Accepted) o).sequenceNumber().wire());
            }
        }
        assertThat(seqs).doesNotHaveDuplicates().allMatch(s -> s.length() == 38);
        for (String s : seqs) {
            assertThat(SequenceNumber.parse("seq", s).wire()).isEqualTo(s);
        }
    }

    @Test
    void oversizedRecordFailsTheWholePutAndWritesNothing() {
        await(client.create(CreateStream.of("orders", 1)));
        assertThatThrownBy(() -> await(client.put(S, List.of(entry("a", "small"),
                PutEntry.of("b", new byte[(1 << 20) + 1])))))
                .isInstanceOfSatisfying(RiffleException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE));
        assertThat(readAll(S, new ShardId(0))).isEmpty();
        await(client.setMaxRecordSize(S, 2048));
        assertThat(await(client.put(S, List.of(PutEntry.of("b", new byte[(1 << 20) + 1])))).get(0))
                .isInstanceOf(PutOutcome.Accepted.class);
    }

    @Test
    void putBeyondShardLimitIsThrottledForExactlyTheRecordsThatDoNotFit() {
        await(engine.stop());
        startEngine(ThroughputLimits.KINESIS);
        await(client.create(CreateStream.of("orders", 1)));
        List<PutEntry> batch = IntStream.range(0, 500).mapToObj(i -> entry("k", "v" + i)).toList();
        List<PutOutcome> all = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            all.addAll(await(client.put(S, batch)));
        }
        assertThat(all.stream().filter(o -> o instanceof PutOutcome.Accepted)).hasSize(1000);
        assertThat(all.subList(1000, 1500)).allSatisfy(o -> assertThat(o).isInstanceOfSatisfying(PutOutcome.Rejected.class,
                r -> assertThat(r.code()).isEqualTo(ErrorCode.PROVISIONED_THROUGHPUT_EXCEEDED)));
        assertThat(readAll(S, new ShardId(0))).hasSize(1000);
        clock.advance(1000);
        assertThat(await(client.put(S, batch))).allMatch(o -> o instanceof PutOutcome.Accepted);
    }

    @Test
    void onceARecordIsThrottledTheRestOfTheShardsBatchIsToo() {
        await(engine.stop());
        startEngine(new ThroughputLimits(1000, 0, 0, 0, 0));
        await(client.create(CreateStream.of("orders", 1)));
        // 1 + 599 = 600 bytes fit; the 1,000-byte record does not; the small ones after it must not
        // overtake it, so they are refused too.
        List<PutOutcome> outcomes = await(client.put(S, List.of(
                PutEntry.of("k", new byte[599]), PutEntry.of("k", new byte[999]),
                PutEntry.of("k", new byte[9]), PutEntry.of("j", new byte[9]))));
        assertThat(outcomes.get(0)).isInstanceOf(PutOutcome.Accepted.class);
        assertThat(outcomes.subList(1, 4)).allMatch(o -> o instanceof PutOutcome.Rejected r
                && r.code() == ErrorCode.PROVISIONED_THROUGHPUT_EXCEEDED);
        assertThat(readAll(S, new ShardId(0))).hasSize(1);
    }

    @Test
    void writeBytesLimitCountsPartitionKeyAndData() {
        await(engine.stop());
        startEngine(new ThroughputLimits(1000, 0, 0, 0, 0));
        await(client.create(CreateStream.of("orders", 1)));
        // key "k" (1 byte) + 99 data bytes = 100 billed bytes; 1000 bytes/s lets exactly 10 through.
        List<PutEntry> batch = IntStream.range(0, 15).mapToObj(i -> PutEntry.of("k", new byte[99])).toList();
        List<PutOutcome> outcomes = await(client.put(S, batch));
        assertThat(outcomes.stream().filter(o -> o instanceof PutOutcome.Accepted)).hasSize(10);
        assertThat(((PutOutcome.Rejected) outcomes.get(14)).retryAfterMillis()).isPositive();
    }

    @Test
    void aStreamMayHaveItsOwnLimitsGivenInPart() {
        ThroughputLimits own = StreamJson.limitsFromJson(new io.vertx.core.json.JsonObject().put("writeRecordsPerSecond", 10),
                await(client.limits()).defaultShardLimits());
        assertThat(own).isEqualTo(new ThroughputLimits(0, 10, 0, 0, 0));
        await(client.create(new CreateStream(S, 1, 24, StreamMode.PROVISIONED, Map.of(), Optional.of(own))));
        List<PutOutcome> outcomes = await(client.put(S, IntStream.range(0, 15).mapToObj(i -> entry("k", "v")).toList()));
        assertThat(outcomes.stream().filter(o -> o instanceof PutOutcome.Accepted)).hasSize(10);
        restart();
        assertThat(await(client.describe(S)).limits()).isEqualTo(own);
        clock.advance(1000);
        outcomes = await(client.put(S, IntStream.range(0, 15).mapToObj(i -> entry("k", "v")).toList()));
        assertThat(outcomes.stream().filter(o -> o instanceof PutOutcome.Accepted)).hasSize(10);
        assertThatThrownBy(() -> StreamJson.limitsFromJson(new io.vertx.core.json.JsonObject().put("writeRecordsPerSecond", -1),
                ThroughputLimits.OFF)).isInstanceOfSatisfying(RiffleException.class,
                e -> assertThat(e.getMessage()).contains("limits.writeRecordsPerSecond"));
        assertThatThrownBy(() -> StreamJson.limitsFromJson(new io.vertx.core.json.JsonObject().put("bogus", 1),
                ThroughputLimits.OFF)).isInstanceOfSatisfying(RiffleException.class,
                e -> assertThat(e.getMessage()).contains("Unknown throughput limit 'bogus'"));
    }

    @Test
    void pollingReadsBeyondFivePerSecondAreThrottled() {
        await(engine.stop());
        startEngine(ThroughputLimits.KINESIS);
        await(client.create(CreateStream.of("orders", 1)));
        ShardId shard = new ShardId(0);
        for (int i = 0; i < 5; i++) {
            await(client.read(S, shard, 0, 10, 1000, true));
        }
        assertThatThrownBy(() -> await(client.read(S, shard, 0, 10, 1000, true)))
                .isInstanceOfSatisfying(RiffleException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.PROVISIONED_THROUGHPUT_EXCEEDED));
        // Enhanced fan-out reads do not use the shared budget.
        await(client.read(S, shard, 0, 10, 1000, false));
        clock.advance(1000);
        await(client.read(S, shard, 0, 10, 1000, true));
    }

    @Test
    void positionsResolveLikeShardIteratorTypes() {
        await(client.create(CreateStream.of("orders", 1)));
        ShardId shard = new ShardId(0);
        List<PutOutcome> first = await(client.put(S, List.of(entry("k", "a"), entry("k", "b"))));
        clock.advance(10_000);
        long later = clock.millis();
        await(client.put(S, List.of(entry("k", "c"))));
        SequenceNumber b = ((PutOutcome.Accepted) first.get(1)).sequenceNumber();
        assertThat(await(client.resolve(S, shard, new ReadFrom.TrimHorizon()))).isEqualTo(0L);
        assertThat(await(client.resolve(S, shard, new ReadFrom.Latest()))).isEqualTo(3L);
        assertThat(await(client.resolve(S, shard, ReadFrom.at(shard, b)))).isEqualTo(1L);
        assertThat(await(client.resolve(S, shard, ReadFrom.after(shard, b)))).isEqualTo(2L);
        assertThat(await(client.resolve(S, shard, new ReadFrom.AtTimestamp(later)))).isEqualTo(2L);
        // AT the next offset is where a caught-up poller continues; beyond it is the future.
        assertThat(await(client.resolve(S, shard, new ReadFrom.AtOffset(3)))).isEqualTo(3L);
        assertThatThrownBy(() -> await(client.resolve(S, shard, new ReadFrom.AfterOffset(3))))
                .isInstanceOfSatisfying(RiffleException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        assertThatThrownBy(() -> await(client.resolve(S, shard, new ReadFrom.AtOffset(4))))
                .isInstanceOfSatisfying(RiffleException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        assertThatThrownBy(() -> ReadFrom.at(new ShardId(1), b))
                .isInstanceOfSatisfying(RiffleException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    }

    @Test
    void readsAreBoundedAndReportMillisBehindLatest() {
        await(client.create(CreateStream.of("orders", 1)));
        ShardId shard = new ShardId(0);
        await(client.put(S, IntStream.range(0, 10).mapToObj(i -> entry("k", "0123456789")).toList()));
        clock.advance(5000);
        ReadBatch firstThree = await(client.read(S, shard, 0, 3, 1 << 20, false));
        assertThat(firstThree.records()).hasSize(3);
        assertThat(firstThree.nextOffset()).isEqualTo(3);
        assertThat(firstThree.millisBehindLatest()).isEqualTo(5000);
        ReadBatch byBytes = await(client.read(S, shard, 3, 100, 25, false));
        assertThat(byBytes.records()).hasSizeBetween(1, 3);
        ReadBatch rest = await(client.read(S, shard, byBytes.nextOffset(), 100, 1 << 20, false));
        assertThat(rest.nextOffset()).isEqualTo(10);
        assertThat(rest.millisBehindLatest()).isZero();
        assertThat(rest.endOfShard()).isFalse();
    }

    @Test
    void restartKeepsStreamsRecordsAndOffsets() {
        await(client.create(new CreateStream(S, 2, 48, StreamMode.PROVISIONED, Map.of("team", "a"), Optional.empty())));
        await(client.registerConsumer(S, ConsumerName.of("app")));
        List<PutOutcome> before = await(client.put(S, IntStream.range(0, 50).mapToObj(i -> entry("k" + i, "v" + i)).toList()));
        restart();
        StreamDescription d = await(client.describe(S));
        assertThat(d.limits()).isEqualTo(ThroughputLimits.OFF);
        assertThat(d.retentionHours()).isEqualTo(48);
        assertThat(d.tags()).containsEntry("team", "a");
        assertThat(d.consumers()).extracting(c -> c.name().value()).containsExactly("app");
        int total = readAll(S, new ShardId(0)).size() + readAll(S, new ShardId(1)).size();
        assertThat(total).isEqualTo(50);
        PutOutcome.Accepted after = (PutOutcome.Accepted) await(client.put(S, List.of(entry("k0", "again")))).get(0);
        PutOutcome.Accepted firstK0 = (PutOutcome.Accepted) before.get(0);
        assertThat(after.shardId()).isEqualTo(firstK0.shardId());
        assertThat(after.sequenceNumber()).isGreaterThan(firstK0.sequenceNumber());
    }

    @Test
    void deleteStopsShardsAndRemovesData() {
        await(client.create(CreateStream.of("orders", 2)));
        await(client.put(S, List.of(entry("k", "v"))));
        Path dir = DataDirFiles.streamDir(dataDir, "orders");
        await(client.delete(S, false));
        assertThat(dir).doesNotExist();
        assertThat(await(client.list())).isEmpty();
        assertThatThrownBy(() -> await(client.put(S, List.of(entry("k", "v")))))
                .isInstanceOfSatisfying(RiffleException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_NOT_FOUND));
        // The name is free again, and the new stream starts empty.
        await(client.create(CreateStream.of("orders", 1)));
        assertThat(readAll(S, new ShardId(0))).isEmpty();
    }

    @Test
    void deleteWithConsumersNeedsEnforcement() {
        await(client.create(CreateStream.of("orders", 1)));
        await(client.registerConsumer(S, ConsumerName.of("app")));
        assertThatThrownBy(() -> await(client.delete(S, false)))
                .isInstanceOfSatisfying(RiffleException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_IN_USE));
        await(client.delete(S, true));
        assertThat(await(client.list())).isEmpty();
    }

    @Test
    void consumersAreLimitedToTwentyPerStreamAndUnique() {
        await(client.create(CreateStream.of("orders", 1)));
        for (int i = 0; i < 20; i++) {
            await(client.registerConsumer(S, ConsumerName.of("c" + i)));
        }
        assertThatThrownBy(() -> await(client.registerConsumer(S, ConsumerName.of("c20"))))
                .isInstanceOfSatisfying(RiffleException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED));
        assertThatThrownBy(() -> await(client.registerConsumer(S, ConsumerName.of("c0"))))
                .isInstanceOfSatisfying(RiffleException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_IN_USE));
        await(client.deregisterConsumer(S, ConsumerName.of("c0")));
        assertThatThrownBy(() -> await(client.deregisterConsumer(S, ConsumerName.of("c0"))))
                .isInstanceOfSatisfying(RiffleException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_NOT_FOUND));
        await(client.registerConsumer(S, ConsumerName.of("c20")));
    }

    @Test
    void theConsumerLimitIsANodeSetting() {
        await(engine.stop());
        engine = await(Engine.start(vertx, EngineConfig.defaults(dataDir).withClock(clock).withMaxConsumersPerStream(2)));
        client = engine.client();
        await(client.create(CreateStream.of("orders", 1)));
        await(client.registerConsumer(S, ConsumerName.of("a")));
        await(client.registerConsumer(S, ConsumerName.of("b")));
        assertThatThrownBy(() -> await(client.registerConsumer(S, ConsumerName.of("c"))))
                .isInstanceOfSatisfying(RiffleException.class, e -> assertThat(e.getMessage()).contains("already has 2 consumers"));
    }

    @Test
    void tagsAndRetentionChangeDurably() {
        await(client.create(CreateStream.of("orders", 1)));
        await(client.addTags(S, Map.of("a", "1", "b", "2")));
        await(client.removeTags(S, Set.of("a")));
        await(client.setRetention(S, 72));
        restart();
        StreamDescription d = await(client.describe(S));
        assertThat(d.tags()).isEqualTo(Map.of("b", "2"));
        assertThat(d.retentionHours()).isEqualTo(72);
        assertThatThrownBy(() -> await(client.setRetention(S, 23)))
                .isInstanceOfSatisfying(RiffleException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    }

    @Test
    void decreasingRetentionHidesOlderRecordsAtOnce() {
        await(client.create(new CreateStream(S, 1, 48, StreamMode.PROVISIONED, Map.of(), Optional.empty())));
        await(client.put(S, List.of(entry("k", "old"))));
        clock.advance(30L * 3_600_000);
        await(client.put(S, List.of(entry("k", "new"))));
        assertThat(readAll(S, new ShardId(0))).hasSize(2);
        await(client.setRetention(S, 24));
        assertThat(readAll(S, new ShardId(0))).extracting(r -> new String(r.data(), StandardCharsets.UTF_8))
                .containsExactly("new");
    }

    @Test
    void shardLevelMetricsAndLimitsAreReported() {
        await(client.create(CreateStream.of("orders", 3)));
        await(client.setShardLevelMetrics(S, Set.of("IncomingBytes", "OutgoingRecords")));
        restart();
        assertThat(await(client.describe(S)).shardLevelMetrics()).containsExactlyInAnyOrder("IncomingBytes", "OutgoingRecords");
        assertThat(await(client.limits())).isEqualTo(new NodeLimits(1000, 3, 0, ThroughputLimits.OFF));
    }

    @Test
    void nodeShardLimitIsEnforced() {
        assertThatThrownBy(() -> await(client.create(CreateStream.of("huge", 1001))))
                .isInstanceOfSatisfying(RiffleException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED));
        assertThat(await(client.list())).isEmpty();
    }

    @Test
    void appendedRecordsArePublishedLive() throws Exception {
        await(client.create(CreateStream.of("orders", 1)));
        List<Record> live = new CopyOnWriteArrayList<>();
        var consumer = client.onAppended(S, new ShardId(0), e -> live.addAll(e.records()));
        await(consumer.completion());
        await(client.put(S, List.of(entry("k", "one"), entry("k", "two"))));
        long deadline = System.currentTimeMillis() + 5000;
        while (live.size() < 2 && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        assertThat(live).extracting(Record::offset).containsExactly(0L, 1L);
        assertThat(live).extracting(r -> new String(r.data(), StandardCharsets.UTF_8)).containsExactly("one", "two");
        await(consumer.unregister());
    }

    @Test
    void concurrentPutsShareGroupCommitsAndAllGetDistinctOffsets() {
        await(client.create(CreateStream.of("orders", 1)));
        List<Future<List<PutOutcome>>> puts = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            puts.add(client.put(S, List.of(entry("k", "r" + i))));
        }
        List<Long> offsets = new ArrayList<>();
        for (var f : puts) {
            offsets.add(((PutOutcome.Accepted) await(f).get(0)).sequenceNumber().offset());
        }
        assertThat(offsets).doesNotHaveDuplicates().hasSize(100);
        assertThat(readAll(S, new ShardId(0))).hasSize(100);
    }

    @Test
    void intervalFsyncAcknowledgesAndKeepsRecordsAcrossACleanRestart() {
        await(engine.stop());
        EngineConfig config = EngineConfig.defaults(dataDir).withClock(clock).withLimits(ThroughputLimits.OFF)
                .withLog(io.riffle.log.LogConfig.defaults().withFsyncPolicy(io.riffle.log.FsyncPolicy.INTERVAL)
                        .withFsyncIntervalMillis(50).withSegmentBytes(4096));
        engine = await(Engine.start(vertx, config));
        client = engine.client();
        await(client.create(CreateStream.of("orders", 1)));
        for (int i = 0; i < 20; i++) {
            await(client.put(S, IntStream.range(0, 10).mapToObj(j -> entry("k", "0123456789".repeat(10))).toList()));
        }
        await(engine.stop());
        engine = await(Engine.start(vertx, config));
        client = engine.client();
        List<Record> all = new ArrayList<>();
        long offset = 0;
        while (all.size() < 200) {
            ReadBatch b = await(client.read(S, new ShardId(0), offset, 10_000, 10 << 20, false));
            assertThat(b.records()).isNotEmpty();
            all.addAll(b.records());
            offset = b.nextOffset();
        }
        assertThat(all).extracting(Record::offset).containsExactlyElementsOf(
                IntStream.range(0, 200).mapToObj(i -> (long) i).toList());
    }

    @Test
    void stoppingFinishesInFlightPutsBeforeClosingLogs() {
        await(client.create(CreateStream.of("orders", 1)));
        List<Future<List<PutOutcome>>> inFlight = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            inFlight.add(client.put(S, List.of(entry("k", "r" + i))));
        }
        await(engine.stop());
        engine = null;
        long acknowledged = 0;
        for (var f : inFlight) {
            try {
                acknowledged += await(f).stream().filter(o -> o instanceof PutOutcome.Accepted).count();
            } catch (RiffleException e) {
                assertThat(e.code()).isIn(ErrorCode.SERVICE_UNAVAILABLE, ErrorCode.RESOURCE_NOT_FOUND);
            }
        }
        startEngine(ThroughputLimits.OFF);
        assertThat((long) readAll(S, new ShardId(0)).size()).isEqualTo(acknowledged);
    }

    @Test
    void metadataIsAFileThatSurvivesAsJson() throws Exception {
        await(client.create(CreateStream.of("orders", 1)));
        String json = Files.readString(DataDirFiles.streamDir(dataDir, "orders").resolve("stream.json"));
        assertThat(json).contains("\"formatVersion\" : 1").contains("\"name\" : \"orders\"").contains("\"status\" : \"ACTIVE\"");
    }
}
