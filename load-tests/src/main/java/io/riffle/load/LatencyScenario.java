package io.riffle.load;

import io.riffle.client.PutRecord;
import io.riffle.client.RiffleClient;
import io.riffle.client.StartPosition;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import reactor.core.Disposable;

/**
 * End-to-end latency and fan-out: producers put records stamped with their send time at a fixed
 * {@code rate}; {@code subscribers} WebSocket subscriptions (from LATEST) record put-to-delivery latency.
 * A stream allows {@code --consumers-per-stream} consumers (the node's maxConsumersPerStream, Kinesis: 20),
 * so subscriber {@code i} reads stream {@code i / n} as consumer {@code c(i % n)}, and every record is put
 * to every stream: each subscriber should see every record.
 * Reports latency percentiles, delivered records/s, the slowest subscriber's share and the node's heap.
 */
final class LatencyScenario {
    private final LoadMain.LoadRun run;
    private final LoadOptions o;
    /** Started once the streams and subscriptions are set up, so set-up time is not measured. */
    private volatile Measurement m;
    private final Measurement.Counter sent = new Measurement.Counter("sent");
    private final Measurement.Counter stored = new Measurement.Counter("stored");
    private final Measurement.Counter failed = new Measurement.Counter("failed");
    private final Measurement.Counter delivered = new Measurement.Counter("delivered");
    private final AtomicLong maxHeapMiB = new AtomicLong(-1);

    LatencyScenario(LoadMain.LoadRun run) {
        this.run = run;
        this.o = run.options;
    }

    String run() {
        if (o.rate() <= 0) {
            throw new IllegalArgumentException("e2e and fanout need --rate");
        }
        int subscribers = Math.max(1, o.subscribers());
        int streamCount = Math.max(o.streams(), (subscribers + o.consumersPerStream() - 1) / o.consumersPerStream());
        run.createStreams(streamCount);
        for (int i = 0; i < subscribers; i++) {
            run.registerConsumer(stream(i), "c" + (i % o.consumersPerStream()));
        }
        int subscriberClients = Math.max(1, Math.min(subscribers, Runtime.getRuntime().availableProcessors()));
        List<RiffleClient> readers = new ArrayList<>();
        for (int i = 0; i < subscriberClients; i++) {
            readers.add(run.client(run.base()));
        }
        AtomicLongArray perSubscriber = new AtomicLongArray(subscribers);
        List<Disposable> subscriptions = new ArrayList<>();
        for (int i = 0; i < subscribers; i++) {
            int index = i;
            subscriptions.add(readers.get(i % subscriberClients)
                    .subscribe(stream(i), "c" + (i % o.consumersPerStream()), StartPosition.LATEST)
                    .subscribe(r -> {
                        long micros = (System.nanoTime() - Records.stamp(r.data())) / 1000;
                        m.latencyMicros.recordValue(Math.max(0, micros));
                        delivered.value.incrementAndGet();
                        perSubscriber.incrementAndGet(index);
                    }, e -> System.err.println("riffle-load: subscriber " + index + " failed: " + e)));
        }
        long expected = (long) subscribers * o.shards();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (run.liveSubscriptions() < expected && System.nanoTime() < deadline) {
            LoadMain.LoadRun.sleep(200);
        }
        System.out.println("subscriptions live on the node: " + run.liveSubscriptions() + " of " + expected);

        List<RiffleClient> producers = new ArrayList<>();
        for (int p = 0; p < o.producers(); p++) {
            producers.add(run.client(run.base()));
        }
        Records records = new Records(o.keys(), o.recordSize());
        m = new Measurement(o);
        Thread pacer = new Thread(() -> m.pace(o.rate(), o.maxRecords(), n -> {
            for (long k = 0; k < n; k++) {
                PutRecord r = records.stamped();
                RiffleClient producer = producers.get((int) (sent.value.get() % producers.size()));
                sent.value.incrementAndGet();
                for (String stream : run.streams) {
                    producer.put(stream, r).subscribe(ok -> stored.value.incrementAndGet(),
                            e -> failed.value.incrementAndGet());
                }
            }
        }), "riffle-load-pacer");
        pacer.start();
        // jcmd attaches to the node and starts a JVM of its own: only the fan-out runs, where memory is the
        // question, pay for a sample every progress line; latency runs sample once at the end
        boolean sampleHeap = o.scenario().equals("fanout") && o.nodePid() > 0;
        m.run(new Measurement.Counter[] {sent, stored, failed, delivered}, sampleHeap ? () -> {
            long heap = run.nodeHeapMiB();
            maxHeapMiB.accumulateAndGet(heap, Math::max);
            return heap;
        } : null, "node_heap_mib");
        join(pacer);
        long heapAtEnd = run.nodeHeapMiB();
        maxHeapMiB.accumulateAndGet(heapAtEnd, Math::max);
        LoadMain.LoadRun.sleep(2000); // let in-flight deliveries land before counting
        subscriptions.forEach(Disposable::dispose);

        long totalSent = sent.value.get();
        long min = Long.MAX_VALUE;
        for (int i = 0; i < subscribers; i++) {
            min = Math.min(min, perSubscriber.get(i));
        }
        double secs = m.windowSeconds();
        return String.format("rate=%d subscribers=%d streams=%d shards=%d record_size=%d sent=%d stored=%d failed=%d "
                        + "delivered_per_s=%.0f expected_delivered_per_s=%.0f min_subscriber_share=%.4f "
                        + "node_heap_mib_end=%d node_heap_mib_max=%d %s %s %s",
                o.rate(), subscribers, streamCount, o.shards(), o.recordSize(), totalSent, stored.value.get(),
                failed.value.get(), delivered.inWindow() / secs, (double) o.rate() * subscribers,
                totalSent == 0 ? 0.0 : (double) min / totalSent, heapAtEnd, maxHeapMiB.get(), m.latencyFields(""),
                m.cpuFields(stored), m.coldLatencyFields(""));
    }

    private String stream(int subscriber) {
        return run.streams.get(subscriber / o.consumersPerStream() % run.streams.size());
    }

    private static void join(Thread t) {
        try {
            t.join(120_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
