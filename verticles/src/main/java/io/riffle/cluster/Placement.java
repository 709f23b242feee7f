package io.riffle.cluster;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where new shards go: each to the live node holding the fewest shards, counting the shards placed before
 * it in the same call, ties broken by the smallest node id. So 12 shards on 3 empty nodes are 4/4/4, and a
 * node that joined later takes shards until it has caught up. Replicas spread over zones first. Pure and
 * deterministic: the catalog leader calls it and records the result; {@link ReplicaMoves} moves replicas later.
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
     * {@link #owners}, then {@code replicationFactor - 1} followers, each chosen by {@link #nextReplica}
     * (counting the replicas placed before in this call).
     *
     * @param liveShards   every live node's id and the shards it leads now
     * @param liveReplicas every live node's id and the replicas it holds now (leaders included)
     * @param zones        nodes' zones; a node missing or with an empty zone shares a zone with no other
     * @throws IllegalArgumentException if fewer live nodes than the replication factor
     */
    public static List<List<String>> replicas(Map<String, Integer> liveShards, Map<String, Integer> liveReplicas,
                                              Map<String, String> zones, int newShards, int replicationFactor) {
        if (replicationFactor < 1 || replicationFactor > liveShards.size()) {
            throw new IllegalArgumentException("Cannot place " + replicationFactor + " replicas on " + liveShards.size() + " live nodes");
        }
        List<String> leaders = owners(liveShards, newShards);
        Map<String, Integer> held = new TreeMap<>();
        liveShards.keySet().forEach(n -> held.put(n, liveReplicas.getOrDefault(n, 0)));
        List<List<String>> sets = new ArrayList<>(newShards);
        for (String leader : leaders) {
            List<String> set = new ArrayList<>(replicationFactor);
            set.add(leader);
            held.merge(leader, 1, Integer::sum);
            while (set.size() < replicationFactor) {
                String next = nextReplica(set, held, zones).orElseThrow();
                set.add(next);
                held.merge(next, 1, Integer::sum);
            }
            sets.add(set);
        }
        return sets;
    }

    /** As {@link #replicas(Map, Map, Map, int, int)} with no zones. */
    public static List<List<String>> replicas(Map<String, Integer> liveShards, Map<String, Integer> liveReplicas,
                                              int newShards, int replicationFactor) {
        return replicas(liveShards, liveReplicas, Map.of(), newShards, replicationFactor);
    }

    /**
     * Where a replica set {@code set} gets one more replica: among the {@code candidates} (node id to the
     * replicas it holds) not in the set, first those in a zone the set does not use yet (a lost zone then
     * takes the fewest replicas of a shard with it), then the fewest replicas, then the smallest id.
     */
    public static Optional<String> nextReplica(Collection<String> set, Map<String, Integer> candidates, Map<String, String> zones) {
        Set<String> used = new HashSet<>();
        set.forEach(n -> zoneOf(zones, n).ifPresent(used::add));
        return candidates.entrySet().stream().filter(e -> !set.contains(e.getKey()))
                .min(Comparator.<Map.Entry<String, Integer>>comparingInt(e -> zoneOf(zones, e.getKey()).filter(used::contains).isPresent() ? 1 : 0)
                        .thenComparing(Map.Entry::getValue).thenComparing(Map.Entry::getKey))
                .map(Map.Entry::getKey);
    }

    private static Optional<String> zoneOf(Map<String, String> zones, String node) {
        return Optional.ofNullable(zones.get(node)).filter(z -> !z.isEmpty());
    }
}
