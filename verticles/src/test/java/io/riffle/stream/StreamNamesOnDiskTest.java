package io.riffle.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.model.Record;
import io.riffle.model.ShardId;
import io.riffle.model.StreamName;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stream names never become paths: every valid name, including the ones a file system gives a meaning
 * ({@code .}, {@code ..}), lives through create, put, restart and delete without touching another stream.
 */
@ExtendWith(VertxExtension.class)
class StreamNamesOnDiskTest {
    private static final StreamName BYSTANDER = StreamName.of("orders");

    @TempDir
    Path dataDir;
    private DiskEngine engine;

    @BeforeEach
    void start(Vertx vertx) {
        engine = new DiskEngine(vertx, dataDir);
        engine.start();
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    private void startEngine() {
        engine.start();
    }

    private void stopEngine() {
        engine.stop();
    }

    private static <T> T await(Future<T> f) {
        return io.riffle.testing.Futures.await(f);
    }

    private void restart() {
        stopEngine();
        startEngine();
    }

    private List<String> texts(StreamName stream) {
        StreamClient c = engine.client();
        long from = await(c.resolve(stream, new ShardId(0), new ReadFrom.TrimHorizon()));
        return await(c.read(stream, new ShardId(0), from, 100, 1 << 20, false)).records().stream()
                .map(Record::data).map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }

    private void put(StreamName stream, String text) {
        List<PutOutcome> outcomes = await(engine.client().put(stream, List.of(PutEntry.of("k", text.getBytes(StandardCharsets.UTF_8)))));
        assertThat(outcomes).allMatch(o -> o instanceof PutOutcome.Accepted);
    }

    static List<String> awkwardNames() {
        return List.of(".", "..", "...", "-", "_", ".".repeat(128), "streams", "shards", "stream.json");
    }

    @ParameterizedTest
    @MethodSource("awkwardNames")
    void everyValidNameLivesThroughCreatePutRestartAndDelete(String value) {
        StreamName name = StreamName.of(value);
        await(engine.client().create(CreateStream.of(BYSTANDER.value(), 1)));
        put(BYSTANDER, "kept");
        stopEngine();
        Map<String, Integer> bystanderFiles = DataDirFiles.snapshot(DataDirFiles.streamDir(dataDir, BYSTANDER.value()));
        startEngine();

        await(engine.client().create(CreateStream.of(value, 1)));
        put(name, "first");
        restart();
        assertThat(await(engine.client().list())).containsExactlyInAnyOrder(BYSTANDER, name);
        assertThat(texts(name)).containsExactly("first");
        await(engine.client().delete(name, false));
        assertThatThrownBy(() -> await(engine.client().describe(name))).isInstanceOfSatisfying(RiffleException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_NOT_FOUND));

        // A new stream of the same name starts empty, and the bystander never changed.
        await(engine.client().create(CreateStream.of(value, 1)));
        assertThat(texts(name)).isEmpty();
        await(engine.client().delete(name, false));
        stopEngine();
        assertThat(DataDirFiles.snapshot(DataDirFiles.streamDir(dataDir, BYSTANDER.value()))).isEqualTo(bystanderFiles);
        startEngine();
        assertThat(await(engine.client().list())).containsExactly(BYSTANDER);
        assertThat(texts(BYSTANDER)).containsExactly("kept");
    }
}
