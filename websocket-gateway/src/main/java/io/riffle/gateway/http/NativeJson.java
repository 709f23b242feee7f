package io.riffle.gateway.http;

import io.riffle.model.ConsumerDescription;
import io.riffle.model.Record;
import io.riffle.model.SequenceNumber;
import io.riffle.model.ShardDescription;
import io.riffle.model.ShardId;
import io.riffle.model.StreamDescription;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.TreeMap;

/**
 * The native API's JSON views of model types, shared by HTTP answers and WebSocket frames. Blobs are
 * standard base64, sequence numbers decimal strings, times epoch milliseconds.
 */
public final class NativeJson {
    private NativeJson() {
    }

    public static JsonObject stream(StreamDescription d) {
        JsonArray shards = new JsonArray();
        d.shards().forEach(s -> shards.add(shard(s)));
        JsonArray consumers = new JsonArray();
        d.consumers().forEach(c -> consumers.add(consumer(c)));
        return new JsonObject()
                .put("name", d.name().value())
                .put("status", d.status().name())
                .put("mode", d.mode().name())
                .put("retentionHours", d.retentionHours())
                .put("createdAt", d.createdMillis())
                .put("maxRecordSizeKiB", d.maxRecordSizeKiB())
                .put("shards", shards)
                .put("consumers", consumers)
                .put("tags", new JsonObject(new TreeMap<>(d.tags())))
                .put("limits", io.riffle.stream.StreamJson.toJson(d.limits()))
                .put("encryptionType", d.encryptionKeyId().isPresent() ? "KMS" : "NONE")
                .put("keyId", d.encryptionKeyId().orElse(null));
    }

    public static JsonObject shard(ShardDescription s) {
        JsonObject j = new JsonObject()
                .put("shardId", s.shardId().toString())
                .put("state", s.state().name())
                .put("closedAt", s.closedMillis().orElse(null))
                .put("parentShardId", s.parentShardId().map(ShardId::toString).orElse(null))
                .put("adjacentParentShardId", s.adjacentParentShardId().map(ShardId::toString).orElse(null))
                .put("hashKeyRange", new JsonObject()
                        .put("startingHashKey", s.hashKeyRange().start().toString())
                        .put("endingHashKey", s.hashKeyRange().end().toString()))
                .put("sequenceNumberRange", new JsonObject()
                        .put("startingSequenceNumber", s.startingSequenceNumber().wire())
                        .put("endingSequenceNumber", s.endingSequenceNumber().map(SequenceNumber::wire).orElse(null)));
        if (!s.damaged().isEmpty()) {
            JsonArray damaged = new JsonArray();
            s.damaged().forEach(d -> damaged.add(new JsonObject()
                    .put("fromSequenceNumber", new SequenceNumber(s.shardId().index(), d.fromOffset()).wire())
                    .put("toSequenceNumber", new SequenceNumber(s.shardId().index(), d.toOffset()).wire())
                    .put("records", d.toOffset() - d.fromOffset() + 1)
                    .put("location", d.location())
                    .put("reason", d.reason())));
            j.put("damaged", damaged);
        }
        return j;
    }

    public static JsonObject consumer(ConsumerDescription c) {
        return new JsonObject().put("name", c.name().value()).put("createdAt", c.createdMillis());
    }

    public static JsonObject record(ShardId shard, Record r) {
        JsonObject j = new JsonObject()
                .put("sequenceNumber", r.sequenceNumber(shard).wire())
                .put("partitionKey", r.partitionKey())
                .put("data", Base64.getEncoder().encodeToString(r.data()))
                .put("approximateArrivalTimestamp", r.arrivalMillis());
        // As in Kinesis: named only on records written encrypted.
        return r.encrypted() ? j.put("encryptionType", "KMS") : j;
    }

    public static JsonArray records(ShardId shard, Iterable<Record> records) {
        JsonArray a = new JsonArray();
        records.forEach(r -> a.add(record(shard, r)));
        return a;
    }
}
