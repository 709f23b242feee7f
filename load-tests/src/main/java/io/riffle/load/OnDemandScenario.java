package io.riffle.load;

import io.riffle.client.RiffleClient;
import io.riffle.client.StreamSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How long an ON_DEMAND stream takes to absorb a step in load: producers put at {@code --rate} for the
 * warm-up (at least the node's onDemandCoolDownMillis, or the new stream is not scaled yet), then at
 * {@code --step-rate}. Each second the throttled records and open shards are counted; the stream has absorbed
 * the step once it grew and then three seconds in a row throttled nothing. Reports the seconds from the step
 * to its first scaling and to the first of those quiet seconds, and the open shards before and after.
 */
final class OnDemandScenario {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private final LoadMain.LoadRun run;
    private final LoadOptions o;

    OnDemandScenario(LoadMain.LoadRun run) {
        this.run = run;
        this.o = run.options;
    }

    String run() {
        String stream = run.prefix + "-ondemand";
        run.admin.createStream(new StreamSpec(stream, 4, 24, "ON_DEMAND", Optional.empty(), Optional.empty())).block(TIMEOUT);
        run.streams.add(stream);
        List<RiffleClient> producers = new ArrayList<>();
        for (int p = 0; p < o.producers(); p++) {
            producers.add(run.client(run.base().withMaxAttempts(1)));
        }
        try (PacedPuts puts = new PacedPuts(producers, stream, new Records(o.keys(), o.recordSize()), o.rate(), o.maxRecords())) {
            LoadMain.LoadRun.sleep(o.warmupSeconds() * 1000L);
            int shardsBefore = openShards(stream);
            long throttledBefore = puts.throttled.get();
            puts.rate(o.stepRate());
            long last = puts.throttled.get();
            int quiet = 0;
            int scaledAt = -1;
            int absorbedAt = -1;
            long throttledInStep = 0;
            for (int second = 1; second <= o.durationSeconds(); second++) {
                LoadMain.LoadRun.sleep(1000);
                long now = puts.throttled.get();
                long inSecond = now - last;
                last = now;
                throttledInStep += inSecond;
                int open = openShards(stream);
                if (scaledAt < 0 && open > shardsBefore) {
                    scaledAt = second;
                }
                // The shards' buckets hold a second's worth, so a step is not throttled at once: the stream has
                // absorbed it once it grew and then throttled nothing for three seconds in a row.
                quiet = inSecond == 0 ? quiet + 1 : 0;
                System.out.printf("t+%ds: throttled %d, open shards %d%n", second, inSecond, open);
                if (scaledAt > 0 && quiet == 3) {
                    absorbedAt = Math.max(scaledAt, second - 2);
                    break;
                }
            }
            return String.format("from_per_s=%d to_per_s=%d throttled_before_step=%d scaled_after_s=%d absorbed_after_s=%d throttled_in_step=%d"
                            + " shards_before=%d shards_after=%d accepted=%d",
                    o.rate(), o.stepRate(), throttledBefore, scaledAt, absorbedAt, throttledInStep, shardsBefore, openShards(stream),
                    puts.accepted.get());
        }
    }

    /** Open shards, from the native description (closed ones have an ending sequence number). */
    private int openShards(String stream) {
        return run.admin.describeStream(stream).block(TIMEOUT).openShardCount();
    }
}
