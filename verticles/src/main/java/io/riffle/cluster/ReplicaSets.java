package io.riffle.cluster;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads and writes the replica sets in a stream's catalog record: {@code "owners"} names each shard's
 * leader (by shard index), {@code "replicas"} each shard's replica nodes, {@code "epochs"} each shard's
 * leader epoch, raised by one at every change of leader (and only then: a change of the replica set or
 * learners under the same leader keeps it, see {@link #placement}), {@code "replicationFactor"} the replicas each
 * shard should have. A record written before replication has owners only: each shard is then its owner's
 * alone, at epoch 1.
 */
final class ReplicaSets {
    /** The record's replication factor; a record written before the stream setting holds its first shard's count. */
    static final String FACTOR = "replicationFactor";

    private ReplicaSets() {
    }

    static int factor(JsonObject record) {
        Integer factor = record.getInteger(FACTOR);
        return factor != null ? factor : replicas(record, shards(record).get(0)).size();
    }

    static String leader(JsonObject record, int shard) {
        return record.getJsonObject("owners").getString(Integer.toString(shard));
    }

    static List<String> replicas(JsonObject record, int shard) {
        JsonObject all = record.getJsonObject("replicas");
        JsonArray set = all == null ? null : all.getJsonArray(Integer.toString(shard));
        if (set == null) {
            return List.of(leader(record, shard));
        }
        List<String> nodes = new ArrayList<>();
        set.forEach(n -> nodes.add((String) n));
        return nodes;
    }

    static long epoch(JsonObject record, int shard) {
        JsonObject epochs = record.getJsonObject("epochs");
        return epochs == null ? 1 : epochs.getLong(Integer.toString(shard), 1L);
    }

    /** The shard indexes of the record, ascending. */
    static List<Integer> shards(JsonObject record) {
        return record.getJsonObject("owners").fieldNames().stream().map(Integer::parseInt).sorted().toList();
    }

    /** Every node holding a replica (or a learner) of any shard of the record. */
    static Set<String> nodes(JsonObject record) {
        Set<String> nodes = new LinkedHashSet<>();
        shards(record).forEach(s -> {
            nodes.addAll(replicas(record, s));
            nodes.addAll(learners(record, s));
        });
        return nodes;
    }

    /** Writes the placement of new shards: {@code sets.get(i)} (leader first) for shard {@code indexes.get(i)}, epoch 1. */
    static JsonObject place(JsonObject record, List<Integer> indexes, List<List<String>> sets) {
        JsonObject owners = record.getJsonObject("owners", new JsonObject());
        JsonObject replicas = record.getJsonObject("replicas", new JsonObject());
        JsonObject epochs = record.getJsonObject("epochs", new JsonObject());
        for (int i = 0; i < indexes.size(); i++) {
            String key = Integer.toString(indexes.get(i));
            owners.put(key, sets.get(i).get(0));
            replicas.put(key, new JsonArray(new ArrayList<>(sets.get(i))));
            epochs.put(key, 1L);
        }
        return record.put("owners", owners).put("replicas", replicas).put("epochs", epochs);
    }

    /** Removes the placement of {@code shards} (shards the stream no longer has), moves in progress included. */
    static JsonObject drop(JsonObject record, List<Integer> shards) {
        for (String field : List.of("owners", "replicas", "epochs", "moves")) {
            JsonObject byShard = record.getJsonObject(field);
            if (byShard != null) {
                shards.forEach(s -> byShard.remove(Integer.toString(s)));
            }
        }
        return record;
    }

    /**
     * Makes {@code node} the leader of {@code shard} at the next epoch: the only change that raises it, since
     * only a new leader must be fenced from the old one (whose followers then refuse it).
     */
    static JsonObject lead(JsonObject record, int shard, String node) {
        record.getJsonObject("owners").put(Integer.toString(shard), node);
        JsonObject epochs = record.getJsonObject("epochs", new JsonObject());
        epochs.put(Integer.toString(shard), epoch(record, shard) + 1);
        return record.put("epochs", epochs);
    }

    /** What a catalog change of one shard is compared on: who leads it at which epoch, with which replicas and move. */
    record ShardPlacement(String leader, long epoch, List<String> replicas, Optional<Move> move) {
    }

    /**
     * The shard's placement. A change prepared on one placement is committed only if the shard still has it
     * (compare and set): a membership change keeps the epoch, so the epoch alone would not tell that another
     * step (or a failover's) came in between.
     */
    static ShardPlacement placement(JsonObject record, int shard) {
        return new ShardPlacement(leader(record, shard), epoch(record, shard), replicas(record, shard), move(record, shard));
    }

    /** A move of one of a shard's replicas: a replica is added on {@code to}, then the one on {@code from} (if any) leaves. */
    record Move(String to, String from) {
    }

    /** The shard's move in progress, if any ({@code "moves":{shard:{"to","from"}}}). */
    static Optional<Move> move(JsonObject record, int shard) {
        JsonObject moves = record.getJsonObject("moves");
        JsonObject m = moves == null ? null : moves.getJsonObject(Integer.toString(shard));
        return m == null ? Optional.empty() : Optional.of(new Move(m.getString("to"), m.getString("from")));
    }

    /** Replicas being added: they copy the log but are no replicas (count for no majority) yet. */
    static List<String> learners(JsonObject record, int shard) {
        return move(record, shard).map(Move::to).filter(to -> !replicas(record, shard).contains(to)).map(List::of).orElse(List.of());
    }

    /** Starts {@code move}: its target becomes a learner of the shard (same leader, same epoch). */
    static JsonObject startMove(JsonObject record, int shard, Move move) {
        JsonObject moves = record.getJsonObject("moves", new JsonObject());
        moves.put(Integer.toString(shard), new JsonObject().put("to", move.to()).put("from", move.from()));
        return record.put("moves", moves);
    }

    /** Ends the shard's move (done, or given up: its learner, if any, stops). */
    static JsonObject endMove(JsonObject record, int shard) {
        JsonObject moves = record.getJsonObject("moves");
        if (moves != null) {
            moves.remove(Integer.toString(shard));
        }
        return record;
    }

    /** Makes {@code nodes} the shard's replica set (the leader stays among them; same epoch). */
    static JsonObject reconfigure(JsonObject record, int shard, List<String> nodes) {
        JsonObject replicas = record.getJsonObject("replicas", new JsonObject());
        replicas.put(Integer.toString(shard), new JsonArray(new ArrayList<>(nodes)));
        return record.put("replicas", replicas);
    }

    /** Replicas held per node over every stream not being deleted (leaders and learners included). */
    static Map<String, Integer> replicasPerNode(CatalogSnapshot catalog) {
        Map<String, Integer> counts = new TreeMap<>();
        catalog.streams().values().stream().filter(s -> !s.getBoolean("deleting", false)).forEach(s -> shards(s).forEach(i -> {
            replicas(s, i).forEach(n -> counts.merge(n, 1, Integer::sum));
            learners(s, i).forEach(n -> counts.merge(n, 1, Integer::sum));
        }));
        return counts;
    }
}
