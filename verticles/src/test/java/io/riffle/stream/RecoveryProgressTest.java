package io.riffle.stream;

import static io.riffle.testing.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.model.StreamName;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's view of a long start: the recovery progress lines, as logged. SLF4J's simple logger (the
 * test binding) writes to whatever {@code System.err} is when it logs, so the test tees it into a buffer.
 */
@ExtendWith(VertxExtension.class)
class RecoveryProgressTest {
    @TempDir
    Path dataDir;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private PrintStream originalErr;

    @BeforeEach
    void captureStderr() {
        originalErr = System.err;
        System.setErr(new PrintStream(new Tee(originalErr, captured), true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreStderr() {
        System.setErr(originalErr);
    }

    private List<String> recoveryLines() {
        synchronized (captured) {
            return captured.toString(StandardCharsets.UTF_8).lines()
                    .filter(l -> l.contains(RecoveryProgress.class.getName())).toList();
        }
    }

    @Test
    void aRestartAfterACrashLogsTheShardsOpenedAndTheMebibytesVerified(Vertx vertx) throws IOException {
        try (DiskEngine disk = new DiskEngine(vertx, dataDir)) {
            StreamClient client = disk.start();
            await(client.create(CreateStream.of("big", 3)));
            await(client.create(CreateStream.of("small", 1)));
            // 48 records of 64 KiB: 3 MiB of data plus frame overhead, spread over big's three shards.
            for (int batch = 0; batch < 3; batch++) {
                List<PutEntry> entries = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    entries.add(PutEntry.of("key-" + batch + "-" + i, new byte[64 << 10]));
                }
                await(client.put(StreamName.of("big"), entries));
            }
            disk.stop();
            // As after a crash: without the clean-shutdown markers every last segment is verified frame by frame.
            try (Stream<Path> files = Files.walk(dataDir)) {
                List<Path> markers = files.filter(f -> f.getFileName().toString().equals(".clean-shutdown")).toList();
                assertThat(markers).hasSize(4);
                for (Path m : markers) {
                    Files.delete(m);
                }
            }
            synchronized (captured) {
                captured.reset();
            }

            disk.start();
            // A slow disk may add "Recovery: n of 4 ..." lines before it; the last line sums up.
            assertThat(recoveryLines()).last().asString()
                    .containsPattern("Recovery done: 4 shards open, 3 MiB verified in \\d+ ms");
        }
    }

    @Test
    void progressIsLoggedAtMostEveryTwoSecondsWithWhatIsOpenAndVerifiedSoFar() throws InterruptedException {
        RecoveryProgress progress = new RecoveryProgress(3);
        progress.shardOpened(1 << 20);
        assertThat(recoveryLines()).as("no line before two seconds have passed").isEmpty();
        // RecoveryProgress reads System.nanoTime: after this sleep, the next shard is past the two seconds.
        Thread.sleep(2_100);
        progress.shardOpened(2 << 20);
        assertThat(recoveryLines()).singleElement().asString().endsWith("Recovery: 2 of 3 shards open, 3 MiB verified so far");
        progress.shardOpened(0);
        assertThat(recoveryLines()).hasSize(2).last().asString()
                .containsPattern("Recovery done: 3 shards open, 3 MiB verified in \\d+ ms");
    }

    /** Writes to both streams; the engine's threads log too, so writes to the buffer are serialized with reads. */
    private static final class Tee extends OutputStream {
        private final OutputStream first;
        private final ByteArrayOutputStream second;

        Tee(OutputStream first, ByteArrayOutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws IOException {
            first.write(b);
            synchronized (second) {
                second.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            first.write(b, off, len);
            synchronized (second) {
                second.write(b, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            first.flush();
        }
    }
}
