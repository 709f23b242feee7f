package io.riffle.stream;

import io.riffle.model.ShardDescription;
import io.riffle.model.ShardId;
import io.riffle.model.StreamDescription;
import io.riffle.model.StreamName;
import io.riffle.throttle.ThroughputLimits;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides when an ON_DEMAND stream splits or merges shards, from each open shard's running write totals.
 * Pure logic with explicit times (so tests drive it with any clock); owned by the control plane.
 *
 * <p>Rules (AWS documents the capacity of on-demand streams, not its algorithm; these follow the
 * documented behaviour: a new stream takes 4 shards' worth of writes, and capacity grows with the traffic
 * so writes stop being throttled, shrinking again only after a long quiet time):
 * <ul>
 *   <li>Write rates are measured per shard over windows of {@link OnDemandSettings#windowMillis()}. A shard
 *       is hot when, over its last window, records/s or bytes/s exceeded {@code scaleUpPercent} of its write
 *       limits, or any write was throttled. All hot shards split at once, each in the middle of its range
 *       (one reshard).</li>
 *   <li>A shard is cold while every window stays below {@code scaleDownPercent} of both limits. Two
 *       adjacent open shards cold for {@code scaleDownAfterMillis} merge (one pair per decision), never
 *       below {@code minShards} open shards.</li>
 *   <li>After any scaling the stream waits {@code coolDownMillis} before the next one.</li>
 * </ul>
 */
final class OnDemandScaler {
    /** One shard's totals since it opened: records and bytes written, records refused by its write limits. */
    record ShardTotals(long records, long bytes, long throttled) {
    }

    /** What to do with a stream now. */
    sealed interface Decision {
        record None() implements Decision {
        }

        record Split(List<ShardId> shards) implements Decision {
        }

        record Merge(ShardId shard, ShardId adjacent) implements Decision {
        }
    }

    private static final Decision NONE = new Decision.None();
    private final OnDemandSettings settings;
    private final Map<StreamName, StreamState> streams = new HashMap<>();

    OnDemandScaler(OnDemandSettings settings) {
        this.settings = settings;
    }

    /** Looks at the stream's open shards' totals at {@code nowMillis} and decides. */
    Decision decide(StreamDescription d, Map<ShardId, ShardTotals> totals, long nowMillis) {
        StreamState state = streams.computeIfAbsent(d.name(), n -> new StreamState(nowMillis));
        List<ShardDescription> open = d.openShards().stream()
                .sorted(Comparator.comparing(s -> s.hashKeyRange().start())).toList();
        state.shards.keySet().retainAll(open.stream().map(ShardDescription::shardId).toList());
        for (ShardDescription s : open) {
            ShardTotals now = totals.getOrDefault(s.shardId(), new ShardTotals(0, 0, 0));
            state.shards.computeIfAbsent(s.shardId(), id -> new ShardState(nowMillis, now)).observe(now, nowMillis, d.limits());
        }
        if (nowMillis - state.lastScaledMillis < settings.coolDownMillis()) {
            return NONE;
        }
        List<ShardId> hot = open.stream().map(ShardDescription::shardId).filter(id -> state.shards.get(id).hot).toList();
        if (!hot.isEmpty()) {
            return new Decision.Split(hot);
        }
        if (settings.scaleDownPercent() > 0 && open.size() > settings.minShards()) {
            for (int i = 0; i + 1 < open.size(); i++) {
                ShardState a = state.shards.get(open.get(i).shardId());
                ShardState b = state.shards.get(open.get(i + 1).shardId());
                if (a.coldFor(nowMillis) >= settings.scaleDownAfterMillis() && b.coldFor(nowMillis) >= settings.scaleDownAfterMillis()) {
                    return new Decision.Merge(open.get(i).shardId(), open.get(i + 1).shardId());
                }
            }
        }
        return NONE;
    }

    /** A scaling of the stream started at {@code nowMillis}: the cool-down starts. */
    void scaled(StreamName stream, long nowMillis) {
        streams.computeIfAbsent(stream, n -> new StreamState(nowMillis)).lastScaledMillis = nowMillis;
    }

    void forget(StreamName stream) {
        streams.remove(stream);
    }

    private static final class StreamState {
        /** Creation counts as a scaling: a new stream is not judged before its first cool-down passed. */
        long lastScaledMillis;
        final Map<ShardId, ShardState> shards = new HashMap<>();

        StreamState(long nowMillis) {
            this.lastScaledMillis = nowMillis;
        }
    }

    /** One open shard's current window and what its last full window showed. */
    private final class ShardState {
        long windowStart;
        ShardTotals atWindowStart;
        boolean hot;
        Optional<Long> coldSince = Optional.empty();

        ShardState(long nowMillis, ShardTotals totals) {
            this.windowStart = nowMillis;
            this.atWindowStart = totals;
        }

        void observe(ShardTotals now, long nowMillis, ThroughputLimits limits) {
            long elapsed = nowMillis - windowStart;
            if (elapsed < settings.windowMillis()) {
                return;
            }
            double records = (now.records() - atWindowStart.records()) * 1000.0 / elapsed;
            double bytes = (now.bytes() - atWindowStart.bytes()) * 1000.0 / elapsed;
            boolean throttled = now.throttled() > atWindowStart.throttled();
            double share = Math.max(share(records, limits.writeRecordsPerSecond()), share(bytes, limits.writeBytesPerSecond()));
            hot = throttled || share > settings.scaleUpPercent();
            if (!throttled && share < settings.scaleDownPercent()) {
                coldSince = coldSince.or(() -> Optional.of(windowStart));
            } else {
                coldSince = Optional.empty();
            }
            windowStart = nowMillis;
            atWindowStart = now;
        }

        long coldFor(long nowMillis) {
            return coldSince.map(t -> nowMillis - t).orElse(-1L);
        }

        /** The rate as a percentage of the limit; a limit of 0 (off) is never reached. */
        private static double share(double rate, long limit) {
            return limit <= 0 ? 0 : rate * 100.0 / limit;
        }
    }
}
