package io.riffle.cluster;

import io.riffle.model.ShardId;
import io.riffle.model.StreamName;
import io.riffle.stream.RequestTargets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@link RequestTargets} of a clustered node: shard leaders and the control plane's node from the catalog
 * a leader last sent this node's {@link CatalogReplica} (not the one it stored before it started: that may
 * name leaders long replaced), liveness from the {@link Coordination}'s member view. Both are
 * kept as immutable copies rebuilt on each change, so a lookup on the put path is two map reads.
 */
public final class CatalogTargets implements RequestTargets {
    private final CatalogReplica replica;
    private final Coordination coordination;
    private final List<Runnable> handlers = new CopyOnWriteArrayList<>();
    private volatile Set<String> live;
    /** Leader node id by stream name and shard index, for the open streams not being deleted. */
    private volatile Map<StreamName, Map<Integer, String>> leaders = Map.of();

    public CatalogTargets(CatalogReplica replica, Coordination coordination) {
        this.replica = replica;
        this.coordination = coordination;
        this.live = Set.copyOf(coordination.liveNodes());
        coordination.onViewChange(() -> {
            live = Set.copyOf(coordination.liveNodes());
            handlers.forEach(Runnable::run);
        });
        replica.onApplied(() -> {
            leaders = index(replica.current());
            handlers.forEach(Runnable::run);
        });
    }

    private static Map<StreamName, Map<Integer, String>> index(CatalogSnapshot snapshot) {
        Map<StreamName, Map<Integer, String>> all = new HashMap<>();
        snapshot.streams().values().stream()
                .filter(r -> r.getBoolean("open", false) && !r.getBoolean("deleting", false))
                .forEach(r -> {
                    Map<Integer, String> shards = new HashMap<>();
                    ReplicaSets.shards(r).forEach(i -> shards.put(i, ReplicaSets.leader(r, i)));
                    all.put(StreamName.of(r.getJsonObject("description").getString("name")), Map.copyOf(shards));
                });
        return Map.copyOf(all);
    }

    @Override
    public Optional<String> shardLeader(StreamName stream, ShardId shard) {
        return Optional.ofNullable(leaders.getOrDefault(stream, Map.of()).get(shard.index()));
    }

    @Override
    public Optional<String> controlPlane() {
        return replica.leader();
    }

    @Override
    public boolean isLive(String node) {
        return live.contains(node) || node.equals(coordination.nodeId());
    }

    @Override
    public void onChange(Runnable handler) {
        handlers.add(handler);
    }
}
