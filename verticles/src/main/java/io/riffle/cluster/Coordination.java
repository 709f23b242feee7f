package io.riffle.cluster;

import io.vertx.core.Future;
import java.util.Set;

/**
 * What the replicated catalog needs from the cluster's membership layer (Hazelcast in the node; the engine
 * never sees Hazelcast): this node's id, the live members, and catalog leadership with its epochs.
 *
 * <p>With Raft ({@link #partitionTolerant()}), leadership is a CP FencedLock and epochs a CP AtomicLong,
 * so at most one leader can raise the epoch and a partitioned old one is fenced by the replicas. Without
 * it (1 or 2 nodes), the oldest member leads; such a cluster is not partition-tolerant.
 */
public interface Coordination {
    /** This node's stable id (from its data directory). */
    String nodeId();

    /** Ids of the members in the current view that announced themselves, this node included. */
    Set<String> liveNodes();

    /** Calls {@code handler} (on any thread) after each change of the member view or of an announcement. */
    void onViewChange(Runnable handler);

    /** Whether leadership and epochs come from Raft; then a catalog entry needs a majority of the voters. */
    boolean partitionTolerant();

    /**
     * Campaigns for catalog leadership; completes once this node holds it. Completes on a Vert.x context
     * of the caller's, never blocks an event loop.
     */
    Future<Leadership> lead();

    /** Held leadership. */
    interface Leadership {
        /**
         * A new epoch above {@code floor} and above every epoch handed out before in this cluster's
         * lifetime of its coordination state (the floor carries it across whole-cluster restarts).
         */
        Future<Long> nextEpoch(long floor);

        /** Completes when leadership is lost (lock lost, session expired, an older member appeared). */
        Future<Void> lost();

        /** Gives leadership up (idempotent); {@link #lost()} completes. */
        void release();
    }
}
