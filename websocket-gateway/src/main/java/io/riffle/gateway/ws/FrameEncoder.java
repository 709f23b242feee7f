package io.riffle.gateway.ws;

import io.riffle.gateway.http.NativeJson;
import io.riffle.gateway.subscription.ShardEvent;
import io.riffle.model.Record;
import io.riffle.model.SequenceNumber;
import io.riffle.model.ShardId;
import java.util.List;
import java.util.Optional;

/**
 * Builds the text of {@code records} and {@code heartbeat} frames (format on {@link SubscriberSocket}) so
 * that work is shared by all subscribers of a gateway verticle instead of repeated per subscriber: with a
 * thousand subscribers of one shard, each record would otherwise be encoded a thousand times.
 *
 * <ul>
 *   <li>Each record's JSON text is cached, direct-mapped on (shard, offset) and checked against the record's
 *       content ({@link Record#equals}, after a cheap identity check: live records reach every subscriber
 *       as the same instances; catch-up reads bring equal copies). The text is a function of the shard and
 *       the record's content only, so a hit is always right, whatever stream it came from.</li>
 *   <li>The last frame is reused when the next event carries the same record instances, lag and
 *       continuation, which is what happens when one live batch is pushed to many caught-up subscribers.</li>
 * </ul>
 * Memory stays bounded: {@value #SLOTS} slots and at most {@value #BUDGET_BYTES} bytes (estimated) of cached
 * records and texts; a colliding record replaces the slot's entry, a record that does not fit is encoded
 * without being cached.
 *
 * <p>The text is byte-identical to encoding the frame as a {@link io.vertx.core.json.JsonObject}: record
 * objects come from {@link NativeJson#record}, and the other fields are a shard id, numbers and a decimal
 * sequence number, none of which needs escaping.
 *
 * <p>Not thread-safe: one instance per gateway verticle, used only on its event loop.
 */
final class FrameEncoder {
    /** A power of two: about 4 s of the fan-out target's 1,000 records/s in one shard. */
    static final int SLOTS = 4096;
    static final long BUDGET_BYTES = 32L * 1024 * 1024;

    private final Record[] records = new Record[SLOTS];
    private final ShardId[] shards = new ShardId[SLOTS];
    private final String[] texts = new String[SLOTS];
    private long cachedBytes;

    private String lastShard;
    private List<Record> lastRecords = List.of();
    private long lastMillisBehind;
    private Optional<SequenceNumber> lastContinuation = Optional.empty();
    private String lastFrame;

    /**
     * The frame for one event: {@code records} with its records, or a {@code heartbeat}.
     *
     * @param shardIdText the event's shard id as text, which the caller keeps (formatting it costs)
     */
    String frame(String shardIdText, ShardEvent e) {
        if (lastFrame != null && !e.isHeartbeat() && sameAsLast(shardIdText, e)) {
            return lastFrame;
        }
        StringBuilder b = new StringBuilder(96 + e.records().size() * 192);
        b.append("{\"type\":\"").append(e.isHeartbeat() ? "heartbeat" : "records")
                .append("\",\"shardId\":\"").append(shardIdText).append('"');
        if (!e.isHeartbeat()) {
            b.append(",\"records\":[");
            for (int i = 0; i < e.records().size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                b.append(recordText(e.shardId(), e.records().get(i)));
            }
            b.append(']');
        }
        b.append(",\"millisBehindLatest\":").append(e.millisBehindLatest())
                .append(",\"continuationSequenceNumber\":");
        e.continuation().map(SequenceNumber::wire).ifPresentOrElse(s -> b.append('"').append(s).append('"'),
                () -> b.append("null"));
        String frame = b.append('}').toString();
        if (!e.isHeartbeat()) {
            lastShard = shardIdText;
            lastRecords = e.records();
            lastMillisBehind = e.millisBehindLatest();
            lastContinuation = e.continuation();
            lastFrame = frame;
        }
        return frame;
    }

    private boolean sameAsLast(String shardIdText, ShardEvent e) {
        List<Record> rs = e.records();
        if (rs.size() != lastRecords.size() || e.millisBehindLatest() != lastMillisBehind
                || !shardIdText.equals(lastShard) || !e.continuation().equals(lastContinuation)) {
            return false;
        }
        for (int i = 0; i < rs.size(); i++) {
            if (rs.get(i) != lastRecords.get(i)) {
                return false;
            }
        }
        return true;
    }

    private String recordText(ShardId shard, Record r) {
        int slot = (Long.hashCode(r.offset()) * 31 + shard.index()) & (SLOTS - 1);
        Record cached = records[slot];
        if (cached != null && (cached == r || cached.equals(r)) && shards[slot].equals(shard)) {
            return texts[slot];
        }
        String text = NativeJson.record(shard, r).encode();
        if (cached != null) {
            cachedBytes -= size(cached, texts[slot]);
            records[slot] = null;
            shards[slot] = null;
            texts[slot] = null;
        }
        long size = size(r, text);
        if (cachedBytes + size <= BUDGET_BYTES) {
            records[slot] = r;
            shards[slot] = shard;
            texts[slot] = text;
            cachedBytes += size;
        }
        return text;
    }

    /** Heap held by a cache entry, roughly: the data, the key and the text at up to 2 bytes a char. */
    private static long size(Record r, String text) {
        return r.data().length + 2L * r.partitionKey().length() + 2L * text.length() + 128;
    }
}
