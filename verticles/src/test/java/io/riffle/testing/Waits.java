package io.riffle.testing;

import java.util.concurrent.TimeUnit;

/** Polling for a condition that the system under test reaches on its own threads. */
public final class Waits {
    private Waits() {
    }

    /** A condition to poll; may throw (a failed look-up counts as a failure of the test). */
    public interface Check {
        boolean ok() throws Exception;
    }

    /** Polls {@code check} every 20 ms until it holds; fails after 10 s. */
    public static void waitUntil(Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(20);
        }
    }
}
