package io.riffle.replica;

import java.util.List;

/**
 * What a shard's replica on this node is, as the cluster catalog says: the leader of the shard at
 * {@code epoch} (it takes puts and serves reads, and replicates to the others) or a follower of
 * {@code leader} (it only copies the leader's log). {@code replicas} are every replica's node, the leader
 * among them; a record is committed once a majority of them hold it durably.
 */
public record ReplicaRole(String nodeId, long epoch, String leader, List<String> replicas) {
    public ReplicaRole {
        replicas = List.copyOf(replicas);
        if (!replicas.contains(leader) || !replicas.contains(nodeId)) {
            throw new IllegalArgumentException("Replicas " + replicas + " must hold the leader " + leader + " and this node " + nodeId);
        }
        if (epoch <= 0) {
            throw new IllegalArgumentException("Leader epochs start at 1, not " + epoch);
        }
    }

    public boolean leads() {
        return nodeId.equals(leader);
    }

    /** Replicas that must hold a record before it is committed, the leader included. */
    public int quorum() {
        return replicas.size() / 2 + 1;
    }

    /** The replicas other than the leader. */
    public List<String> followers() {
        return replicas.stream().filter(n -> !n.equals(leader)).toList();
    }
}
