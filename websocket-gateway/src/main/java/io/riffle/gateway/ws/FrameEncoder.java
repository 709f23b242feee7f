package io.riffle.gateway.ws;

import io.riffle.gateway.http.NativeJson;
import io.riffle.gateway.subscription.ShardEvent;
import io.riffle.model.Record;
import io.riffle.model.SequenceNumber;
import io.riffle.model.ShardId;

/**
 * Builds the text of {@code records} and {@code heartbeat} frames (format on {@link SubscriberSocket}),
 * encoding each record's JSON once for all subscribers of a gateway verticle: live records reach every
 * subscriber of a shard as the same {@link Record} instances, so with a thousand subscribers the encoding
 * would otherwise be repeated a thousand times.
 *
 * <p>The cache is direct-mapped on the record's identity, a fixed number of slots, so memory stays bounded
 * (a record and its text per slot); a colliding record simply replaces the slot's entry. Records read for
 * catch-up are new instances and mostly miss, which costs what encoding without the cache does.
 *
 * <p>The text is byte-identical to encoding the frame as a {@link io.vertx.core.json.JsonObject}: the
 * record objects come from {@link NativeJson#record}, and the remaining fields are a shard id, numbers and
 * a decimal sequence number, none of which needs escaping.
 *
 * <p>Not thread-safe: one instance per gateway verticle, used only on its event loop.
 */
final class FrameEncoder {
    private static final int SLOTS = 4096; // a power of two; about 4 s of the fan-out target's 1,000 records/s

    private final Record[] records = new Record[SLOTS];
    private final ShardId[] shards = new ShardId[SLOTS];
    private final String[] texts = new String[SLOTS];

    /**
     * The frame for one event: {@code records} with its records, or a {@code heartbeat}.
     *
     * @param shardIdText the event's shard id as text, which the caller keeps (formatting it costs)
     */
    String frame(String shardIdText, ShardEvent e) {
        StringBuilder b = new StringBuilder(64 + e.records().size() * 256);
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
        return b.append('}').toString();
    }

    private String recordText(ShardId shard, Record r) {
        int slot = System.identityHashCode(r) & (SLOTS - 1);
        if (records[slot] == r && shards[slot].equals(shard)) {
            return texts[slot];
        }
        String text = NativeJson.record(shard, r).encode();
        records[slot] = r;
        shards[slot] = shard;
        texts[slot] = text;
        return text;
    }
}
