package io.riffle.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.testing.MutableClock;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Direct memory: idle logs hold none, and a large batch leaves none behind. */
class ShardLogMemoryTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    private static long directBytesUsed() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
    }

    @Test
    void aTenMibBatchAndIdleLogsLeaveNoLargeDirectBufferBehind() throws IOException {
        MutableClock clock = new MutableClock(T0);
        List<ShardLog> idle = new ArrayList<>();
        try (ShardLog log = ShardLog.open(dir.resolve("busy"), LogConfig.defaults(), clock)) {
            log.append(List.of(LogFixtures.record(0, 10, T0)));
            long before = directBytesUsed();
            for (int i = 0; i < 50; i++) {
                idle.add(ShardLog.open(dir.resolve("idle-" + i), LogConfig.defaults(), clock));
            }
            List<AppendRecord> batch = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                batch.add(LogFixtures.record(i, (int) MIB, T0));
            }
            log.append(batch);
            assertThat(LogFixtures.readAll(log, 0)).hasSize(11);
            assertThat(WriteBuffers.pooledBytes()).isLessThanOrEqualTo((long) WriteBuffers.MAX_POOLED * WriteBuffers.CHUNK);
            // Fifty idle logs and a 10 MiB batch written and read back: at most a pooled chunk or two more.
            assertThat(directBytesUsed() - before).isLessThan(2 * MIB);
        } finally {
            for (ShardLog l : idle) {
                l.close();
            }
        }
    }
}
