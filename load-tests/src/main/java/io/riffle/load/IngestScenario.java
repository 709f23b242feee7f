package io.riffle.load;

import io.riffle.client.PutBatchResult;
import io.riffle.client.PutRecord;
import io.riffle.client.RiffleClient;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ingest throughput: each producer keeps {@code window} putAll calls of {@code batch} records in flight,
 * as fast as the node answers (run the node with {@code --throttling false}), optionally paced to
 * {@code rate}. Reports stored records/s and MB/s inside the window and putAll call latency.
 */
final class IngestScenario {
    private final LoadMain.LoadRun run;
    private final LoadOptions o;
    /** Started once the streams and subscriptions are set up, so set-up time is not measured. */
    private volatile Measurement m;
    private final Measurement.Counter stored = new Measurement.Counter("stored");
    private final Measurement.Counter failed = new Measurement.Counter("failed");
    private final AtomicLong started = new AtomicLong();

    IngestScenario(LoadMain.LoadRun run) {
        this.run = run;
        this.o = run.options;
    }

    String run() {
        run.createStreams(o.streams());
        List<List<PutRecord>> batches = new Records(o.keys(), o.recordSize()).batches(64, o.batch());
        int chains = o.producers() * o.window();
        CountDownLatch done = new CountDownLatch(chains);
        m = new Measurement(o);
        for (int p = 0; p < o.producers(); p++) {
            // limits are off in this scenario, so several records of a key may share a request
            RiffleClient client = run.client(run.base().withMaxRecordsPerKeyPerRequest(500)
                    .withMaxInFlightRequests(o.window()));
            for (int w = 0; w < o.window(); w++) {
                int chain = p * o.window() + w;
                next(client, batches, chain, done);
            }
        }
        m.run(new Measurement.Counter[] {stored, failed}, null, null);
        try {
            if (!done.await(30, TimeUnit.SECONDS)) {
                System.err.println("riffle-load: some putAll calls did not finish within 30 s after the run");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        double secs = m.windowSeconds();
        double rate = stored.inWindow() / secs;
        long billed = (long) o.recordSize() + 5; // data plus a typical key "k1234"
        String cold = o.coldSeconds() == 0 ? "" : String.format(" cold_records_per_s=%.0f cold_failed=%d %s",
                stored.inCold() / m.coldSeconds(), failed.inCold(), m.coldLatencyFields("call_"));
        return String.format("records_per_s=%.0f mb_per_s=%.2f failed=%d record_size=%d producers=%d window=%d batch=%d shards=%d %s %s%s",
                rate, rate * billed / 1e6, failed.inWindow(), o.recordSize(), o.producers(), o.window(), o.batch(),
                o.shards() * o.streams(), m.latencyFields("call_"), m.cpuFields(stored), cold);
    }

    /** One chain: a putAll, then the next when it completes, until the window ends or the cap is hit. */
    private void next(RiffleClient client, List<List<PutRecord>> batches, int chain, CountDownLatch done) {
        long n = started.getAndAdd(o.batch());
        if (m.over() || n >= o.maxRecords()) {
            done.countDown();
            return;
        }
        if (o.rate() > 0) {
            long dueAtNanos = m.startNanos + (long) (n * 1e9 / o.rate());
            long wait = dueAtNanos - System.nanoTime();
            if (wait > 1_000_000) {
                started.addAndGet(-o.batch());
                run.vertx.setTimer(wait / 1_000_000, id -> next(client, batches, chain, done));
                return;
            }
        }
        String stream = run.streams.get(chain % run.streams.size());
        List<PutRecord> batch = batches.get((int) ((n / o.batch()) % batches.size()));
        long t0 = System.nanoTime();
        client.putAll(stream, batch).subscribe((PutBatchResult r) -> {
            m.latencyMicros.recordValue((System.nanoTime() - t0) / 1000);
            int bad = r.failedRecordCount();
            stored.value.addAndGet(r.results().size() - bad);
            failed.value.addAndGet(bad);
            next(client, batches, chain, done);
        }, e -> {
            failed.value.addAndGet(batch.size());
            next(client, batches, chain, done);
        });
    }
}
