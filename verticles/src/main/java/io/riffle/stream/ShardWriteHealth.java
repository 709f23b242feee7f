package io.riffle.stream;

import io.riffle.model.ShardId;
import io.riffle.model.StreamName;
import io.vertx.core.json.JsonObject;

/**
 * Whether one shard's writes are failing, as the shard publishes it on
 * {@link io.riffle.bus.Addresses#shardHealthChanged} whenever that changes. Carried as JSON (a rare event,
 * not the hot path).
 *
 * @param failing true from the first failed write until a write or a probe succeeds again (or the shard
 *                stops)
 * @param reason  why, without file names (e.g. "No space left on device"); empty when not failing
 */
public record ShardWriteHealth(StreamName stream, ShardId shard, boolean failing, String reason) {
    public ShardWriteHealth {
        reason = failing ? reason : "";
    }

    /** How health reports name this shard. */
    public String shardName() {
        return shard + " of stream " + stream;
    }

    public JsonObject toJson() {
        return new JsonObject().put("stream", stream.value()).put("shard", shard.index())
                .put("failing", failing).put("reason", reason);
    }

    public static ShardWriteHealth fromJson(JsonObject json) {
        return new ShardWriteHealth(StreamName.of(json.getString("stream")), new ShardId(json.getInteger("shard")),
                json.getBoolean("failing"), json.getString("reason", ""));
    }
}
