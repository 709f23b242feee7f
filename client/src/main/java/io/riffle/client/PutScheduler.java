package io.riffle.client;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * Decides which records go into the next put request of one stream, and what happens to each record's
 * outcome. Pure logic over a caller-supplied time in milliseconds, with no Vert.x: the caller owns the
 * thread (one event loop context) and the clock.
 *
 * <p>Ordering per partition key: each key has a FIFO queue, and a key with records in flight is never
 * picked again until all of them are answered. A throttled record goes back to the FRONT of its key's
 * queue and the whole key waits out the backoff, so no later record of the same key can overtake it.
 * One request carries at most {@code maxPerKey} records of a key, contiguous and in order. More than one
 * is safe because Riffle's shard engine refuses a request's records of one shard as a suffix (once one is
 * refused, all later ones are), so no stored record follows a refused one of its key.
 *
 * <p>Requests respect the API limits: at most {@code maxRecords} records and {@code maxBytes} billed
 * bytes (partition keys plus data); a record larger than {@code maxBytes} travels alone, and the node
 * refuses it.
 */
final class PutScheduler {
    private final int maxRecords;
    private final long maxBytes;
    private final int maxPerKey;
    private final int maxAttempts;
    private final Backoff backoff;
    private final Map<String, KeyQueue> keys = new HashMap<>();
    private final ArrayDeque<KeyQueue> ready = new ArrayDeque<>();
    private final PriorityQueue<KeyQueue> waiting =
            new PriorityQueue<>((a, b) -> Long.compare(a.notBefore, b.notBefore));
    private int buffered;

    PutScheduler(int maxRecords, long maxBytes, int maxPerKey, int maxAttempts, Backoff backoff) {
        if (maxRecords < 1 || maxBytes < 1 || maxPerKey < 1 || maxAttempts < 1) {
            throw new IllegalArgumentException("maxRecords, maxBytes, maxPerKey and maxAttempts must be positive");
        }
        this.maxRecords = maxRecords;
        this.maxBytes = maxBytes;
        this.maxPerKey = maxPerKey;
        this.maxAttempts = maxAttempts;
        this.backoff = backoff;
    }

    /** A record waiting for, or travelling in, a request; completed exactly once. */
    static final class Entry {
        final PutRecord record;
        final int billedBytes;
        private final Consumer<PutRecordResult> done;
        int attempts;

        Entry(PutRecord record, Consumer<PutRecordResult> done) {
            this.record = record;
            this.billedBytes = record.billedBytes();
            this.done = done;
        }

        /** Completes a record the scheduler never took (refused before queueing). */
        void fail(RiffleException error) {
            done.accept(PutFailure.of(error, attempts));
        }
    }

    private static final class KeyQueue {
        final String key;
        final ArrayDeque<Entry> entries = new ArrayDeque<>();
        /** Records of the in-flight request that must be retried, in request order. */
        final List<Entry> retries = new ArrayList<>();
        int inFlight;
        long notBefore;
        boolean scheduled;

        KeyQueue(String key) {
            this.key = key;
        }
    }

    /** Records handed to the scheduler and not yet answered (queued, waiting or in flight). */
    int buffered() {
        return buffered;
    }

    /** Queues a record behind every earlier record of its partition key. */
    void add(Entry e) {
        KeyQueue q = keys.computeIfAbsent(e.record.partitionKey(), KeyQueue::new);
        q.entries.addLast(e);
        buffered++;
        if (q.inFlight == 0 && !q.scheduled) {
            schedule(q, Long.MIN_VALUE);
        }
    }

    /**
     * The records of the next request, in the order they must be sent, or empty when no record may go at
     * {@code now} (nothing queued, everything in flight or backing off). The returned records count as in
     * flight until {@link #onSuccess} or {@link #onFailure} is called for each.
     */
    List<Entry> nextRequest(long now) {
        while (!waiting.isEmpty() && waiting.peek().notBefore <= now) {
            ready.addLast(waiting.poll());
        }
        List<Entry> request = new ArrayList<>();
        long bytes = 0;
        while (!ready.isEmpty() && request.size() < maxRecords) {
            KeyQueue q = ready.peekFirst();
            Entry head = q.entries.peekFirst();
            if (!request.isEmpty() && bytes + head.billedBytes > maxBytes) {
                break;
            }
            ready.pollFirst();
            q.scheduled = false;
            int taken = 0;
            while (head != null && taken < maxPerKey && request.size() < maxRecords
                    && (request.isEmpty() || bytes + head.billedBytes <= maxBytes)) {
                taken++;
                q.entries.pollFirst();
                head.attempts++;
                q.inFlight++;
                request.add(head);
                bytes += head.billedBytes;
                head = q.entries.peekFirst();
            }
        }
        return request;
    }

    /** When the earliest backing-off key may go again, if any key is backing off. */
    Optional<Long> nextWakeUp() {
        return waiting.isEmpty() ? Optional.empty() : Optional.of(waiting.peek().notBefore);
    }

    /** Whether some record could be sent right now. */
    boolean hasReady() {
        return !ready.isEmpty();
    }

    /** The node stored the record. */
    void onSuccess(Entry e, String shardId, String sequenceNumber) {
        e.done.accept(new PutResult(shardId, sequenceNumber, e.attempts));
        finish(e);
    }

    /**
     * The node did not store the record. Throttling and transient failures are retried (the key backs off
     * from {@code now}, honouring {@code retryAfterMillis} as a floor) until the attempts run out; other
     * errors complete the record at once.
     *
     * <p>Call this for all failed records of a response in request order, after the successes: the
     * first retried record of a key goes back to the front of its queue with the later ones behind it.
     */
    void onFailure(Entry e, RiffleException error, long now, long retryAfterMillis) {
        KeyQueue q = keys.get(e.record.partitionKey());
        if (!isRetryable(error.code()) || e.attempts >= maxAttempts) {
            e.done.accept(PutFailure.of(error, e.attempts));
            finish(e);
            return;
        }
        q.retries.add(e);
        long delay = Math.max(backoff.delayMillis(e.attempts), retryAfterMillis);
        q.notBefore = Math.max(q.notBefore, now + delay);
        q.inFlight--;
        if (q.inFlight == 0) {
            requeueRetries(q);
        }
    }

    /** Completes a record that was sent but can never be answered (the client closed), without retrying. */
    void giveUp(Entry e, RiffleException error) {
        e.done.accept(PutFailure.of(error, e.attempts));
        finish(e);
    }

    /** Errors worth another attempt: throttling and the node's transient failures. */
    static boolean isRetryable(ErrorCode code) {
        return code == ErrorCode.PROVISIONED_THROUGHPUT_EXCEEDED || code == ErrorCode.SERVICE_UNAVAILABLE
                || code == ErrorCode.INTERNAL_FAILURE;
    }

    private void finish(Entry e) {
        buffered--;
        KeyQueue q = keys.get(e.record.partitionKey());
        q.inFlight--;
        if (q.inFlight == 0) {
            requeueRetries(q);
        }
    }

    /** Once a key has nothing in flight: retried records first, in their original order, then the rest. */
    private void requeueRetries(KeyQueue q) {
        List<Entry> retries = q.retries;
        boolean backingOff = !retries.isEmpty();
        for (int i = retries.size() - 1; i >= 0; i--) {
            q.entries.addFirst(retries.get(i));
        }
        retries.clear();
        if (q.entries.isEmpty()) {
            keys.remove(q.key);
            return;
        }
        if (!q.scheduled) {
            schedule(q, backingOff ? q.notBefore : Long.MIN_VALUE);
        }
    }

    private void schedule(KeyQueue q, long notBefore) {
        q.scheduled = true;
        if (notBefore == Long.MIN_VALUE) {
            ready.addLast(q);
        } else {
            q.notBefore = notBefore;
            waiting.add(q);
        }
    }
}
