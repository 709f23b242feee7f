package io.riffle.stream;

import io.riffle.model.ConsumerDescription;
import io.riffle.model.ConsumerName;
import io.riffle.model.DailyChanges;
import io.riffle.model.DamagedRecords;
import io.riffle.model.HashKeyRange;
import io.riffle.model.SequenceNumber;
import io.riffle.model.ShardDescription;
import io.riffle.model.ShardId;
import io.riffle.model.ShardState;
import io.riffle.model.StreamDescription;
import io.riffle.model.StreamMode;
import io.riffle.model.StreamName;
import io.riffle.model.StreamStatus;
import io.riffle.throttle.ThroughputLimits;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The JSON form of stream metadata, used both for the durable {@code stream.json} file and for control
 * plane replies on the event bus, so the two can never drift apart.
 */
public final class StreamJson {
    private StreamJson() {
    }

    public static JsonObject toJson(StreamDescription d) {
        JsonArray shards = new JsonArray();
        for (ShardDescription s : d.shards()) {
            shards.add(new JsonObject()
                    .put("index", s.shardId().index())
                    .put("parent", s.parentShardId().map(ShardId::index).orElse(null))
                    .put("adjacentParent", s.adjacentParentShardId().map(ShardId::index).orElse(null))
                    .put("hashStart", s.hashKeyRange().start().toString())
                    .put("hashEnd", s.hashKeyRange().end().toString())
                    .put("startingOffset", s.startingSequenceNumber().offset())
                    .put("endingOffset", s.endingSequenceNumber().map(SequenceNumber::offset).orElse(null))
                    .put("state", s.state().name())
                    .put("closedMillis", s.closedMillis().orElse(null)));
        }
        JsonArray consumers = new JsonArray();
        for (ConsumerDescription c : d.consumers()) {
            consumers.add(new JsonObject().put("name", c.name().value()).put("createdMillis", c.createdMillis()));
        }
        JsonObject tags = new JsonObject();
        d.tags().forEach(tags::put);
        return new JsonObject()
                .put("name", d.name().value())
                .put("status", d.status().name())
                .put("mode", d.mode().name())
                .put("retentionHours", d.retentionHours())
                .put("createdMillis", d.createdMillis())
                .put("maxRecordSizeKiB", d.maxRecordSizeKiB())
                .put("shards", shards)
                .put("consumers", consumers)
                .put("tags", tags)
                .put("shardLevelMetrics", new JsonArray(d.shardLevelMetrics().stream().sorted().toList()))
                .put("limits", toJson(d.limits()))
                .put("resourcePolicies", new JsonObject(new LinkedHashMap<>(d.resourcePolicies())))
                .put("dailyChanges", new JsonObject()
                        .put("shardCountUpdates", new JsonArray(d.dailyChanges().shardCountUpdates()))
                        .put("modeSwitches", new JsonArray(d.dailyChanges().modeSwitches())))
                .put("encryptionKeyId", d.encryptionKeyId().orElse(null));
    }

    public static StreamDescription fromJson(JsonObject j) {
        List<ShardDescription> shards = j.getJsonArray("shards").stream().map(o -> {
            JsonObject s = (JsonObject) o;
            ShardId id = new ShardId(s.getInteger("index"));
            return new ShardDescription(id,
                    Optional.ofNullable(s.getInteger("parent")).map(ShardId::new),
                    Optional.ofNullable(s.getInteger("adjacentParent")).map(ShardId::new),
                    new HashKeyRange(new BigInteger(s.getString("hashStart")), new BigInteger(s.getString("hashEnd"))),
                    new SequenceNumber(id.index(), s.getLong("startingOffset")),
                    Optional.ofNullable(s.getLong("endingOffset")).map(off -> new SequenceNumber(id.index(), off)),
                    ShardState.valueOf(s.getString("state")), List.of(),
                    Optional.ofNullable(s.getLong("closedMillis")));
        }).toList();
        List<ConsumerDescription> consumers = j.getJsonArray("consumers").stream().map(o -> {
            JsonObject c = (JsonObject) o;
            return new ConsumerDescription(ConsumerName.of(c.getString("name")), c.getLong("createdMillis"));
        }).toList();
        Map<String, String> tags = new LinkedHashMap<>();
        j.getJsonObject("tags").forEach(e -> tags.put(e.getKey(), String.valueOf(e.getValue())));
        return new StreamDescription(StreamName.of(j.getString("name")),
                StreamStatus.valueOf(j.getString("status")),
                StreamMode.valueOf(j.getString("mode")),
                j.getInteger("retentionHours"),
                j.getLong("createdMillis"),
                j.getInteger("maxRecordSizeKiB"),
                shards, consumers, tags,
                j.getJsonArray("shardLevelMetrics", new JsonArray()).stream().map(String::valueOf)
                        .collect(java.util.stream.Collectors.toSet()),
                limitsFromJson(j.getJsonObject("limits")),
                resourcePolicies(j.getJsonObject("resourcePolicies", new JsonObject())),
                dailyChanges(j.getJsonObject("dailyChanges", new JsonObject())),
                // Absent from catalogs written before encryption existed: not encrypted.
                Optional.ofNullable(j.getString("encryptionKeyId")));
    }

    /** Recent rate-limited changes; absent from catalogs written before they were kept (none counted). */
    private static DailyChanges dailyChanges(JsonObject j) {
        return new DailyChanges(millis(j.getJsonArray("shardCountUpdates", new JsonArray())),
                millis(j.getJsonArray("modeSwitches", new JsonArray())));
    }

    private static List<Long> millis(JsonArray a) {
        return a.stream().map(o -> ((Number) o).longValue()).toList();
    }

    /** Resource policies by ARN; absent from catalogs written before they existed. */
    private static Map<String, String> resourcePolicies(JsonObject j) {
        Map<String, String> p = new LinkedHashMap<>();
        j.forEach(e -> p.put(e.getKey(), String.valueOf(e.getValue())));
        return p;
    }

    /** A shard's damaged records, as its status reply carries them (never written to stream.json). */
    public static JsonArray toJson(List<DamagedRecords> damaged) {
        JsonArray a = new JsonArray();
        damaged.forEach(d -> a.add(new JsonObject().put("fromOffset", d.fromOffset()).put("toOffset", d.toOffset())
                .put("location", d.location()).put("reason", d.reason())));
        return a;
    }

    public static List<DamagedRecords> damagedFromJson(JsonArray a) {
        return a.stream().map(o -> (JsonObject) o).map(d -> new DamagedRecords(d.getLong("fromOffset"), d.getLong("toOffset"),
                d.getString("location"), d.getString("reason"))).toList();
    }

    public static JsonObject toJson(ThroughputLimits l) {
        return new JsonObject()
                .put("writeBytesPerSecond", l.writeBytesPerSecond())
                .put("writeRecordsPerSecond", l.writeRecordsPerSecond())
                .put("readBytesPerSecond", l.readBytesPerSecond())
                .put("readCallsPerSecond", l.readCallsPerSecond())
                .put("consumerBytesPerSecond", l.consumerBytesPerSecond());
    }

    public static ThroughputLimits limitsFromJson(JsonObject j) {
        return new ThroughputLimits(j.getLong("writeBytesPerSecond"), j.getLong("writeRecordsPerSecond"),
                j.getLong("readBytesPerSecond"), j.getLong("readCallsPerSecond"),
                j.getLong("consumerBytesPerSecond"));
    }

    /**
     * Limits given in part, as a client may send them: each missing field takes its value from
     * {@code defaults}. A value that is not a non-negative integer is a ValidationException naming it.
     */
    public static ThroughputLimits limitsFromJson(JsonObject j, ThroughputLimits defaults) {
        JsonObject d = toJson(defaults);
        for (String key : j.fieldNames()) {
            if (!d.containsKey(key)) {
                throw io.riffle.error.RiffleException.validation("Unknown throughput limit '" + key + "'; known: " + d.fieldNames());
            }
            Object v = j.getValue(key);
            if (!(v instanceof Number n) || n.longValue() < 0 || n.doubleValue() != n.longValue()) {
                throw io.riffle.error.RiffleException.constraint("limits." + key, v, "be an integer greater than or equal to 0 (0 turns the limit off)");
            }
            d.put(key, n.longValue());
        }
        return limitsFromJson(d);
    }
}
