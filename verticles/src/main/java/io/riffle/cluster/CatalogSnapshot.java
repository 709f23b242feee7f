package io.riffle.cluster;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * One version of the whole cluster catalog, as the leader replicates it and every node stores it: the
 * {@code (epoch, version)} it was written at, the voters (every node id that ever joined), and each
 * stream by its engine id (the name of its directory on every node) with its description, its own
 * limits, the owner node of each shard, and whether its shards run ({@code open}) or it is being deleted.
 * Immutable; the JSON is the stored and the wire form.
 *
 * <pre>
 * {"formatVersion":1, "epoch":3, "version":17, "members":["n1","n2","n3"], "tokenKey":"&lt;base64&gt;",
 *  "streams":{"&lt;id&gt;":{"description":{...}, "ownLimits":{...}, "owners":{"0":"n1","1":"n2"},
 *                        "open":true, "deleting":false}}}
 * </pre>
 */
public final class CatalogSnapshot {
    static final int FORMAT_VERSION = 1;
    private static final String DRAINING = "draining";
    /** Orders snapshots as Raft orders log entries: a higher epoch wins, then a higher version. */
    static final Comparator<CatalogSnapshot> NEWEST_LAST =
            Comparator.comparingLong(CatalogSnapshot::epoch).thenComparingLong(CatalogSnapshot::version);
    static final CatalogSnapshot EMPTY = new CatalogSnapshot(new JsonObject().put("formatVersion", FORMAT_VERSION)
            .put("epoch", 0L).put("version", 0L).put("members", new JsonArray()).put("streams", new JsonObject()));

    private final JsonObject json;

    private CatalogSnapshot(JsonObject json) {
        this.json = json;
    }

    /** Reads a stored or received snapshot; fails on a newer format than this node knows. */
    static CatalogSnapshot fromJson(JsonObject json) {
        int format = json.getInteger("formatVersion", 0);
        if (format > FORMAT_VERSION) {
            throw new IllegalArgumentException("Cluster catalog format " + format + " is newer than this node's " + FORMAT_VERSION);
        }
        return new CatalogSnapshot(json.copy());
    }

    JsonObject toJson() {
        return json.copy();
    }

    long epoch() {
        return json.getLong("epoch");
    }

    long version() {
        return json.getLong("version");
    }

    Set<String> members() {
        Set<String> m = new LinkedHashSet<>();
        json.getJsonArray("members").forEach(v -> m.add((String) v));
        return m;
    }

    /** Each stream's record by engine id, sorted. The records are copies. */
    Map<String, JsonObject> streams() {
        Map<String, JsonObject> all = new TreeMap<>();
        json.getJsonObject("streams").forEach(e -> all.put(e.getKey(), ((JsonObject) e.getValue()).copy()));
        return all;
    }

    /** Version {@code version}, written by a leader at {@code epoch}, with {@code members} as voters. */
    CatalogSnapshot next(long epoch, long version, Set<String> members, UnaryOperator<JsonObject> streamsChange) {
        JsonObject streams = streamsChange.apply(json.getJsonObject("streams").copy());
        JsonObject next = new JsonObject().put("formatVersion", FORMAT_VERSION).put("epoch", epoch)
                .put("version", version).put("members", new JsonArray(new java.util.ArrayList<>(members)))
                .put("streams", streams);
        if (json.containsKey("tokenKey")) {
            next.put("tokenKey", json.getString("tokenKey"));
        }
        if (json.containsKey(DRAINING)) {
            next.put(DRAINING, json.getJsonArray(DRAINING).copy());
        }
        return new CatalogSnapshot(next);
    }

    /** Nodes being decommissioned: every replica moves off them and none is placed on them. */
    Set<String> draining() {
        Set<String> d = new LinkedHashSet<>();
        json.getJsonArray(DRAINING, new JsonArray()).forEach(v -> d.add((String) v));
        return d;
    }

    /** This catalog with {@code node} among the nodes being decommissioned. */
    CatalogSnapshot draining(String node) {
        Set<String> d = draining();
        d.add(node);
        return new CatalogSnapshot(json.copy().put(DRAINING, new JsonArray(new java.util.ArrayList<>(d))));
    }

    /** This catalog with {@code node} no longer being decommissioned: replicas may be placed on it again. */
    CatalogSnapshot readmitted(String node) {
        Set<String> d = draining();
        d.remove(node);
        return new CatalogSnapshot(json.copy().put(DRAINING, new JsonArray(new java.util.ArrayList<>(d))));
    }

    /**
     * The key every node seals Kinesis shard iterators and paging tokens with, so one node's iterator works
     * on every other; null before the first leader made it.
     */
    public byte[] tokenKey() {
        String key = json.getString("tokenKey");
        return key == null ? null : java.util.Base64.getDecoder().decode(key);
    }

    /** This catalog with a token key: its own if it has one, else 32 fresh random bytes. */
    CatalogSnapshot withTokenKey() {
        if (json.containsKey("tokenKey")) {
            return this;
        }
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        return new CatalogSnapshot(json.copy().put("tokenKey", java.util.Base64.getEncoder().encodeToString(key)));
    }

    /** Shards per owner node over every stream not being deleted, for placement. */
    Map<String, Integer> shardsPerNode() {
        Map<String, Integer> counts = new TreeMap<>();
        streams().values().stream().filter(s -> !s.getBoolean("deleting", false))
                .forEach(s -> s.getJsonObject("owners").forEach(o -> counts.merge((String) o.getValue(), 1, Integer::sum)));
        return counts;
    }

    /** A stream record's own limits, if it has any. */
    static java.util.Optional<io.riffle.throttle.ThroughputLimits> ownLimits(JsonObject record) {
        return java.util.Optional.ofNullable(record.getJsonObject("ownLimits")).map(io.riffle.stream.StreamJson::limitsFromJson);
    }

    /** A stream record's description, limited by its own limits or else {@code nodeDefaults}; status ACTIVE. */
    static io.riffle.model.StreamDescription description(JsonObject record, io.riffle.throttle.ThroughputLimits nodeDefaults) {
        JsonObject d = record.getJsonObject("description").copy()
                .put("limits", io.riffle.stream.StreamJson.toJson(ownLimits(record).orElse(nodeDefaults)));
        return io.riffle.stream.StreamJson.fromJson(d).withStatus(io.riffle.model.StreamStatus.ACTIVE);
    }

    /**
     * For operators: {@code {"epoch","version","placement":{stream:{shardId:leaderNodeId}},
     * "replicas":{stream:{shardId:{"nodes":[...],"leaderEpoch":n}}}, "replicationFactors":{stream:n},
     * "moves":[{"stream","shardId","to","from","learning"}], "decommissioning":[nodeId]}}: moves in progress, and
     * the nodes being decommissioned.
     */
    public JsonObject summary() {
        JsonObject placement = new JsonObject();
        JsonObject replicas = new JsonObject();
        JsonObject factors = new JsonObject();
        JsonArray moves = new JsonArray();
        streams().values().stream().filter(r -> !r.getBoolean("deleting", false)).forEach(r -> {
            JsonObject owners = new JsonObject();
            JsonObject sets = new JsonObject();
            for (int shard : ReplicaSets.shards(r)) {
                String id = new io.riffle.model.ShardId(shard).toString();
                owners.put(id, ReplicaSets.leader(r, shard));
                sets.put(id, new JsonObject().put("nodes", new JsonArray(new java.util.ArrayList<>(ReplicaSets.replicas(r, shard))))
                        .put("leaderEpoch", ReplicaSets.epoch(r, shard)));
                ReplicaSets.move(r, shard).ifPresent(m -> moves.add(new JsonObject()
                        .put("stream", r.getJsonObject("description").getString("name")).put("shardId", id)
                        .put("to", m.to()).put("from", m.from()).put("learning", !ReplicaSets.learners(r, shard).isEmpty())));
            }
            String name = r.getJsonObject("description").getString("name");
            placement.put(name, owners);
            replicas.put(name, sets);
            factors.put(name, ReplicaSets.factor(r));
        });
        return new JsonObject().put("epoch", epoch()).put("version", version()).put("placement", placement)
                .put("replicas", replicas).put("replicationFactors", factors).put("moves", moves)
                .put("decommissioning", new JsonArray(new java.util.ArrayList<>(draining())));
    }

    boolean newerThan(CatalogSnapshot other) {
        return NEWEST_LAST.compare(this, other) > 0;
    }

    @Override
    public String toString() {
        return "catalog (epoch " + epoch() + ", version " + version() + ", " + json.getJsonObject("streams").size() + " streams)";
    }
}
