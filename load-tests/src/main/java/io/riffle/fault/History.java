package io.riffle.fault;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Everything a run did and saw, appended from many threads and read by the {@link Checker} once the run is
 * over. Times are milliseconds since the run started (monotonic).
 */
final class History {
    /** A record the cluster acknowledged: its id (the record's data), key, per-key sequence and position. */
    record Ack(String id, String key, long keySeq, String shardId, String sequenceNumber, long at) {
    }

    /** One put attempt of one key's record, and whether it was acknowledged. */
    record Attempt(String key, long start, long end, boolean ok) {
    }

    /** A record a consumer (or the final read) got, in the order it got it. */
    record Read(String shardId, String sequenceNumber, String id) {
    }

    /** A fault: what, on which node, from when until the harness had undone it. */
    record Fault(String kind, int node, long start, long end) {
    }

    private final long t0 = System.nanoTime();
    /** Wall-clock time of {@link #now()} 0, to find a fault's moment in the nodes' logs. */
    final java.time.Instant started = java.time.Instant.now();
    private final Queue<Ack> acks = new ConcurrentLinkedQueue<>();
    private final Queue<Attempt> attempts = new ConcurrentLinkedQueue<>();
    private final Queue<Fault> faults = new ConcurrentLinkedQueue<>();
    private final Map<String, Queue<Read>> reads = new ConcurrentHashMap<>();

    long now() {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    void acked(Ack ack) {
        acks.add(ack);
    }

    void attempted(Attempt attempt) {
        attempts.add(attempt);
    }

    void fault(Fault fault) {
        faults.add(fault);
    }

    /** Appends what {@code reader} read; each reader's list keeps its order. */
    void read(String reader, Read read) {
        reads.computeIfAbsent(reader, r -> new ConcurrentLinkedQueue<>()).add(read);
    }

    List<Ack> acks() {
        return List.copyOf(acks);
    }

    List<Attempt> attempts() {
        return List.copyOf(attempts);
    }

    List<Fault> faults() {
        return List.copyOf(faults);
    }

    /** How many distinct acknowledged ids {@code reader} has read so far. */
    long distinctRead(String reader) {
        return reads.getOrDefault(reader, new ConcurrentLinkedQueue<>()).stream().map(Read::id).distinct().count();
    }

    Map<String, List<Read>> reads() {
        Map<String, List<Read>> copy = new java.util.TreeMap<>();
        reads.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        return copy;
    }

    /** The record's data, which is also its unique id: {@code <key>:<per-key sequence>}. */
    static String id(String key, long keySeq) {
        return key + ":" + keySeq;
    }

    /** The key of an id made by {@link #id}. */
    static String keyOf(String id) {
        int colon = id.lastIndexOf(':');
        return colon < 0 ? id : id.substring(0, colon);
    }

    /** The per-key sequence of an id made by {@link #id}, or -1 if the data is not such an id. */
    static long keySeqOf(String id) {
        try {
            return Long.parseLong(id.substring(id.lastIndexOf(':') + 1));
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            return -1;
        }
    }
}
