package io.riffle.load;

import io.riffle.client.PutRecord;
import io.riffle.client.RiffleClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Puts to one stream at a rate that may change while it runs: every 100 ms a tenth of the rate, in
 * {@code putAll} calls of at most 500 records, round-robin over clients without retries (so a throttled
 * record counts as throttled, not retried). Counts accepted and throttled records; bounded by a record cap.
 */
final class PacedPuts implements AutoCloseable {
    final AtomicLong accepted = new AtomicLong();
    final AtomicLong throttled = new AtomicLong();
    private final List<RiffleClient> clients;
    private final String stream;
    private final Records records;
    private final long maxRecords;
    private final Thread thread;
    private volatile long rate;
    private volatile boolean stopped;

    PacedPuts(List<RiffleClient> clients, String stream, Records records, long rate, long maxRecords) {
        this.clients = clients;
        this.stream = stream;
        this.records = records;
        this.rate = rate;
        this.maxRecords = maxRecords;
        this.thread = new Thread(this::loop, "riffle-load-paced");
        thread.setDaemon(true);
        thread.start();
    }

    void rate(long recordsPerSecond) {
        this.rate = recordsPerSecond;
    }

    private void loop() {
        long sent = 0;
        long next = System.nanoTime();
        int c = 0;
        while (!stopped && sent < maxRecords) {
            long tick = rate / 10;
            for (long done = 0; done < tick; done += 500) {
                List<PutRecord> batch = new ArrayList<>();
                for (long i = done; i < Math.min(tick, done + 500); i++) {
                    batch.add(records.stamped());
                }
                sent += batch.size();
                clients.get(c++ % clients.size()).putAll(stream, batch).subscribe(r -> {
                    int failed = r.failedRecordCount();
                    throttled.addAndGet(failed);
                    accepted.addAndGet(batch.size() - failed);
                }, e -> throttled.addAndGet(batch.size()));
            }
            next += 100_000_000L;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LoadMain.LoadRun.sleep(wait / 1_000_000);
            }
        }
    }

    @Override
    public void close() {
        stopped = true;
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
