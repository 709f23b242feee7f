package io.riffle.shard;

import io.riffle.bus.Addresses;
import io.riffle.model.ShardId;
import io.riffle.model.StreamName;
import io.riffle.stream.ShardWriteHealth;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.FileSystemException;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether one shard's writes are failing, kept by its verticle (on its event loop) and published on
 * {@link Addresses#shardHealthChanged()} at every change. While failing, a probe runs every
 * {@value #PROBE_MILLIS} ms, so a shard that gets no more puts (a node marked unhealthy gets no traffic)
 * still turns healthy by itself once space returns; a successful append does the same at once.
 */
final class WriteHealth {
    private static final Logger LOG = LoggerFactory.getLogger(WriteHealth.class);
    static final long PROBE_MILLIS = 2000;
    private static final int MAX_REASON_CHARS = 200;
    /** A path starts a word ("/data/x", "C:\\x"); "Input/output error" is no path. */
    private static final Pattern PATH = Pattern.compile("(^|[\\s'\"(=:])[/\\\\~]");

    private final Vertx vertx;
    private final StreamName stream;
    private final ShardId shard;
    private final Supplier<Future<Void>> probe;
    /** Why writes fail; null while they work. */
    private String reason;
    private long probeTimer = -1;
    private boolean probing;
    private boolean closed;

    /** @param probe runs {@link WriteProbe} on the write pool; succeeds when the shard could write again */
    WriteHealth(Vertx vertx, StreamName stream, ShardId shard, Supplier<Future<Void>> probe) {
        this.vertx = vertx;
        this.stream = stream;
        this.shard = shard;
        this.probe = probe;
    }

    /** A write (append or fsync) failed. Returns true if writes had been working until now. */
    boolean failed(Throwable cause) {
        if (closed) {
            return false;
        }
        boolean first = reason == null;
        String why = reasonOf(cause);
        if (!why.equals(reason)) {
            reason = why;
            publish();
        }
        if (first) {
            LOG.warn("Writes to shard {} of stream {} are failing ({}); the node reports itself degraded until a "
                    + "write or a probe (every {} ms) succeeds", shard, stream, why, PROBE_MILLIS);
            probeTimer = vertx.setPeriodic(PROBE_MILLIS, id -> runProbe());
        }
        return first;
    }

    /** A write succeeded: if writes were failing, they are healthy again. */
    void succeeded() {
        if (reason == null || closed) {
            return;
        }
        reason = null;
        vertx.cancelTimer(probeTimer);
        LOG.info("Writes to shard {} of stream {} work again", shard, stream);
        publish();
    }

    /** The shard stops: it no longer has failing writes to report. */
    void close() {
        succeeded();
        closed = true;
    }

    private void runProbe() {
        if (probing || closed) {
            return;
        }
        probing = true;
        probe.get().onComplete(ar -> {
            probing = false;
            if (ar.succeeded()) {
                succeeded();
            } else {
                LOG.debug("Write probe of shard {} of stream {} failed: {}", shard, stream, ar.cause().toString());
            }
        });
    }

    private void publish() {
        vertx.eventBus().publish(Addresses.shardHealthChanged(),
                new ShardWriteHealth(stream, shard, reason != null, reason).toJson());
    }

    /**
     * The operating system's reason behind a failure ("No space left on device", "File too large"), never a
     * file name or an exception class: health answers are seen by whoever can reach the port.
     */
    static String reasonOf(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = root instanceof FileSystemException fs ? fs.getReason() : root.getMessage();
        if (text == null || text.isBlank() || PATH.matcher(text).find()) {
            return "I/O error";
        }
        return text.length() > MAX_REASON_CHARS ? text.substring(0, MAX_REASON_CHARS) : text;
    }
}
