package io.riffle.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.model.ConsumerName;
import io.riffle.model.ShardId;
import io.riffle.model.StreamName;
import io.riffle.model.StreamStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Kinesis's stream states: CREATING after CreateStream, ACTIVE shortly after, DELETING before a stream disappears. */
@ExtendWith(VertxExtension.class)
class StreamStatesTest {
    private static final StreamName S = StreamName.of("orders");
    /** Long enough that a state cannot pass before the test looks at it. */
    private static final long HOUR_LONG = EngineConfig.MAX_TRANSITION_MILLIS;

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

    private StreamClient startEngine(long transitionMillis) {
        return engine.start(transitionMillis);
    }

    private void stopEngine() {
        engine.stop();
    }

    private static <T> T await(Future<T> f) {
        return io.riffle.testing.Futures.await(f);
    }

    private static List<PutEntry> one() {
        return List.of(PutEntry.of("k", "v".getBytes(StandardCharsets.UTF_8)));
    }

    private static void assertCode(Runnable call, ErrorCode code) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(RiffleException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    /** As Kinesis answers PutRecords for a stream that is not ACTIVE: the whole request, not each record. */
    private static void assertPutRefusedAsNotFound(StreamClient c) {
        assertCode(() -> await(c.put(S, one())), ErrorCode.RESOURCE_NOT_FOUND);
    }

    @Test
    void aStreamIsCreatingUntilItsTransitionEndsAndTakesNoDataMeanwhile() {
        StreamClient c = startEngine(HOUR_LONG);
        assertThat(await(c.beginCreate(CreateStream.of("orders", 1))).status()).isEqualTo(StreamStatus.CREATING);
        assertThat(await(c.describe(S)).status()).isEqualTo(StreamStatus.CREATING);
        assertThat(await(c.list())).containsExactly(S);
        assertPutRefusedAsNotFound(c);
        assertCode(() -> await(c.resolve(S, new ShardId(0), new ReadFrom.TrimHorizon())), ErrorCode.RESOURCE_NOT_FOUND);
        assertCode(() -> await(c.addTags(S, Map.of("a", "b"))), ErrorCode.RESOURCE_IN_USE);
        assertCode(() -> await(c.registerConsumer(S, ConsumerName.of("app"))), ErrorCode.RESOURCE_IN_USE);
        assertCode(() -> await(c.delete(S, false)), ErrorCode.RESOURCE_IN_USE);
        assertCode(() -> await(c.beginCreate(CreateStream.of("orders", 1))), ErrorCode.RESOURCE_IN_USE);

        // The answer to CreateStream was an acknowledgement: the stream survives a restart, and is ACTIVE then.
        stopEngine();
        StreamClient after = startEngine(EngineConfig.DEFAULT_TRANSITION_MILLIS);
        assertThat(await(after.describe(S)).status()).isEqualTo(StreamStatus.ACTIVE);
        assertThat(await(after.put(S, one()))).singleElement().isInstanceOf(PutOutcome.Accepted.class);
    }

    @Test
    void aCreatingStreamBecomesActiveShortly() throws InterruptedException {
        StreamClient c = startEngine(EngineConfig.DEFAULT_TRANSITION_MILLIS);
        await(c.beginCreate(CreateStream.of("orders", 2)));
        while (await(c.describe(S)).status() == StreamStatus.CREATING) {
            Thread.sleep(5);
        }
        assertThat(await(c.describe(S)).status()).isEqualTo(StreamStatus.ACTIVE);
        assertThat(await(c.put(S, one()))).singleElement().isInstanceOf(PutOutcome.Accepted.class);
    }

    @Test
    void createAnswersOnceActiveForTheNativeApi() {
        StreamClient c = startEngine(500);
        assertThat(await(c.create(CreateStream.of("orders", 1))).status()).isEqualTo(StreamStatus.ACTIVE);
        assertThat(await(c.put(S, one()))).singleElement().isInstanceOf(PutOutcome.Accepted.class);
    }

    @Test
    void aDeletedStreamIsDeletingBeforeItDisappears() {
        StreamClient c = startEngine(0);
        await(c.create(CreateStream.of("orders", 1)));
        await(c.put(S, one()));
        stopEngine();
        StreamClient slow = startEngine(HOUR_LONG);
        Path dir = DataDirFiles.streamDir(dataDir, S.value());
        await(slow.beginDelete(S, false));
        assertThat(await(slow.describe(S)).status()).isEqualTo(StreamStatus.DELETING);
        assertPutRefusedAsNotFound(slow);
        assertCode(() -> await(slow.addTags(S, Map.of("a", "b"))), ErrorCode.RESOURCE_IN_USE);
        assertCode(() -> await(slow.beginCreate(CreateStream.of("orders", 1))), ErrorCode.RESOURCE_IN_USE);
        // An acknowledged delete is durable: after a restart the stream is gone.
        stopEngine();
        StreamClient after = startEngine(0);
        assertCode(() -> await(after.describe(S)), ErrorCode.RESOURCE_NOT_FOUND);
        assertThat(dir).doesNotExist();
    }

    @Test
    void deleteAnswersOnceGoneForTheNativeApi() {
        StreamClient c = startEngine(500);
        await(c.create(CreateStream.of("orders", 1)));
        await(c.delete(S, false));
        assertCode(() -> await(c.describe(S)), ErrorCode.RESOURCE_NOT_FOUND);
        assertThat(await(c.create(CreateStream.of("orders", 1))).status()).isEqualTo(StreamStatus.ACTIVE);
    }

    @Test
    void stoppingTheEngineAnswersAWaitingCreate() {
        StreamClient c = startEngine(HOUR_LONG);
        Future<io.riffle.model.StreamDescription> created = c.create(CreateStream.of("orders", 1));
        while (true) {
            try {
                await(c.describe(S));
                break;
            } catch (RiffleException notYet) {
                Thread.onSpinWait();
            }
        }
        stopEngine();
        assertCode(() -> await(created), ErrorCode.SERVICE_UNAVAILABLE);
    }
}
