package io.riffle.stream;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.riffle.log.LogConfig;
import io.riffle.log.crypto.Keyring;
import io.riffle.shard.LogPools;
import io.riffle.throttle.ThroughputLimits;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * Everything the engine needs to start on one node.
 *
 * @param dataDir        where stream metadata and shard logs live
 * @param log            segment size, fsync policy and so on, for every shard log
 * @param defaultLimits  per-shard throughput limits for streams that do not set their own
 * @param maxShards      the most shards this node holds in all (Kinesis's account limit analogue)
 * @param maxConsumersPerStream enhanced fan-out consumers a stream may register (Kinesis: 20)
 * @param clock          time source; tests inject a movable one
 * @param metrics        where the engine records per stream and shard metrics
 * @param pools          sizes of the worker pools for log writes and reads
 * @param transitionMillis how long a new stream stays CREATING and a deleted one DELETING, at least
 *                       (Kinesis takes seconds; clients wait for ACTIVE); 0 .. {@link #MAX_TRANSITION_MILLIS}
 * @param onDemand       how ON_DEMAND streams scale
 * @param keyring        the master keys of encrypted streams (the node's keyring file; asked on every use so
 *                       a reloaded file takes effect)
 */
public record EngineConfig(Path dataDir, LogConfig log, ThroughputLimits defaultLimits, int maxShards,
                           int maxConsumersPerStream, Clock clock, MeterRegistry metrics, LogPools pools,
                           long transitionMillis, OnDemandSettings onDemand, Supplier<Keyring> keyring) {
    public static final long DEFAULT_TRANSITION_MILLIS = 50;
    public static final long MAX_TRANSITION_MILLIS = 60_000;

    public EngineConfig {
        if (transitionMillis < 0 || transitionMillis > MAX_TRANSITION_MILLIS) {
            throw new IllegalArgumentException("transitionMillis must be within 0.." + MAX_TRANSITION_MILLIS + ": " + transitionMillis);
        }
    }

    /** A configuration with the default on-demand scaling. */
    public EngineConfig(Path dataDir, LogConfig log, ThroughputLimits defaultLimits, int maxShards, int maxConsumersPerStream,
                        Clock clock, MeterRegistry metrics, LogPools pools, long transitionMillis) {
        this(dataDir, log, defaultLimits, maxShards, maxConsumersPerStream, clock, metrics, pools, transitionMillis,
                OnDemandSettings.DEFAULTS, Keyring::empty);
    }

    public static EngineConfig defaults(Path dataDir) {
        return new EngineConfig(dataDir, LogConfig.defaults(), ThroughputLimits.KINESIS, 1000,
                io.riffle.model.Limits.CONSUMERS_PER_STREAM, Clock.systemUTC(), new SimpleMeterRegistry(),
                LogPools.defaults(), DEFAULT_TRANSITION_MILLIS);
    }

    public EngineConfig withPools(LogPools p) {
        return new EngineConfig(dataDir, log, defaultLimits, maxShards, maxConsumersPerStream, clock, metrics, p, transitionMillis, onDemand, keyring);
    }

    public EngineConfig withLimits(ThroughputLimits limits) {
        return new EngineConfig(dataDir, log, limits, maxShards, maxConsumersPerStream, clock, metrics, pools, transitionMillis, onDemand, keyring);
    }

    public EngineConfig withLog(LogConfig logConfig) {
        return new EngineConfig(dataDir, logConfig, defaultLimits, maxShards, maxConsumersPerStream, clock, metrics, pools, transitionMillis, onDemand, keyring);
    }

    public EngineConfig withMaxConsumersPerStream(int n) {
        return new EngineConfig(dataDir, log, defaultLimits, maxShards, n, clock, metrics, pools, transitionMillis, onDemand, keyring);
    }

    public EngineConfig withClock(Clock c) {
        return new EngineConfig(dataDir, log, defaultLimits, maxShards, maxConsumersPerStream, c, metrics, pools, transitionMillis, onDemand, keyring);
    }

    public EngineConfig withMetrics(MeterRegistry registry) {
        return new EngineConfig(dataDir, log, defaultLimits, maxShards, maxConsumersPerStream, clock, registry, pools, transitionMillis, onDemand, keyring);
    }

    public EngineConfig withTransitionMillis(long millis) {
        return new EngineConfig(dataDir, log, defaultLimits, maxShards, maxConsumersPerStream, clock, metrics, pools, millis, onDemand, keyring);
    }

    public EngineConfig withOnDemand(OnDemandSettings settings) {
        return new EngineConfig(dataDir, log, defaultLimits, maxShards, maxConsumersPerStream, clock, metrics, pools,
                transitionMillis, settings, keyring);
    }

    public EngineConfig withKeyring(Supplier<Keyring> k) {
        return new EngineConfig(dataDir, log, defaultLimits, maxShards, maxConsumersPerStream, clock, metrics, pools,
                transitionMillis, onDemand, k);
    }
}
