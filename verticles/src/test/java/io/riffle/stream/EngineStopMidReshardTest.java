package io.riffle.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.model.HashKeyRange;
import io.riffle.model.Record;
import io.riffle.model.ShardDescription;
import io.riffle.model.ShardId;
import io.riffle.model.StreamDescription;
import io.riffle.model.StreamName;
import io.riffle.model.StreamStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node stopped while a split runs (at once, or a few milliseconds in, so the stop meets the reshard at
 * different steps) stops within a bound, and the restarted node has a consistent stream: ACTIVE, split if
 * the node took the split before it stopped (it lets a running reshard finish) and as before if it refused
 * it, one shard directory per shard of the catalog, every acknowledged record readable, puts working.
 */
@ExtendWith(VertxExtension.class)
class EngineStopMidReshardTest {
    private static final StreamName S = StreamName.of("orders");
    /** Far above a healthy stop (tens of ms); the hang this guards against lasted over 30 s. */
    private static final long STOP_BOUND_SECONDS = 15;

    @TempDir
    Path dataDir;

    @Test
    void aStopDuringASplitEndsPromptlyAndTheRestartedStreamIsConsistent(Vertx vertx) throws Exception {
        try (DiskEngine engine = new DiskEngine(vertx, dataDir)) {
            StreamClient c = engine.start();
            await(c.create(CreateStream.of("orders", 1)));
            int acknowledged = 0;
            for (int round = 0; round < 6; round++) {
                acknowledged += put(c, acknowledged, 20);
                StreamDescription before = await(c.describe(S));
                ShardDescription parent = before.openShards().get(0);
                HashKeyRange r = parent.hashKeyRange();
                // Answered as soon as the reshard's steps start (or refused, if the stop came first).
                Future<StreamDescription> taken = c.split(S, parent.shardId(), r.start().add(r.end()).shiftRight(1), false);
                Thread.sleep(round * 2L);

                long started = System.nanoTime();
                Future<Void> stopped = engine.stopAsync();
                stopped.toCompletionStage().toCompletableFuture().get(STOP_BOUND_SECONDS, TimeUnit.SECONDS);
                System.out.printf("EngineStopMidReshardTest: round %d stopped in %d ms%n", round,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));

                boolean accepted = taken.toCompletionStage().toCompletableFuture()
                        .handle((d, err) -> err == null).get(STOP_BOUND_SECONDS, TimeUnit.SECONDS);

                c = engine.start();
                StreamDescription after = await(c.describe(S));
                assertThat(after.status()).isEqualTo(StreamStatus.ACTIVE);
                boolean split = !after.shards().stream().filter(s -> s.shardId().equals(parent.shardId()))
                        .findFirst().orElseThrow().isOpen();
                // A reshard the node took before it stopped finished first: it stands.
                assertThat(split).as("round %d: split taken (%s) and done", round, accepted).isEqualTo(accepted);
                assertThat(after.shards()).as("round %d: as before or as after the split", round)
                        .hasSize(before.shards().size() + (split ? 2 : 0));
                assertThat(shardDirs()).as("round %d: shard directories", round).isEqualTo(indexes(after));
                assertThat(readAll(c, after)).as("round %d", round).hasSize(acknowledged);
            }
            acknowledged += put(c, acknowledged, 5);
            assertThat(readAll(c, await(c.describe(S)))).hasSize(acknowledged);
        }
    }

    private static int put(StreamClient c, int from, int count) {
        List<PutEntry> entries = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            entries.add(PutEntry.of("k" + i, Integer.toString(i).getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(await(c.put(S, entries))).allSatisfy(o -> assertThat(o).isInstanceOf(PutOutcome.Accepted.class));
        return count;
    }

    /** Every record of every shard, each shard from its start to its end. */
    private static List<Record> readAll(StreamClient c, StreamDescription d) {
        List<Record> all = new ArrayList<>();
        for (ShardDescription s : d.shards()) {
            long offset = 0;
            for (int i = 0; i < 1000; i++) {
                ReadBatch b = await(c.read(S, s.shardId(), offset, 10_000, 10 << 20, false));
                all.addAll(b.records());
                offset = b.nextOffset();
                if (b.endOfShard() || b.records().isEmpty()) {
                    break;
                }
            }
        }
        return all;
    }

    private Set<Integer> shardDirs() throws Exception {
        try (Stream<Path> streams = Files.list(dataDir.resolve("streams"));
             Stream<Path> shards = Files.list(streams.findFirst().orElseThrow().resolve("shards"))) {
            return new TreeSet<>(shards.map(p -> Integer.parseInt(p.getFileName().toString())).toList());
        }
    }

    private static Set<Integer> indexes(StreamDescription d) {
        return new TreeSet<>(d.shards().stream().map(ShardDescription::shardId).map(ShardId::index).toList());
    }

    private static <T> T await(Future<T> f) {
        return io.riffle.testing.Futures.await(f);
    }
}
