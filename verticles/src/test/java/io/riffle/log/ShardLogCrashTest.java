package io.riffle.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.model.Record;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Appends in a child JVM, kills it with SIGKILL mid-stream, and checks that every acknowledged record
 * survived, in order and byte for byte, and that offsets keep increasing. Three rounds on one log, for
 * each fsync policy (under INTERVAL nothing is fsynced at all: the page cache must carry it).
 */
class ShardLogCrashTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "fsync {0}, encrypted {1}")
    @CsvSource({"PER_BATCH, false", "INTERVAL, false", "PER_BATCH, true"})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void everyAcknowledgedRecordSurvivesKillDashNine(FsyncPolicy policy, boolean encrypted) throws Exception {
        Path dir = tmp.resolve("shard");
        // Encrypted: the child seals every record (a key sidecar per 256 KiB segment), recovery checks sealed frames by CRC.
        Path keyring = tmp.resolve("keyring.json");
        java.nio.file.Files.writeString(keyring, io.riffle.log.crypto.TestKeyrings.json(true));
        long highestAcked = -1;
        for (int round = 0; round < 3; round++) {
            Process child = new ProcessBuilder(javaCommand(), "-XX:TieredStopAtLevel=1", "-Xmx128m",
                    "-cp", System.getProperty("java.class.path"), ShardLogChild.class.getName(), "append", dir.toString(), policy.name(),
                    encrypted ? keyring.toString() : "")
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread pump = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // the child was killed
                }
            });
            pump.start();
            long firstOfRound = -1;
            int wanted = 20 + ThreadLocalRandom.current().nextInt(200);
            try {
                for (int acks = 0; acks < wanted; acks++) {
                    String line = lines.poll(20, TimeUnit.SECONDS);
                    assertThat(line).as("ack %d of round %d", acks, round).isNotNull().startsWith("ACK ");
                    String[] parts = line.split(" ");
                    long first = Long.parseLong(parts[1]);
                    if (firstOfRound < 0) {
                        firstOfRound = first;
                        // Offsets continue after everything acknowledged before the last kill.
                        assertThat(first).isGreaterThan(highestAcked);
                    }
                    highestAcked = Long.parseLong(parts[2]);
                }
            } finally {
                child.destroyForcibly();
                assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
                pump.join(5_000);
            }
            // Acks printed before the kill but not yet polled count too.
            for (String line; (line = lines.poll()) != null; ) {
                if (line.startsWith("ACK ")) {
                    highestAcked = Long.parseLong(line.split(" ")[2]);
                }
            }
            io.riffle.log.crypto.KeyringFile keys = new io.riffle.log.crypto.KeyringFile(keyring);
            try (ShardLog log = ShardLog.open(dir, LogConfig.defaults().withSegmentBytes(256 << 10), Clock.systemUTC(), keys::keyring)) {
                assertThat(log.endOffset()).isGreaterThan(highestAcked);
                long expectedOffset = 0;
                for (Record r : LogFixtures.readAll(log, 0)) {
                    assertThat(r.offset()).isEqualTo(expectedOffset);
                    assertThat(ShardLogChild.matches(r)).as("record %d intact", r.offset()).isTrue();
                    assertThat(r.encrypted()).as("record %d sealed", r.offset()).isEqualTo(encrypted);
                    expectedOffset++;
                }
                assertThat(expectedOffset).isEqualTo(log.endOffset());
            }
        }
    }

    static String javaCommand() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
