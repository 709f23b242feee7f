package io.riffle.load;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The clock of one run: a warm-up, a measured window and a progress line every few seconds. Counters are
 * snapshotted at the window's edges, so rates count only what completed inside it; latencies recorded
 * during the warm-up are dropped.
 */
final class Measurement {
    final long startNanos = System.nanoTime();
    final long windowStartNanos;
    final long windowEndNanos;
    /** Latencies in microseconds; thread-safe. */
    final Recorder latencyMicros = new Recorder(3);
    private final Histogram measured = new Histogram(3);
    private final LoadOptions options;

    Measurement(LoadOptions options) {
        this.options = options;
        this.windowStartNanos = startNanos + options.warmupSeconds() * 1_000_000_000L;
        this.windowEndNanos = windowStartNanos + options.durationSeconds() * 1_000_000_000L;
    }

    boolean over() {
        return System.nanoTime() >= windowEndNanos;
    }

    /** A counter with its value at the window's start and end. */
    static final class Counter {
        final String name;
        final AtomicLong value = new AtomicLong();
        long atStart;
        long atEnd;
        long lastPrinted;

        Counter(String name) {
            this.name = name;
        }

        long inWindow() {
            return atEnd - atStart;
        }
    }

    /**
     * Blocks the calling thread through warm-up and window, printing a progress line every few seconds
     * with the rate of each counter and the interval's latency percentiles.
     *
     * @param extra appended to each progress line (for example the node's heap); may be null
     */
    void run(Counter[] counters, LongSupplier extra, String extraName) {
        long tick = options.progressSeconds() * 1_000_000_000L;
        long nextTick = startNanos + tick;
        boolean started = false;
        long lastTick = startNanos;
        while (true) {
            long now = System.nanoTime();
            if (!started && now >= windowStartNanos) {
                started = true;
                latencyMicros.getIntervalHistogram();
                for (Counter c : counters) {
                    c.atStart = c.value.get();
                }
            }
            if (now >= windowEndNanos) {
                for (Counter c : counters) {
                    c.atEnd = c.value.get();
                }
                measured.add(latencyMicros.getIntervalHistogram());
                return;
            }
            if (now >= nextTick) {
                Histogram h = latencyMicros.getIntervalHistogram();
                if (started) {
                    measured.add(h);
                }
                // The time left to the end of the measured window, so a long run tells when it will be done.
                StringBuilder line = new StringBuilder(String.format("[%5.1fs %s eta %.0fs]", (now - startNanos) / 1e9,
                        started ? "measure" : "warmup ", (windowEndNanos - now) / 1e9));
                double secs = (now - lastTick) / 1e9;
                for (Counter c : counters) {
                    long v = c.value.get();
                    line.append(String.format(" %s=%.0f/s", c.name, (v - c.lastPrinted) / secs));
                    c.lastPrinted = v;
                }
                if (h.getTotalCount() > 0) {
                    line.append(String.format(" p50=%.2fms p99=%.2fms max=%.2fms", h.getValueAtPercentile(50) / 1000.0,
                            h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0));
                }
                if (extra != null) {
                    line.append(' ').append(extraName).append('=').append(extra.getAsLong());
                }
                System.out.println(line);
                lastTick = now;
                nextTick += tick;
            }
            LockSupport.parkNanos(Math.min(50_000_000L, Math.max(1_000_000L, Math.min(nextTick, windowEndNanos) - now)));
        }
    }

    /** Latencies recorded inside the window, in microseconds. */
    Histogram measured() {
        return measured;
    }

    double windowSeconds() {
        return (windowEndNanos - windowStartNanos) / 1e9;
    }

    /** p50, p99, p99.9 and max in milliseconds, as RESULT fields. */
    String latencyFields(String prefix) {
        Histogram h = measured;
        if (h.getTotalCount() == 0) {
            return prefix + "samples=0";
        }
        return String.format("%ssamples=%d %sp50_ms=%.3f %sp99_ms=%.3f %sp999_ms=%.3f %smax_ms=%.3f", prefix,
                h.getTotalCount(), prefix, h.getValueAtPercentile(50) / 1000.0, prefix,
                h.getValueAtPercentile(99) / 1000.0, prefix, h.getValueAtPercentile(99.9) / 1000.0, prefix,
                h.getMaxValue() / 1000.0);
    }

    /**
     * Calls {@code emit(n)} from the calling thread so that {@code rate} records per second go out in total,
     * from the start until the window ends or {@code max} records went out. Emits in 1 ms steps.
     */
    void pace(long rate, long max, java.util.function.LongConsumer emit) {
        long sent = 0;
        while (sent < max) {
            long now = System.nanoTime();
            if (now >= windowEndNanos) {
                return;
            }
            long due = Math.min(max, (long) ((now - startNanos) / 1e9 * rate)) - sent;
            if (due > 0) {
                emit.accept(due);
                sent += due;
            } else {
                LockSupport.parkNanos(500_000);
            }
        }
    }
}
