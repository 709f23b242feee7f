package io.riffle.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Samples a local JVM's used heap with {@code jcmd PID GC.heap_info}: the sum of the "used" figures of the
 * heap's generations (Parallel, Serial) or of the whole G1 heap. The node exposes no JVM metrics, so this is
 * how the fan-out scenario reports its memory.
 */
final class NodeHeap {
    private static final Pattern GENERATION =
            Pattern.compile("^\\s*(PSYoungGen|ParOldGen|def new generation|tenured generation|garbage-first heap)\\s+total \\d+K, used (\\d+)K",
                    Pattern.MULTILINE);

    private NodeHeap() {
    }

    /** Used heap in bytes, or -1 when jcmd fails or prints nothing recognisable. */
    static long usedBytes(long pid) {
        try {
            Process p = new ProcessBuilder("jcmd", Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            Matcher m = GENERATION.matcher(out);
            long kib = 0;
            boolean found = false;
            while (m.find()) {
                kib += Long.parseLong(m.group(2));
                found = true;
            }
            return found ? kib * 1024 : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
