package io.riffle.gateway.tcp;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many TCP connections a node accepts, counted over all its listening sockets and event loops (one
 * instance per node, thread-safe). Up to {@code max} are served normally; the next {@link #RESERVE} are
 * kept for health probes ({@code GET /health}) and live a few seconds at most; beyond those a connection
 * is closed as soon as it is accepted, so a flood cannot use up the process's file descriptors.
 */
public final class ConnectionLimit implements MeterBinder {
    /** Connections above {@code max} kept so a monitoring probe still gets an answer at the limit. */
    public static final int RESERVE = 8;
    /** The default when the file descriptor limit allows it. */
    public static final int DEFAULT_MAX = 10_000;

    /** What an accepted connection may do. */
    public enum Admission {
        /** Served normally. */
        SERVED,
        /** Over the limit but within the reserve: health probes only, then closed. */
        HEALTH_ONLY,
        /** Closed at once. */
        REFUSED
    }

    private final int max;
    private final AtomicInteger open = new AtomicInteger();
    private final LongAdder refused = new LongAdder();

    public ConnectionLimit(int max) {
        this.max = max;
    }

    /** Counts a new connection and says what it may do; every call is balanced by one {@link #release()}. */
    public Admission admit() {
        int n = open.incrementAndGet();
        if (n > max + RESERVE) {
            refused.increment();
            return Admission.REFUSED;
        }
        return n <= max ? Admission.SERVED : Admission.HEALTH_ONLY;
    }

    /** {@code riffle_connections_open} and {@code riffle_connections_refused_total}. */
    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("riffle.connections.open", open, AtomicInteger::get)
                .description("TCP connections open on the node, over all its ports").register(registry);
        Gauge.builder("riffle.connections.max", () -> max).description("The maxConnections setting").register(registry);
        FunctionCounter.builder("riffle.connections.refused", refused, LongAdder::sum)
                .description("Connections closed at accept, beyond maxConnections and its reserve").register(registry);
    }

    public void release() {
        open.decrementAndGet();
    }

    public int max() {
        return max;
    }

    /** Connections open now (including refused ones not yet released). */
    public int open() {
        return open.get();
    }

    /** The file descriptors this process may open, or {@code Long.MAX_VALUE} where the JVM cannot tell. */
    public static long fileDescriptorLimit() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix
                ? unix.getMaxFileDescriptorCount() : Long.MAX_VALUE;
    }

    /**
     * The most connections {@code fdLimit} descriptors can carry while leaving headroom (a quarter, at least
     * 256) for shard logs, indexes and the JVM itself.
     */
    public static long mostFor(long fdLimit) {
        return fdLimit - Math.max(256, fdLimit / 4) - RESERVE;
    }

    /** The default: {@link #DEFAULT_MAX}, or less when the file descriptor limit is lower. */
    public static int defaultFor(long fdLimit) {
        return (int) Math.max(16, Math.min(DEFAULT_MAX, mostFor(fdLimit)));
    }
}
