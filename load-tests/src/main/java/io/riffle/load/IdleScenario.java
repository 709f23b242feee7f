package io.riffle.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code --scenario idle}: creates {@code streams} x {@code shards} shards, sends nothing, and samples the
 * node's resident set size ({@code VmRSS} in {@code /proc/<node-pid>/status}) once a second for the
 * measured duration, after the warm-up. What an idle shard costs the node in memory, direct buffers
 * included (the heap figure alone would not show them).
 */
final class IdleScenario {
    private final LoadMain.LoadRun run;

    IdleScenario(LoadMain.LoadRun run) {
        this.run = run;
    }

    String run() {
        LoadOptions o = run.options;
        if (o.nodePid() <= 0) {
            throw new IllegalArgumentException("--scenario idle needs --node-pid");
        }
        long rssBefore = rssBytes(o.nodePid());
        run.createStreams(o.streams());
        int shards = o.streams() * o.shards();
        System.out.println("created " + shards + " shards; settling for " + o.warmupSeconds() + " s");
        LoadMain.LoadRun.sleep(o.warmupSeconds() * 1000L);
        long max = 0;
        long last = 0;
        for (int s = 0; s < o.durationSeconds(); s++) {
            last = rssBytes(o.nodePid());
            max = Math.max(max, last);
            if (s % o.progressSeconds() == 0) {
                System.out.println("rss " + last / (1 << 20) + " MiB");
            }
            LoadMain.LoadRun.sleep(1000);
        }
        return "shards=" + shards + " rssBeforeMiB=" + rssBefore / (1 << 20) + " rssMiB=" + last / (1 << 20)
                + " rssMaxMiB=" + max / (1 << 20) + " heapUsedMiB=" + run.nodeHeapMiB();
    }

    /** VmRSS of a local process in bytes. */
    static long rssBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
            throw new IllegalStateException("no VmRSS in /proc/" + pid + "/status");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/" + pid + "/status: " + e.getMessage(), e);
        }
    }
}
