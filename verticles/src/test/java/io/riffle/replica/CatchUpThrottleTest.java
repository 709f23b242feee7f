package io.riffle.replica;

import static io.riffle.testing.Futures.await;
import static io.riffle.testing.Waits.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.bus.Addresses;
import io.riffle.log.AppendRecord;
import io.riffle.log.LogConfig;
import io.riffle.log.ShardLog;
import io.riffle.model.Record;
import io.riffle.model.ShardId;
import io.riffle.model.StreamName;
import io.riffle.shard.Codecs;
import io.riffle.stream.ShardRecords;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A leader's {@link Replicator} over a real log, sending to a learner the test plays on the replica address:
 * the learner's catch-up stays within {@code replicaCatchUpBytesPerSecond}.
 */
class CatchUpThrottleTest {
    private static final StreamName STREAM = StreamName.of("throttled");
    private static final ShardId SHARD_ID = new ShardId(0);

    @TempDir
    Path root;
    private Vertx vertx;
    private Context context;
    private ShardLog log;
    private Replicator replicator;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        Codecs.register(vertx.eventBus());
        context = vertx.getOrCreateContext();
        log = ShardLog.open(root.resolve("n1"), LogConfig.defaults(), Clock.systemUTC());
    }

    @AfterEach
    void stop() throws Exception {
        if (replicator != null) {
            on(() -> {
                replicator.close();
                return null;
            });
        }
        await(vertx.close());
        log.close();
    }

    /** Runs {@code call} on the replicator's context, as the shard verticle would, and waits for it. */
    private <T> T on(Callable<T> call) {
        Promise<T> p = Promise.promise();
        context.runOnContext(v -> {
            try {
                p.complete(call.call());
            } catch (Exception e) {
                p.fail(e);
            }
        });
        return await(p.future());
    }

    /**
     * At every batch the learner received, the bytes so far are within the rate times the time since the
     * first, plus the bucket (one second's worth) and one read (a quarter second's); and it gets the whole log.
     */
    @Test
    void aLearnersCatchUpStaysWithinItsBandwidth() throws Exception {
        int recordBytes = 16 << 10;
        int records = 64;
        long rate = 256L << 10;
        List<AppendRecord> batch = new ArrayList<>();
        for (int i = 0; i < records; i++) {
            // Arrived now: within retention, so a read from the log returns them.
            batch.add(new AppendRecord("key", new byte[recordBytes], System.currentTimeMillis()));
        }
        log.append(batch);
        // The test plays learner n3 (follower n2 is down): it notes when each batch came, and its size.
        List<long[]> arrivals = Collections.synchronizedList(new ArrayList<>());
        long[] learnerEnd = {0};
        await(vertx.eventBus().<ShardRecords>consumer(Addresses.replicaAppend("n3", STREAM, SHARD_ID), m -> {
            List<Record> got = m.body().records();
            if (!got.isEmpty() && got.get(0).offset() == learnerEnd[0]) {
                learnerEnd[0] = got.get(got.size() - 1).offset() + 1;
                arrivals.add(new long[] {System.nanoTime(), got.stream().mapToLong(r -> r.data().length).sum()});
            }
            m.reply(new JsonObject().put("ok", true).put("end", learnerEnd[0]));
        }).completion());
        LeaderEpochs history = LeaderEpochs.NONE.with(1, 0);
        Replicator.Log leaderLog = new LogSource(() -> log, () -> history, vertx.createSharedWorkerExecutor("catch-up-reads"));
        ReplicaRole withLearner = new ReplicaRole("n1", 1, "n1", List.of("n1", "n2"), List.of("n3"));
        on(() -> {
            replicator = new Replicator(vertx, STREAM, SHARD_ID, withLearner, leaderLog, 0, c -> {
            }, () -> {
            }, rate);
            replicator.start();
            return null;
        });

        waitUntil(() -> learnerEnd[0] == records);
        long first = arrivals.get(0)[0];
        long bytes = 0;
        for (long[] a : arrivals) {
            bytes += a[1];
            double seconds = (a[0] - first) / 1e9;
            assertThat(bytes).as("bytes after %.2f s", seconds).isLessThanOrEqualTo((long) (rate * seconds) + rate + rate / 4 + recordBytes);
        }
        assertThat(bytes).isEqualTo((long) records * recordBytes);
        // 1 MiB at 256 KiB/s: the last batch cannot come before about 2.7 s (4 s less the bucket and one read).
        assertThat((arrivals.get(arrivals.size() - 1)[0] - first) / 1e9).isGreaterThan(2.0);
    }
}
