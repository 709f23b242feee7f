package io.riffle.node;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.cp.IAtomicLong;
import com.hazelcast.cp.lock.FencedLock;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.riffle.cluster.Coordination;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Coordination} on Hazelcast. Live nodes are the members of Hazelcast's view that announced their
 * node id in {@link Membership#DIRECTORY} (this node announces itself at once, as STARTING). Leadership:
 * <ul>
 *   <li>with the CP Subsystem (Raft, {@code clusterCpMembers} 3+): the FencedLock {@value #LOCK}, taken and
 *       watched by a thread of its own (a FencedLock belongs to the thread that took it), and epochs from
 *       the CP AtomicLong {@value #EPOCH}, raised by compare-and-set;</li>
 *   <li>without it: the oldest member of the view leads, epochs are the replicas' highest plus one.</li>
 * </ul>
 */
final class HazelcastCoordination implements Coordination {
    private static final Logger LOG = LoggerFactory.getLogger(HazelcastCoordination.class);
    static final String LOCK = "riffle.catalog";
    static final String EPOCH = "riffle.catalog.epoch";
    private static final long WATCH_MILLIS = 500;

    private final Vertx vertx;
    private final HazelcastInstance hazelcast;
    private final String nodeId;
    private final boolean raft;
    /** Announced node ids by member UUID, kept from the directory's events. */
    private final Map<UUID, String> announced = new ConcurrentHashMap<>();
    private final List<Runnable> viewHandlers = new CopyOnWriteArrayList<>();
    /** The campaign of the oldest-member kind now running, if any; the one view handler checks it. */
    private volatile OldestHeld oldestCampaign;
    /** The FencedLock campaigns (and holders) now running; CpMembership's thread looks for stuck ones. */
    private final Set<RaftHeld> raftCampaigns = ConcurrentHashMap.newKeySet();
    /** A CP call running longer than this when the CP group answers again is stuck (tryLock waits 0.5 s). */
    private static final long STUCK_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(2);

    /**
     * Blocking (Hazelcast's map proxy, the CP member file): call it from a worker, once the node holds the
     * data directory's lock.
     */
    HazelcastCoordination(Vertx vertx, HazelcastInstance hazelcast, String nodeId, boolean raft, java.nio.file.Path dataDir) {
        this.vertx = vertx;
        this.hazelcast = hazelcast;
        this.nodeId = nodeId;
        this.raft = raft;
        if (!raft) {
            LOG.warn("clusterCpMembers is 0: the oldest member leads the catalog and a change needs every live node; "
                    + "such a cluster is not partition-tolerant (use 3 or more nodes with clusterCpMembers 3)");
        }
        IMap<String, String> directory = hazelcast.getMap(Membership.DIRECTORY);
        directory.addEntryListener(new DirectoryListener(), true);
        hazelcast.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
                // Its announcement may have come before this listener (or, after a merge, before this member
                // rejoined): read it rather than wait for an event that will not come again.
                UUID added = event.getMember().getUuid();
                directory.getAsync(added.toString()).thenAccept(entry -> {
                    if (entry != null) {
                        announced(added, entry);
                    }
                });
                viewChanged();
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                // The first step of a failover: its time against the kill is in RESULTS.md (#10).
                LOG.info("Member {} (node {}) left the view", event.getMember().getAddress(), announced.get(event.getMember().getUuid()));
                announced.remove(event.getMember().getUuid());
                viewChanged();
            }
        });
        if (!raft) {
            // One handler for every campaign: a campaign that failed and retries must not add another.
            onViewChange(() -> {
                OldestHeld campaign = oldestCampaign;
                if (campaign != null) {
                    campaign.check();
                }
            });
        }
        UUID self = hazelcast.getCluster().getLocalMember().getUuid();
        announced.put(self, nodeId);
        directory.putIfAbsent(self.toString(), new JsonObject().put("nodeId", nodeId).put("status", "STARTING").encode());
        directory.forEach((uuid, entry) -> announced.put(UUID.fromString(uuid), new JsonObject(entry).getString("nodeId")));
        // A split-brain merge gives this member a new UUID, and while apart it saw the others leave: read the
        // whole directory again, off Hazelcast's event thread (Membership announces this node anew).
        hazelcast.getLifecycleService().addLifecycleListener(event -> {
            if (event.getState() == com.hazelcast.core.LifecycleEvent.LifecycleState.MERGED) {
                announced.put(hazelcast.getCluster().getLocalMember().getUuid(), nodeId);
                vertx.executeBlocking(() -> {
                    directory.forEach((uuid, entry) -> announced(UUID.fromString(uuid), entry));
                    return null;
                });
                viewChanged();
            }
        });
        if (raft) {
            CpMembership.start(hazelcast, dataDir, nodeId, this::liveNodes, this::cpAnswersAgain);
        }
    }

    /**
     * The CP group answers again after it did not (CpMembership): a campaign (not a leadership won) stuck in a
     * CP call since before then gives up at once and the catalog campaigns afresh. After a CP reset such a call goes to the old,
     * destroyed group and failed only with a NotLeaderException about 31 s later, most of the catalog's
     * recovery time in fault runs (RELIABILITY.md, seeds 24 and 25).
     */
    private void cpAnswersAgain() {
        raftCampaigns.forEach(RaftHeld::giveUpIfStuck);
    }

    /** Records a member's announcement (a directory entry); a member newly announced changes the view. */
    private void announced(UUID member, String entry) {
        if (announced.put(member, new JsonObject(entry).getString("nodeId")) == null) {
            viewChanged();
        }
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public Set<String> liveNodes() {
        Set<String> live = new TreeSet<>();
        for (Member m : hazelcast.getCluster().getMembers()) {
            String id = announced.get(m.getUuid());
            if (id != null) {
                live.add(id);
            }
        }
        live.add(nodeId);
        return live;
    }

    @Override
    public void onViewChange(Runnable handler) {
        viewHandlers.add(handler);
    }

    @Override
    public boolean partitionTolerant() {
        return raft;
    }

    private void viewChanged() {
        viewHandlers.forEach(Runnable::run);
    }

    @Override
    public Future<Leadership> lead() {
        Context caller = vertx.getOrCreateContext();
        Promise<Leadership> led = Promise.promise();
        Held held = raft ? new RaftHeld(caller, led) : new OldestHeld(caller, led);
        held.campaign();
        return led.future();
    }

    /** Leadership of either kind: completes {@code lost} once, on the campaigner's context. */
    private abstract class Held implements Leadership {
        final Context caller;
        final Promise<Leadership> led;
        final Promise<Void> lost = Promise.promise();
        volatile boolean released;

        Held(Context caller, Promise<Leadership> led) {
            this.caller = caller;
            this.led = led;
        }

        abstract void campaign();

        void won() {
            caller.runOnContext(v -> led.tryComplete(this));
        }

        void ended() {
            caller.runOnContext(v -> {
                led.tryFail("leadership ended before it was won");
                lost.tryComplete();
            });
        }

        @Override
        public Future<Void> lost() {
            return lost.future();
        }

        @Override
        public void release() {
            released = true;
        }
    }

    /** The FencedLock, on a thread of its own from taking to unlocking. */
    private final class RaftHeld extends Held {
        /** When the campaign's CP call now running (the proxy or a tryLock) began (System.nanoTime), or 0 between calls. */
        private volatile long callSinceNanos;

        RaftHeld(Context caller, Promise<Leadership> led) {
            super(caller, led);
        }

        @Override
        void campaign() {
            raftCampaigns.add(this);
            Thread t = new Thread(this::run, "riffle-catalog-leadership");
            t.setDaemon(true);
            t.start();
        }

        private void run() {
            FencedLock lock = null;
            try {
                lock = cpCall(() -> hazelcast.getCPSubsystem().getLock(LOCK));
                FencedLock proxy = lock; // the lambda needs a final one; finally needs lock
                while (!released && !cpCall(() -> proxy.tryLock(WATCH_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS))) {
                    // Another node leads; keep asking until it goes or this node stops.
                }
                if (!released) {
                    LOG.info("Node {} holds the catalog lock (fence {})", nodeId, lock.getFence());
                    won();
                    while (!released && lock.isLockedByCurrentThread()) {
                        Thread.sleep(WATCH_MILLIS);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // No CP quorum yet, a lost session, a shut-down instance: leadership is not (or no longer) held.
                LOG.warn("Catalog leadership on node {} ended: {}", nodeId, e.toString());
            } finally {
                raftCampaigns.remove(this);
                unlock(lock);
                ended();
            }
        }

        /**
         * Runs one CP call, marking its start for {@link #giveUpIfStuck}. Getting the lock's proxy is one too: it
         * asks the CP group and, when that group is gone, blocks until Hazelcast gives up (seed 24's fault run: a
         * campaign begun before a CP reset waited 110 s there, 20 s past the reset, not given up while only
         * tryLock was timed).
         */
        private <T> T cpCall(java.util.function.Supplier<T> call) {
            callSinceNanos = System.nanoTime();
            try {
                return call.get();
            } finally {
                callSinceNanos = 0;
            }
        }

        /**
         * Ends this campaign now if its thread is stuck in a CP call although the CP group answers: the node
         * campaigns again on a fresh thread. The stuck thread finds {@link #released} when its call returns
         * and unlocks if that call took the lock; a leader it briefly overlaps with is fenced by the catalog's
         * epochs, which never trust the lock alone. A leadership already won is left alone: its watch call
         * comes back by itself once the group answers (or fails, ending it), and ending it here would cost the
         * catalog a leader change that may not be needed.
         */
        void giveUpIfStuck() {
            long since = callSinceNanos;
            if (since != 0 && !released && !led.future().isComplete() && System.nanoTime() - since > STUCK_NANOS) {
                LOG.warn("Catalog campaign on node {} stuck in a CP call for {} ms although the CP group answers again: "
                        + "campaigning afresh", nodeId, java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since));
                released = true;
                raftCampaigns.remove(this);
                ended();
            }
        }

        private void unlock(FencedLock lock) {
            try {
                if (lock != null && lock.isLockedByCurrentThread()) {
                    lock.unlock();
                }
            } catch (RuntimeException e) {
                LOG.debug("Unlocking the catalog lock failed: {}", e.toString());
            }
        }

        @Override
        public Future<Long> nextEpoch(long floor) {
            return vertx.executeBlocking(() -> {
                IAtomicLong epoch = hazelcast.getCPSubsystem().getAtomicLong(EPOCH);
                while (true) {
                    long now = epoch.get();
                    long next = Math.max(now, floor) + 1;
                    if (epoch.compareAndSet(now, next)) {
                        return next;
                    }
                }
            });
        }
    }

    /** The oldest member of the view leads; checked at each change of the view. */
    private final class OldestHeld extends Held {
        private volatile boolean leading;

        OldestHeld(Context caller, Promise<Leadership> led) {
            super(caller, led);
        }

        @Override
        void campaign() {
            oldestCampaign = this;
            check();
        }

        private synchronized void check() {
            if (lost.future().isComplete()) {
                return;
            }
            boolean oldest = hazelcast.getCluster().getMembers().iterator().next().localMember();
            if (released || (leading && !oldest)) {
                ended();
            } else if (oldest && !leading) {
                leading = true;
                won();
            }
        }

        @Override
        public void release() {
            super.release();
            check();
        }

        @Override
        public Future<Long> nextEpoch(long floor) {
            return Future.succeededFuture(floor + 1);
        }
    }

    private final class DirectoryListener implements EntryAddedListener<String, String>,
            EntryUpdatedListener<String, String>, EntryRemovedListener<String, String> {
        @Override
        public void entryAdded(EntryEvent<String, String> event) {
            put(event);
        }

        @Override
        public void entryUpdated(EntryEvent<String, String> event) {
            put(event);
        }

        @Override
        public void entryRemoved(EntryEvent<String, String> event) {
            announced.remove(UUID.fromString(event.getKey()));
            viewChanged();
        }

        private void put(EntryEvent<String, String> event) {
            announced(UUID.fromString(event.getKey()), event.getValue());
        }
    }
}
