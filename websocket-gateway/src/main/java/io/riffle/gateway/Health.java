package io.riffle.gateway;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.riffle.bus.Addresses;
import io.riffle.stream.ShardWriteHealth;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The node's health as {@code GET /health} reports it: its lifecycle, written by the node, and the shards
 * whose writes are failing, learnt from their {@link Addresses#shardHealthChanged()} events. The one owner
 * of that state; every gateway verticle reads it (snapshots in volatile fields, so any thread may).
 */
public final class Health implements MeterBinder {
    /** Where the node is in its life. */
    public enum State {
        STARTING, UP, STOPPING
    }

    /** Shards named in full in a degraded reason; more are counted. */
    private static final int NAMED_SHARDS = 5;

    private volatile State state = State.STARTING;
    /** Shard name to why its writes fail; replaced whole on every change (copy on write). */
    private volatile SortedMap<String, String> failingWrites = Collections.emptySortedMap();
    private volatile Runnable changed = () -> { };

    public State state() {
        return state;
    }

    public void set(State s) {
        state = s;
        changed.run();
    }

    /** Hears every change of the state or of the failing shards (on any thread): the cluster view follows it. */
    public void onChange(Runnable listener) {
        changed = listener;
    }

    /** {@code riffle_shards_failing_writes}: how many shards' writes fail now (non-zero while DEGRADED). */
    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("riffle.shards.failing.writes", this, h -> h.failingWrites.size())
                .description("Shards whose writes are failing (the node's /health is DEGRADED while non-zero)")
                .register(registry);
    }

    /** Starts following the shards' write health; completes once registered. */
    public Future<Void> listen(EventBus bus) {
        return bus.<JsonObject>consumer(Addresses.shardHealthChanged(), m -> update(ShardWriteHealth.fromJson(m.body())))
                .completion();
    }

    private void update(ShardWriteHealth h) {
        SortedMap<String, String> next = new TreeMap<>(failingWrites);
        if (h.failing()) {
            next.put(h.shardName(), h.reason());
        } else {
            next.remove(h.shardName());
        }
        boolean before = failingWrites.containsKey(h.shardName());
        failingWrites = Collections.unmodifiableSortedMap(next);
        if (before != h.failing()) {
            changed.run();
        }
    }

    /**
     * The answer to {@code GET /health}: 200 {@code {"status":"UP"}} only while the node is up, not
     * draining and every shard can write; else 503 with the lifecycle status, or {@code DEGRADED} and a
     * {@code reason} naming the failing shards and the OS error (never a file).
     *
     * @param draining whether the asking gateway verticle is stopping
     */
    public Report report(boolean draining) {
        State s = draining ? State.STOPPING : state;
        Map<String, String> failing = failingWrites;
        if (s != State.UP) {
            return new Report(503, new JsonObject().put("status", s.name()));
        }
        if (failing.isEmpty()) {
            return new Report(200, new JsonObject().put("status", s.name()));
        }
        String named = failing.entrySet().stream().limit(NAMED_SHARDS)
                .map(e -> e.getKey() + " (" + e.getValue() + ")").collect(Collectors.joining(", "));
        int more = failing.size() - NAMED_SHARDS;
        String reason = "writes to " + failing.size() + (failing.size() == 1 ? " shard are" : " shards are")
                + " failing: " + named + (more > 0 ? " and " + more + " more" : "");
        return new Report(503, new JsonObject().put("status", "DEGRADED").put("reason", reason));
    }

    /** A health answer: its HTTP status and JSON body. */
    public record Report(int httpStatus, JsonObject body) {
    }
}
