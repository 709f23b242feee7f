package io.riffle.load;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The clock of one run: a warm-up, a measured ("warm") window and a progress line every few seconds, plus
 * a cold window: the first {@code coldSeconds} of load, which a user of a freshly started node meets.
 * Counters and the node's CPU time are snapshotted at every window's edges, so rates count only what
 * completed inside each window; latencies go to the window they were recorded in (the cold and warm
 * windows overlap when the warm-up is shorter than the cold window).
 */
final class Measurement {
    final long startNanos = System.nanoTime();
    final long coldEndNanos;
    final long windowStartNanos;
    final long windowEndNanos;
    /** Latencies in microseconds; thread-safe. */
    final Recorder latencyMicros = new Recorder(3);
    private final Histogram measured = new Histogram(3);
    private final Histogram cold = new Histogram(3);
    private final LoadOptions options;
    /** The node's CPU seconds at the start, the cold window's end, and the warm window's start and end. */
    private final double cpuAtStart;
    private double cpuAtColdEnd = -1;
    private double cpuAtWindowStart = -1;
    private double cpuAtWindowEnd = -1;

    Measurement(LoadOptions options) {
        this.options = options;
        this.coldEndNanos = startNanos + options.coldSeconds() * 1_000_000_000L;
        this.windowStartNanos = startNanos + options.warmupSeconds() * 1_000_000_000L;
        this.windowEndNanos = Math.max(windowStartNanos + options.durationSeconds() * 1_000_000_000L, coldEndNanos);
        this.cpuAtStart = ProcessCpu.seconds(options.nodePid());
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

        long atColdEnd;

        Counter(String name) {
            this.name = name;
        }

        long inWindow() {
            return atEnd - atStart;
        }

        /** What completed in the first coldSeconds of load (counting starts at zero with the load). */
        long inCold() {
            return atColdEnd;
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
        boolean coldOver = options.coldSeconds() == 0;
        long lastTick = startNanos;
        Histogram sinceTick = new Histogram(3);
        while (true) {
            long now = System.nanoTime();
            if (!coldOver && now >= coldEndNanos) {
                coldOver = true;
                Histogram h = latencyMicros.getIntervalHistogram();
                cold.add(h);
                sinceTick.add(h);
                if (started) {
                    measured.add(h);
                }
                cpuAtColdEnd = ProcessCpu.seconds(options.nodePid());
                for (Counter c : counters) {
                    c.atColdEnd = c.value.get();
                }
            }
            if (!started && now >= windowStartNanos) {
                started = true;
                Histogram h = latencyMicros.getIntervalHistogram();
                sinceTick.add(h);
                if (!coldOver) {
                    cold.add(h);
                }
                cpuAtWindowStart = ProcessCpu.seconds(options.nodePid());
                for (Counter c : counters) {
                    c.atStart = c.value.get();
                }
            }
            if (now >= windowEndNanos && coldOver) {
                cpuAtWindowEnd = ProcessCpu.seconds(options.nodePid());
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
                if (!coldOver) {
                    cold.add(h);
                }
                h.add(sinceTick);
                sinceTick.reset();
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
            long nextEdge = Math.min(nextTick, windowEndNanos);
            nextEdge = coldOver ? nextEdge : Math.min(nextEdge, coldEndNanos);
            nextEdge = started ? nextEdge : Math.min(nextEdge, windowStartNanos);
            LockSupport.parkNanos(Math.min(50_000_000L, Math.max(1_000_000L, nextEdge - now)));
        }
    }

    /** Latencies recorded inside the window, in microseconds. */
    Histogram measured() {
        return measured;
    }

    double windowSeconds() {
        return (windowEndNanos - windowStartNanos) / 1e9;
    }

    double coldSeconds() {
        return options.coldSeconds();
    }

    /** p50, p99, p99.9 and max in milliseconds of the warm window, as RESULT fields. */
    String latencyFields(String prefix) {
        return latencyFields(prefix, measured);
    }

    /** The same figures for the cold window, each field prefixed with {@code cold_}; empty without a cold window. */
    String coldLatencyFields(String prefix) {
        return options.coldSeconds() == 0 ? "" : latencyFields("cold_" + prefix, cold);
    }

    /**
     * The node's CPU seconds per million {@code records} stored, warm and cold ({@code -1} when the node's
     * pid was not given or /proc cannot be read), as RESULT fields.
     */
    String cpuFields(Counter records) {
        double warm = cpuAtWindowStart < 0 || cpuAtWindowEnd < 0 ? -1 : cpuAtWindowEnd - cpuAtWindowStart;
        String fields = String.format("node_cpu_s=%.2f cpu_s_per_m_records=%.2f", warm,
                ProcessCpu.perMillion(warm, records.inWindow()));
        if (options.coldSeconds() > 0) {
            double c = cpuAtStart < 0 || cpuAtColdEnd < 0 ? -1 : cpuAtColdEnd - cpuAtStart;
            fields += String.format(" cold_node_cpu_s=%.2f cold_cpu_s_per_m_records=%.2f", c,
                    ProcessCpu.perMillion(c, records.inCold()));
        }
        return fields;
    }

    private static String latencyFields(String prefix, Histogram h) {
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
