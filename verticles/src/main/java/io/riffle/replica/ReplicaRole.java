package io.riffle.replica;

import java.util.List;

/**
 * What a shard's replica on this node is, as the cluster catalog says: the leader of the shard at
 * {@code epoch} (it takes puts and serves reads, and replicates to the others) or a follower of
 * {@code leader} (it only copies the leader's log). {@code replicas} are every replica's node, the leader
 * among them; a record is committed once a majority of them hold it durably. {@code learners} are replicas
 * being added (Raft's learners): they get the log like followers but count for no majority until the
 * catalog makes them replicas, so a new replica catching up never holds puts back.
 */
public record ReplicaRole(String nodeId, long epoch, String leader, List<String> replicas, List<String> learners) {
    public ReplicaRole {
        replicas = List.copyOf(replicas);
        learners = List.copyOf(learners);
        if (!replicas.contains(leader) || !(replicas.contains(nodeId) || learners.contains(nodeId))) {
            throw new IllegalArgumentException("Replicas " + replicas + " (learners " + learners + ") must hold the leader "
                    + leader + " and this node " + nodeId);
        }
        if (learners.stream().anyMatch(replicas::contains)) {
            throw new IllegalArgumentException("Learners " + learners + " must not be replicas " + replicas);
        }
        if (epoch <= 0) {
            throw new IllegalArgumentException("Leader epochs start at 1, not " + epoch);
        }
    }

    /** A role without learners. */
    public ReplicaRole(String nodeId, long epoch, String leader, List<String> replicas) {
        this(nodeId, epoch, leader, replicas, List.of());
    }

    /**
     * Whether {@code other} is this node's role under the same leader at the same epoch, so that only the
     * replica set or learners differ: a membership change, applied to a running replica in place.
     */
    public boolean sameLeadership(ReplicaRole other) {
        return other.nodeId.equals(nodeId) && other.epoch == epoch && other.leader.equals(leader);
    }

    public boolean leads() {
        return nodeId.equals(leader);
    }

    /** Replicas that must hold a record before it is committed, the leader included. */
    public int quorum() {
        return replicas.size() / 2 + 1;
    }

    /** The replicas other than the leader (learners not included). */
    public List<String> followers() {
        return replicas.stream().filter(n -> !n.equals(leader)).toList();
    }
}
