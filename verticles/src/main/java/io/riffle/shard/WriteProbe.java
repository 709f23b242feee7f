package io.riffle.shard;

import io.riffle.log.ShardLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Checks, without touching the log's records, whether a shard whose writes failed could write again:
 * the log must still accept appends (an empty append fails while it refuses writes after a failed fsync),
 * and {@value #PROBE_BYTES} bytes must fit in its directory and survive an fsync. Plain blocking Java, run
 * on the write pool.
 */
final class WriteProbe {
    /** Room for a typical batch; a much larger one may still fail, and the shard turns failing again. */
    static final int PROBE_BYTES = 64 << 10;
    /** Ends in .tmp: log recovery deletes it if a crash left it behind. */
    private static final String PROBE_FILE = ".write-probe.tmp";

    private WriteProbe() {
    }

    /** Throws what a write would throw now; returns when the probe was written, fsynced and removed. */
    static void run(Path dir, ShardLog log) throws IOException {
        log.append(List.of());
        Path file = dir.resolve(PROBE_FILE);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer zeros = ByteBuffer.allocate(PROBE_BYTES);
            while (zeros.hasRemaining()) {
                ch.write(zeros);
            }
            ch.force(true);
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
