package io.riffle.stream;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the operator how far a node's start has come when it opens (and so recovers) many shards: a line
 * at most every {@value #EVERY_SECONDS} s with the shards open out of all and the bytes verified so far,
 * then a last line with the total. Used on the control plane's event loop only.
 */
final class RecoveryProgress {
    private static final Logger LOG = LoggerFactory.getLogger(RecoveryProgress.class);
    private static final long EVERY_SECONDS = 2;

    private final int total;
    private final long startNanos = System.nanoTime();
    private long lastLogNanos = startNanos;
    private int done;
    private long bytesVerified;

    RecoveryProgress(int total) {
        this.total = total;
    }

    /** One more shard is open; {@code verified} is what its recovery CRC-checked. */
    void shardOpened(long verified) {
        done++;
        bytesVerified += verified;
        long now = System.nanoTime();
        if (done == total) {
            LOG.info("Recovery done: {} shards open, {} MiB verified in {} ms", total, mib(bytesVerified),
                    TimeUnit.NANOSECONDS.toMillis(now - startNanos));
        } else if (now - lastLogNanos >= TimeUnit.SECONDS.toNanos(EVERY_SECONDS)) {
            lastLogNanos = now;
            LOG.info("Recovery: {} of {} shards open, {} MiB verified so far", done, total, mib(bytesVerified));
        }
    }

    private static long mib(long bytes) {
        return bytes >> 20;
    }
}
