package io.riffle.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.model.StreamDescription;
import io.riffle.model.StreamMode;
import io.riffle.model.StreamName;
import io.riffle.testing.MutableClock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalog's files: old layouts load, and every path that deletes files (a failed create, a delete, a
 * load after a crash, retention) deletes only the directory this engine made for that stream.
 */
@ExtendWith(VertxExtension.class)
class CatalogFilesTest {
    private static final StreamName BYSTANDER = StreamName.of("orders");
    private static final long HOUR = 3_600_000L;

    @TempDir
    Path dataDir;
    private DiskEngine engine;
    private Map<String, Integer> bystanderFiles;

    @BeforeEach
    void start(Vertx vertx) {
        engine = new DiskEngine(vertx, dataDir);
        startEngine(EngineConfig.DEFAULT_TRANSITION_MILLIS);
        await(engine.client().create(CreateStream.of(BYSTANDER.value(), 2)));
        put(BYSTANDER, "kept");
        stopEngine();
        bystanderFiles = DataDirFiles.snapshot(DataDirFiles.streamDir(dataDir, BYSTANDER.value()));
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    private void startEngine(long transitionMillis) {
        engine.start(transitionMillis);
    }

    private void stopEngine() {
        engine.stop();
    }

    private static <T> T await(Future<T> f) {
        return io.riffle.testing.Futures.await(f);
    }

    private void put(StreamName stream, String text) {
        List<PutOutcome> outcomes = await(engine.client().put(stream, List.of(PutEntry.of("k", text.getBytes(StandardCharsets.UTF_8)))));
        assertThat(outcomes).allMatch(o -> o instanceof PutOutcome.Accepted);
    }

    private int recordCount(StreamName stream) {
        StreamDescription d = await(engine.client().describe(stream));
        int n = 0;
        for (var s : d.shards()) {
            long from = await(engine.client().resolve(stream, s.shardId(), new ReadFrom.TrimHorizon()));
            n += await(engine.client().read(stream, s.shardId(), from, 100, 1 << 20, false)).records().size();
        }
        return n;
    }

    private void assertBystanderUntouched() {
        if (engine.running()) {
            stopEngine();
        }
        assertThat(DataDirFiles.snapshot(DataDirFiles.streamDir(dataDir, BYSTANDER.value()))).isEqualTo(bystanderFiles);
        startEngine(EngineConfig.DEFAULT_TRANSITION_MILLIS);
        assertThat(recordCount(BYSTANDER)).isEqualTo(1);
    }

    @Test
    void aDataDirOfTheOldLayoutLoadsByTheNameInItsMetadata() throws Exception {
        // Before engine-chosen directories, a stream lived in streams/<name> and its metadata had no version.
        Path dir = DataDirFiles.streamDir(dataDir, BYSTANDER.value());
        Path old = dataDir.resolve("streams").resolve("legacy-dir-name");
        Files.move(dir, old);
        JsonObject meta = new JsonObject(Files.readString(old.resolve("stream.json")));
        meta.remove("formatVersion");
        Files.writeString(old.resolve("stream.json"), meta.encodePrettily());
        startEngine(EngineConfig.DEFAULT_TRANSITION_MILLIS);
        assertThat(await(engine.client().list())).containsExactly(BYSTANDER);
        assertThat(recordCount(BYSTANDER)).isEqualTo(1);
        put(BYSTANDER, "more");
        await(engine.client().delete(BYSTANDER, false));
        assertThat(old).doesNotExist();
    }

    @Test
    void metadataOfANewerFormatStopsTheStartAndIsKept() throws Exception {
        Path meta = DataDirFiles.streamDir(dataDir, BYSTANDER.value()).resolve("stream.json");
        JsonObject json = new JsonObject(Files.readString(meta)).put("formatVersion", 99);
        Files.writeString(meta, json.encodePrettily());
        assertThatThrownBy(() -> startEngine(EngineConfig.DEFAULT_TRANSITION_MILLIS)).hasMessageContaining("format version 99");
        assertThat(meta).exists();
    }

    @Test
    void directoriesThatAreNotStreamsAreLeftAlone() throws Exception {
        Path streams = dataDir.resolve("streams");
        Files.createDirectories(streams.resolve("backup/shards/0"));
        Files.writeString(streams.resolve("backup/shards/0/00000000000000000000.log"), "precious");
        Files.createDirectories(streams.resolve("empty"));
        Files.writeString(streams.resolve("notes.txt"), "mine");
        startEngine(EngineConfig.DEFAULT_TRANSITION_MILLIS);
        assertThat(await(engine.client().list())).containsExactly(BYSTANDER);
        stopEngine();
        assertThat(streams.resolve("backup/shards/0/00000000000000000000.log")).hasContent("precious");
        assertThat(streams.resolve("empty")).isDirectory();
        assertThat(streams.resolve("notes.txt")).hasContent("mine");
        assertBystanderUntouched();
    }

    @Test
    void creationsAndDeletionsCutShortByACrashAreFinishedAtLoad() throws Exception {
        Path streams = dataDir.resolve("streams");
        Path halfCreated = streams.resolve("half-created");
        Files.createDirectories(halfCreated);
        Files.writeString(halfCreated.resolve(CatalogStore.CREATING_MARKER), "");
        Files.writeString(halfCreated.resolve("stream.json.tmp"), "{\"name\":");
        // A deletion cut short after its marker: the metadata is still there but the stream must not come back.
        Path halfDeleted = streams.resolve("half-deleted");
        Files.createDirectories(halfDeleted.resolve("shards/0"));
        Files.writeString(halfDeleted.resolve("stream.json"), Files.readString(
                DataDirFiles.streamDir(dataDir, BYSTANDER.value()).resolve("stream.json")).replace("\"orders\"", "\"gone\""));
        Files.writeString(halfDeleted.resolve(CatalogStore.DELETING_MARKER), "");
        startEngine(EngineConfig.DEFAULT_TRANSITION_MILLIS);
        assertThat(await(engine.client().list())).containsExactly(BYSTANDER);
        assertThat(halfCreated).doesNotExist();
        assertThat(halfDeleted).doesNotExist();
        assertBystanderUntouched();
    }

    @Test
    void aCreateThatFailsAfterItsDirectoryWasMadeRemovesOnlyThatDirectory() throws Exception {
        // A long CREATING phase leaves time to break the new stream's directory before its shards open.
        startEngine(2_000);
        StreamName doomed = StreamName.of("doomed");
        await(engine.client().beginCreate(CreateStream.of(doomed.value(), 1)));
        Path dir = DataDirFiles.streamDir(dataDir, doomed.value());
        // A file where the shard logs' directory must go: opening the shard fails (ENOTDIR), a real file system error.
        Files.writeString(dir.resolve("shards"), "in the way");
        while (true) {
            try {
                await(engine.client().describe(doomed));
                Thread.sleep(20);
            } catch (RiffleException e) {
                assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_NOT_FOUND);
                break;
            }
        }
        assertThat(dir).doesNotExist();
        assertBystanderUntouched();
    }

    @Test
    void aCreateAwaitedUntilActiveFailsWhenItsShardsCannotOpen() throws Exception {
        startEngine(2_000);
        StreamName doomed = StreamName.of("doomed");
        Future<StreamDescription> created = engine.client().create(CreateStream.of(doomed.value(), 1));
        Path dir = awaitDirectory(doomed);
        Files.writeString(dir.resolve("shards"), "in the way");
        assertThatThrownBy(() -> await(created)).isInstanceOf(RiffleException.class);
        assertThat(dir).doesNotExist();
        assertThatThrownBy(() -> await(engine.client().describe(doomed))).isInstanceOfSatisfying(RiffleException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_NOT_FOUND));
        assertBystanderUntouched();
    }

    private Path awaitDirectory(StreamName stream) throws InterruptedException {
        while (true) {
            try {
                return DataDirFiles.streamDir(dataDir, stream.value());
            } catch (AssertionError notYet) {
                Thread.sleep(5);
            }
        }
    }

    @Test
    void retentionDeletesOnlyTheExpiredSegmentsOfItsOwnStream() throws Exception {
        // The engine's clock starts well before the bystander's record, which so never expires here.
        MutableClock clock = new MutableClock(System.currentTimeMillis() - 100 * HOUR);
        engine.start(clock);
        StreamName expiring = StreamName.of("expiring");
        await(engine.client().create(new CreateStream(expiring, 1, 48, StreamMode.PROVISIONED, Map.of(), Optional.empty())));
        put(expiring, "old");
        clock.advance(30 * HOUR);
        // Past the segment age limit: "new" starts a second segment, and lowering the retention expires the first.
        put(expiring, "new");
        Path shards = DataDirFiles.streamDir(dataDir, expiring.value()).resolve("shards");
        assertThat(segmentFiles(shards)).hasSize(2);
        await(engine.client().setRetention(expiring, 24));
        assertThat(segmentFiles(shards)).hasSize(1);
        assertThat(recordCount(expiring)).isEqualTo(1);
        assertBystanderUntouched();
    }

    private static List<Path> segmentFiles(Path dir) throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.getFileName().toString().matches("\\d{20}\\.log")).toList();
        }
    }

    @Test
    void deleteRemovesOnlyItsStreamsDirectory() {
        startEngine(EngineConfig.DEFAULT_TRANSITION_MILLIS);
        StreamName other = StreamName.of("other");
        await(engine.client().create(CreateStream.of(other.value(), 3)));
        put(other, "x");
        Path dir = DataDirFiles.streamDir(dataDir, other.value());
        await(engine.client().delete(other, false));
        assertThat(dir).doesNotExist();
        assertBystanderUntouched();
    }
}
