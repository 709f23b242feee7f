package io.riffle.load;

import io.riffle.client.RiffleClient;
import java.util.ArrayList;
import java.util.List;

/**
 * Throttling accuracy: producers put at {@code rate} (say 3x the node's per-shard limit) without retries,
 * and the accepted rate inside the window is compared with {@code limit * shards}. The warm-up drains any
 * burst the node's token buckets allow at the start.
 */
final class ThrottleScenario {
    private final LoadMain.LoadRun run;
    private final LoadOptions o;
    /** Started once the streams and subscriptions are set up, so set-up time is not measured. */
    private volatile Measurement m;
    private final Measurement.Counter sent = new Measurement.Counter("sent");
    private final Measurement.Counter accepted = new Measurement.Counter("accepted");
    private final Measurement.Counter throttled = new Measurement.Counter("throttled");

    ThrottleScenario(LoadMain.LoadRun run) {
        this.run = run;
        this.o = run.options;
    }

    String run() {
        if (o.rate() <= 0) {
            throw new IllegalArgumentException("throttle needs --rate (for example 3x --limit)");
        }
        run.createStreams(1);
        String stream = run.streams.get(0);
        List<RiffleClient> producers = new ArrayList<>();
        for (int p = 0; p < o.producers(); p++) {
            producers.add(run.client(run.base().withMaxAttempts(1)));
        }
        Records records = new Records(o.keys(), o.recordSize());
        m = new Measurement(o);
        Thread pacer = new Thread(() -> m.pace(o.rate(), o.maxRecords(), n -> {
            for (long k = 0; k < n; k++) {
                long i = sent.value.getAndIncrement();
                long t0 = System.nanoTime();
                producers.get((int) (i % producers.size())).put(stream, records.stamped()).subscribe(ok -> {
                    m.latencyMicros.recordValue((System.nanoTime() - t0) / 1000);
                    accepted.value.incrementAndGet();
                }, e -> throttled.value.incrementAndGet());
            }
        }), "riffle-load-pacer");
        pacer.start();
        m.run(new Measurement.Counter[] {sent, accepted, throttled}, null, null);
        try {
            pacer.join(120_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        double secs = m.windowSeconds();
        double acceptedRate = accepted.inWindow() / secs;
        double limit = (double) o.limit() * o.shards();
        return String.format("offered_per_s=%.0f accepted_per_s=%.1f limit_per_s=%.0f error_pct=%.2f throttled_per_s=%.0f %s",
                sent.inWindow() / secs, acceptedRate, limit, (acceptedRate - limit) / limit * 100,
                throttled.inWindow() / secs, m.latencyFields("put_"));
    }
}
