package io.riffle.stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.riffle.model.ShardDescription;
import io.riffle.model.ShardId;
import io.riffle.model.StreamDescription;
import io.riffle.model.StreamName;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's side of ON_DEMAND scaling: feeds the {@link OnDemandScaler} the shards' write totals
 * from the node's metrics (the counters each shard verticle keeps) and counts the scalings it starts, as
 * {@code riffle_stream_ondemand_scalings_total{stream,direction}}. Only shards running on this node are
 * seen, which on a single node is all of them. Used on the control plane's context only.
 */
final class OnDemandScaling {
    private static final Logger LOG = LoggerFactory.getLogger(OnDemandScaling.class);
    private final OnDemandScaler scaler;
    private final MeterRegistry metrics;

    OnDemandScaling(OnDemandSettings settings, MeterRegistry metrics) {
        this.scaler = new OnDemandScaler(settings);
        this.metrics = metrics;
    }

    private OnDemandScaler.Decision decide(StreamDescription d, long nowMillis) {
        Map<ShardId, OnDemandScaler.ShardTotals> totals = new HashMap<>();
        for (ShardDescription s : d.openShards()) {
            totals.put(s.shardId(), new OnDemandScaler.ShardTotals(count("riffle.shard.incoming.records", d.name(), s.shardId()),
                    count("riffle.shard.incoming.bytes", d.name(), s.shardId()), count("riffle.shard.throttled.puts", d.name(), s.shardId())));
        }
        return scaler.decide(d, totals, nowMillis);
    }

    /**
     * The reshard the stream needs now, if any, as a planner over the description current when it runs;
     * the cool-down starts and the scaling is counted.
     */
    Optional<Function<StreamDescription, Resharding.Plan>> next(StreamDescription d, long nowMillis) {
        OnDemandScaler.Decision decision = decide(d, nowMillis);
        Function<StreamDescription, Resharding.Plan> planner;
        String direction;
        if (decision instanceof OnDemandScaler.Decision.Split split) {
            planner = x -> Resharding.splitInHalves(x, split.shards(), nowMillis);
            direction = "up";
        } else if (decision instanceof OnDemandScaler.Decision.Merge merge) {
            planner = x -> Resharding.merge(x, merge.shard(), merge.adjacent(), nowMillis);
            direction = "down";
        } else {
            return Optional.empty();
        }
        LOG.info("ON_DEMAND stream {} scales {}: {}", d.name(), direction, decision);
        scaled(d.name(), direction, nowMillis);
        return Optional.of(planner);
    }

    /** A scaling in {@code direction} ("up" or "down") started. */
    private void scaled(StreamName stream, String direction, long nowMillis) {
        scaler.scaled(stream, nowMillis);
        Counter.builder("riffle.stream.ondemand.scalings").tags("stream", stream.value(), "direction", direction)
                .description("Reshards an ON_DEMAND stream started by itself").register(metrics).increment();
    }

    void forget(StreamName stream) {
        scaler.forget(stream);
    }

    private long count(String name, StreamName stream, ShardId shard) {
        Counter c = metrics.find(name).tags("stream", stream.value(), "shard", shard.toString()).counter();
        return c == null ? 0 : (long) c.count();
    }
}
