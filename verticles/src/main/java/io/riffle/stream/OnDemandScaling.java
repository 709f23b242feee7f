package io.riffle.stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.riffle.bus.Addresses;
import io.riffle.model.ShardId;
import io.riffle.model.StreamDescription;
import io.riffle.model.StreamName;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's side of ON_DEMAND scaling: feeds the {@link OnDemandScaler} the shards' write totals
 * (the counters each shard's leader keeps, asked for over the event bus, so in a cluster too) and counts the
 * scalings it starts, as {@code riffle_stream_ondemand_scalings_total{stream,direction}}. Used on the
 * control plane's context only.
 */
final class OnDemandScaling {
    private static final Logger LOG = LoggerFactory.getLogger(OnDemandScaling.class);
    private static final long STATUS_TIMEOUT_MILLIS = 2_000;
    private final OnDemandScaler scaler;
    private final MeterRegistry metrics;

    OnDemandScaling(OnDemandSettings settings, MeterRegistry metrics) {
        this.scaler = new OnDemandScaler(settings);
        this.metrics = metrics;
    }

    /**
     * Each open shard's write totals, as its leader reports them (on whichever node it runs); fails if a
     * shard does not answer, so no decision is made on a partial view.
     */
    static Future<Map<ShardId, OnDemandScaler.ShardTotals>> totals(Vertx vertx, StreamDescription d) {
        DeliveryOptions options = new DeliveryOptions().setSendTimeout(STATUS_TIMEOUT_MILLIS);
        Map<ShardId, OnDemandScaler.ShardTotals> totals = new HashMap<>();
        return Future.all(d.openShards().stream().map(s -> vertx.eventBus().<JsonObject>request(
                Addresses.shardStatus(d.name(), s.shardId()), new JsonObject(), options).onSuccess(m -> {
                    JsonObject w = m.body().getJsonObject("written");
                    totals.put(s.shardId(), new OnDemandScaler.ShardTotals(w.getLong("records"), w.getLong("bytes"), w.getLong("throttled")));
                })).toList()).map(v -> totals);
    }

    /**
     * The reshard the stream needs now, if any, as a planner over the description current when it runs;
     * the cool-down starts and the scaling is counted.
     */
    Optional<Function<StreamDescription, Resharding.Plan>> next(StreamDescription d, Map<ShardId, OnDemandScaler.ShardTotals> totals,
                                                                long nowMillis) {
        OnDemandScaler.Decision decision = scaler.decide(d, totals, nowMillis);
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

}
