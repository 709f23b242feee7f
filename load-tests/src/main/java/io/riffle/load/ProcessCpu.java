package io.riffle.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CPU time a local process has used so far, user plus system, from {@code /proc/<pid>/stat} (fields 14
 * and 15, in clock ticks). Linux only; elsewhere, or without a pid, it reads as unknown.
 */
final class ProcessCpu {
    /** USER_HZ: the unit of /proc's times. 100 on every Linux architecture the project runs on. */
    private static final double TICKS_PER_SECOND = 100.0;

    private ProcessCpu() {
    }

    /** CPU seconds used by {@code pid} since it started, or -1 when unknown. */
    static double seconds(long pid) {
        if (pid <= 0) {
            return -1;
        }
        try {
            return parse(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** User plus system CPU seconds from the text of a {@code /proc/<pid>/stat} file. */
    static double parse(String stat) {
        // The command name (field 2) is in parentheses and may hold spaces and ')': count fields after the last ')'.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // f[0] is field 3 (state), so utime (14) and stime (15) are f[11] and f[12].
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
    }

    /** CPU seconds per million records, or -1 when either figure is unknown or nothing was stored. */
    static double perMillion(double cpuSeconds, long records) {
        return cpuSeconds < 0 || records <= 0 ? -1 : cpuSeconds / (records / 1e6);
    }
}
