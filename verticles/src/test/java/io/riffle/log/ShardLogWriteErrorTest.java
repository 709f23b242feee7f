package io.riffle.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.model.Record;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real write failure: the child JVM runs under {@code ulimit -f} (the JVM ignores SIGXFSZ, so a write past
 * the limit fails with EFBIG, "File too large"), fills its log until an append fails, and reads it back.
 */
class ShardLogWriteErrorTest {
    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aFailedWriteFailsTheAppendClearlyAndLeavesTheLogReadable() throws Exception {
        Path dir = tmp.resolve("shard");
        String command = "ulimit -f 300; exec '" + ShardLogCrashTest.javaCommand() + "' -XX:-UsePerfData -XX:TieredStopAtLevel=1 -Xmx128m -cp '"
                + System.getProperty("java.class.path") + "' " + ShardLogChild.class.getName() + " fill '" + dir + "'";
        Process child = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
        assertThat(child.waitFor(40, TimeUnit.SECONDS)).isTrue();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.exitValue()).as(out).isZero();

        List<String> lines = out.lines().toList();
        String failed = lines.stream().filter(l -> l.startsWith("FAILED ")).findFirst().orElseThrow(() -> new AssertionError(out));
        assertThat(failed).contains("File too large").contains("none of them was stored").contains("00000000000000000000.log");
        long acked = lines.stream().filter(l -> l.startsWith("ACK ")).count() * 20;
        assertThat(acked).isPositive();
        assertThat(lines).contains("READ " + acked + " ok");

        // The parent has no file size limit: the log opens clean (the partial batch was rolled back) and takes new appends.
        try (ShardLog log = ShardLog.open(dir, LogConfig.defaults(), Clock.systemUTC())) {
            assertThat(log.recovery().truncations()).isEmpty();
            assertThat(log.endOffset()).isEqualTo(acked);
            List<Record> all = LogFixtures.readAll(log, 0);
            assertThat(all).hasSize((int) acked);
            for (Record r : all) {
                assertThat(r.data()).isEqualTo(LogFixtures.data(r.offset(), 1000));
            }
            assertThat(log.append(List.of(new AppendRecord("pk", new byte[10], 0)))).isEqualTo(acked);
        }
    }
}
