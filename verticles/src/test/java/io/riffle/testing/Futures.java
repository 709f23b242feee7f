package io.riffle.testing;

import io.vertx.core.Future;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Blocking waits for tests that drive Vert.x from the JUnit thread. */
public final class Futures {
    private Futures() {
    }

    /**
     * Waits up to 30 s for {@code f}; a failure is rethrown as the original RuntimeException (so tests can
     * assert on a RiffleException's code), anything else wrapped.
     */
    public static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new RuntimeException(e.getCause());
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }
}
