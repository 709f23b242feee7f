package io.riffle.cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Where new shards go: each to the live node holding the fewest shards, counting the shards placed before
 * it in the same call, ties broken by the smallest node id. So 12 shards on 3 empty nodes are 4/4/4, and a
 * node that joined later takes shards until it has caught up. Pure and deterministic: the catalog leader
 * (not built yet) calls it and records the result; nothing moves afterwards.
 */
public final class Placement {
    private Placement() {
    }

    private record Load(String nodeId, long shards) {
    }

    private static final Comparator<Load> FEWEST_FIRST =
            Comparator.comparingLong(Load::shards).thenComparing(Load::nodeId);

    /**
     * The owner of each of {@code newShards} new shards, in shard order.
     *
     * @param liveShards every live node's id and the shards it holds now
     * @throws IllegalArgumentException with no live node (and shards to place), a negative count or shard number
     */
    public static List<String> owners(Map<String, Integer> liveShards, int newShards) {
        if (newShards < 0) {
            throw new IllegalArgumentException("Cannot place " + newShards + " shards");
        }
        if (liveShards.isEmpty() && newShards > 0) {
            throw new IllegalArgumentException("No live node to place " + newShards + " shards on");
        }
        PriorityQueue<Load> loads = new PriorityQueue<>(FEWEST_FIRST);
        liveShards.forEach((node, shards) -> {
            if (shards < 0) {
                throw new IllegalArgumentException("Node " + node + " cannot hold " + shards + " shards");
            }
            loads.add(new Load(node, shards));
        });
        List<String> owners = new ArrayList<>(newShards);
        for (int i = 0; i < newShards; i++) {
            Load least = loads.poll();
            owners.add(least.nodeId());
            loads.add(new Load(least.nodeId(), least.shards() + 1));
        }
        return owners;
    }

    /**
     * The replica set of each of {@code newShards} new shards, in shard order, its leader first: leaders as
     * {@link #owners}, then {@code replicationFactor - 1} followers on other nodes, each time the nodes
     * holding the fewest replicas (counting those placed before in this call), ties by node id.
     *
     * @param liveShards   every live node's id and the shards it leads now
     * @param liveReplicas every live node's id and the replicas it holds now (leaders included)
     * @throws IllegalArgumentException if fewer live nodes than the replication factor
     */
    public static List<List<String>> replicas(Map<String, Integer> liveShards, Map<String, Integer> liveReplicas,
                                              int newShards, int replicationFactor) {
        if (replicationFactor < 1 || replicationFactor > liveShards.size()) {
            throw new IllegalArgumentException("Cannot place " + replicationFactor + " replicas on " + liveShards.size() + " live nodes");
        }
        List<String> leaders = owners(liveShards, newShards);
        Map<String, Integer> held = new java.util.TreeMap<>();
        liveShards.keySet().forEach(n -> held.put(n, liveReplicas.getOrDefault(n, 0)));
        List<List<String>> sets = new ArrayList<>(newShards);
        for (String leader : leaders) {
            List<String> set = new ArrayList<>(replicationFactor);
            set.add(leader);
            held.merge(leader, 1, Integer::sum);
            held.entrySet().stream().filter(e -> !e.getKey().equals(leader))
                    .sorted(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                    .limit(replicationFactor - 1L).map(Map.Entry::getKey).toList()
                    .forEach(f -> {
                        set.add(f);
                        held.merge(f, 1, Integer::sum);
                    });
            sets.add(set);
        }
        return sets;
    }
}
