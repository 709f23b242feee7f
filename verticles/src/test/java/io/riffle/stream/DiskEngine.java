package io.riffle.stream;

import io.riffle.throttle.ThroughputLimits;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;

/**
 * An engine (throttling off) on a test's data directory that the test stops and starts again, as a node
 * restarts, to see what the files hold. Blocking; closing stops the engine if it runs.
 */
final class DiskEngine implements AutoCloseable {
    private final Vertx vertx;
    private final Path dataDir;
    private Engine engine;

    DiskEngine(Vertx vertx, Path dataDir) {
        this.vertx = vertx;
        this.dataDir = dataDir;
    }

    /** Starts the engine with this stream transition time and returns its client. */
    StreamClient start(long transitionMillis) {
        return start(EngineConfig.defaults(dataDir).withTransitionMillis(transitionMillis));
    }

    /** Starts the engine on this clock (retention, arrival times) and returns its client. */
    StreamClient start(Clock clock) {
        return start(EngineConfig.defaults(dataDir).withClock(clock));
    }

    private StreamClient start(EngineConfig config) {
        engine = io.riffle.testing.Futures.await(Engine.start(vertx, config.withLimits(ThroughputLimits.OFF)));
        return engine.client();
    }

    StreamClient start() {
        return start(EngineConfig.DEFAULT_TRANSITION_MILLIS);
    }

    void stop() {
        io.riffle.testing.Futures.await(stopAsync());
    }

    /** Starts stopping the engine; the test bounds the wait itself. */
    io.vertx.core.Future<Void> stopAsync() {
        io.vertx.core.Future<Void> stopped = engine.stop();
        engine = null;
        return stopped;
    }

    StreamClient restart() {
        stop();
        return start();
    }

    StreamClient client() {
        return engine.client();
    }

    boolean running() {
        return engine != null;
    }

    @Override
    public void close() {
        if (engine != null) {
            stop();
        }
    }
}
