package io.riffle.node;

import com.hazelcast.cluster.Address;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.cp.CPGroup;
import com.hazelcast.cp.CPMember;
import com.hazelcast.cp.CPSubsystemManagementService;
import com.hazelcast.cp.session.CPSession;
import io.riffle.log.DurableFile;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node in Hazelcast's CP group (Raft) across restarts and split-brain merges. Either gives the
 * node a new member UUID, and the open-source CP Subsystem keeps no state on disk, so to Raft the node is a
 * stranger while its old identity stays a voter that never answers: two such events on different nodes
 * cost a 3-member group its majority, and the catalog its leader, for good (RELIABILITY.md, run 1).
 *
 * <p>So the node remembers the CP member UUID it last had in {@code <dataDir>/cluster/}{@value #FILE}, and
 * while it is not a CP member it removes that stale identity from the CP group (or, failing that, a CP
 * member at this node's own address that is not in the member view: this process holds that port, so the
 * other one is dead) and promotes itself once the group is short of {@code cpMemberCount}. Removing needs
 * a majority of the CP group, so it happens only where Raft can still decide. It also closes the CP
 * sessions of departed members at once, so the catalog lock a dead node held frees without waiting out the
 * session TTL.
 *
 * <p>When the CP group has lost its majority for good (its voters are stale identities that nothing can
 * remove any more, as after two nodes of three restarted at once, or a merge and a restart of two others in
 * quick succession: RELIABILITY.md, seed 21), no Raft call ever succeeds again. Once the CP Subsystem has
 * not answered for {@link #resetAfterMillis} (counted from the earliest failing round of any node, which the
 * nodes share: {@link CpOutage}) and every catalog voter this node knows is live in its view, the
 * Hazelcast master resets it ({@code CPSubsystemManagementService.reset()}: a new CP group of the members now
 * live). That wipes the catalog lock and the epoch counter, which is safe because the catalog does not trust
 * them alone: a new leader takes an epoch above the highest its voters promised, and needs a majority of
 * them; with every voter in this view, no other side of a partition can hold one.
 *
 * <p>Once the CP group answers again after rounds that failed, it tells its owner: a call begun before a reset
 * goes to a CP group that no longer exists and may take half a minute to fail (HazelcastCoordination).
 *
 * <p>All of it runs on one daemon thread of its own: every call here may block on Raft.
 */
final class CpMembership {
    private static final Logger LOG = LoggerFactory.getLogger(CpMembership.class);
    static final String FILE = "cp-member.json";
    private static final int FORMAT_VERSION = 1;
    private static final long PERIOD_MILLIS = 1_000;
    private static final long CALL_SECONDS = 10;
    /** How long a due reset waits for the same member view: past a few of Hazelcast's 1 s heartbeats. */
    private static final long CONFIRM_MILLIS = 5_000;
    /** The bound of the confirming probe: the group has not answered for 24 s already. */
    private static final long CONFIRM_PROBE_SECONDS = 2;

    private final HazelcastInstance hazelcast;
    private final Path file;
    private final String nodeId;
    private final Path dataDir;
    /** The node ids of the members of this node's view that announced themselves. */
    private final Supplier<Set<String>> liveNodes;
    private final long resetAfterMillis;
    /** The failing time the nodes share, so that a master that restarted does not count from its start. */
    private final CpOutage outage;
    /** Since when every round's CP calls failed ({@code -1}: the last round's succeeded); on the thread only. */
    private long failingSinceMillis = -1;
    /** Hears, on the thread, that the CP group answers again after a round whose probes failed (a reset among them). */
    private final Runnable answersAgain;
    /** Whether the last round's probes were answered; on the thread only. */
    private boolean answering = true;
    /** Since when a reset was due, and the member view then ({@code -1}: not due); on the thread only. */
    private long dueSinceMillis = -1;
    private Set<UUID> dueView = Set.of();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "riffle-cp-membership");
        t.setDaemon(true);
        return t;
    });
    /**
     * Where the probe reads the epoch: getting its proxy may block without a bound (seed 24's fault run: a due
     * reset's 2 s confirmation took 17 s, the METADATA group answering while the default one did not), so
     * the probe waits for it here with its bound. A read past its bound leaves this thread to its stuck call
     * and the next probe gets a fresh one: else every probe after it would time out behind it, and the node
     * would not see the CP group answer again (after a reset, say) until Hazelcast gave the old call up.
     * On the membership thread only.
     */
    private java.util.concurrent.ExecutorService epochReads = probeThread();
    /** The CP member UUID this data directory's node last had (empty before its first); on the thread only. */
    private Optional<UUID> remembered;
    /** When this member joined: CP sessions at its address created before then are its predecessor's. */
    private final long joinedMillis = System.currentTimeMillis();

    private CpMembership(HazelcastInstance hazelcast, Path dataDir, String nodeId, Supplier<Set<String>> liveNodes,
                         Runnable answersAgain) {
        this.hazelcast = hazelcast;
        this.answersAgain = answersAgain;
        this.dataDir = dataDir;
        this.liveNodes = liveNodes;
        // Well past what a CP group that can still decide needs: a Raft election, then the auto-removal of a
        // missing member (twice clusterFailureDetectionSeconds).
        this.resetAfterMillis = TimeUnit.SECONDS.toMillis(Math.max(20,
                4L * hazelcast.getConfig().getCPSubsystemConfig().getMissingCPMemberAutoRemovalSeconds()));
        this.outage = new CpOutage(hazelcast);
        this.file = dataDir.resolve("cluster").resolve(FILE);
        this.nodeId = nodeId;
        this.remembered = read(file);
    }

    /**
     * Starts watching. Blocking (reads the file): call it from a worker, once the node holds the data
     * directory's lock.
     */
    static CpMembership start(HazelcastInstance hazelcast, Path dataDir, String nodeId, Supplier<Set<String>> liveNodes,
                              Runnable answersAgain) {
        CpMembership membership = new CpMembership(hazelcast, dataDir, nodeId, liveNodes, answersAgain);
        hazelcast.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
                // A new member is promoted by its own node.
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                Address gone = event.getMember().getAddress();
                membership.submit(() -> membership.closeSessions(s -> s.endpoint().equals(gone)
                        && membership.liveAddresses().noneMatch(gone::equals), "left the cluster"));
            }
        });
        // Session times are the CP leader's clock: across hosts this assumes clocks roughly in step. A session
        // of this node's closed by mistake only costs a leadership it holds, and leaders are fenced.
        membership.submit(() -> membership.closeSessions(s -> s.endpoint().equals(membership.localAddress())
                && s.creationTime() < membership.joinedMillis, "was this node's before it restarted"));
        membership.thread.scheduleWithFixedDelay(membership::check, 0, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        return membership;
    }

    private void submit(Runnable task) {
        try {
            thread.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
            // Hazelcast is shutting down with the node.
        }
    }

    /** One round: remembers this node's CP identity, or replaces its stale one and joins the group. */
    private void check() {
        if (!hazelcast.getLifecycleService().isRunning()) {
            thread.shutdown();
            epochReads.shutdownNow();
            return;
        }
        try {
            CPSubsystemManagementService cp = hazelcast.getCPSubsystem().getCPSubsystemManagementService();
            if (!cp.isDiscoveryCompleted() || dueSinceMillis >= 0) {
                return; // a reset that is due is decided by its confirmation (confirmReset), not by a round
            }
            // A CP member's UUID is its own, not the Hazelcast member's (a promoted member gets a fresh one).
            CPMember local = cp.getLocalCPMember();
            Collection<CPMember> members;
            long asked = System.currentTimeMillis();
            try {
                // Both probes keep the full 10 s bound. At 5 s a node resumed from a pause finished its first round
                // before its merge, promoted itself into the CP group with its pre-merge identity, and after the
                // merge promoted itself every second without ever showing as a member (ClusterCpRejoinIT in a
                // clean-clone CI run, 2026-12-07). At 10 s the round outlasts the merge.
                members = probe(cp, CALL_SECONDS);
                if (failingSinceMillis >= 0) {
                    outage.ended();
                }
                failingSinceMillis = -1;
                dueSinceMillis = -1;
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                answering = false;
                resetIfStuck(e, asked);
                return;
            }
            if (!answering) {
                answering = true;
                answersAgain.run();
            }
            if (local != null && members.stream().anyMatch(m -> m.getUuid().equals(local.getUuid()))) {
                remember(local.getUuid());
                return;
            }
            // Not a CP member, so any CP member with the remembered UUID or at this node's address is a dead
            // predecessor of this process (it holds that address now).
            Optional<CPMember> stale = members.stream().filter(m -> remembered.filter(m.getUuid()::equals).isPresent()).findFirst()
                    .or(() -> members.stream().filter(m -> m.getAddress().equals(localAddress())).findFirst());
            int count = members.size();
            if (stale.isPresent()) {
                LOG.info("Node {} removes its previous CP member {} from the CP group", nodeId, stale.get().getUuid());
                get(cp.removeCPMember(stale.get().getUuid()));
                count--;
            }
            if (count < hazelcast.getConfig().getCPSubsystemConfig().getCPMemberCount()) {
                get(cp.promoteToCPMember());
                LOG.info("Node {} joined the CP group ({} members before it)", nodeId, count);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // No CP majority now, a membership change under way, Hazelcast stopping: the next round tries again.
            LOG.debug("CP membership round on node {} failed: {}", nodeId, e.toString());
        }
    }

    /**
     * Counts a round whose CP calls failed, and resets the CP Subsystem once they have failed for
     * {@link #resetAfterMillis}, if this member is the master (only it may) and the whole cluster the catalog
     * knows is in its view (else the CP group's majority may be alive on the other side of a partition).
     */
    private void resetIfStuck(Exception failure, long askedMillis) throws Exception {
        long now = System.currentTimeMillis();
        if (failingSinceMillis < 0) {
            // Unanswered since the call was made, not since its 10 s bound ran out.
            failingSinceMillis = askedMillis;
        }
        // The earliest failing time of any node (not before the last reset): this node may have restarted
        // into an outage the others have counted for long, or be the master now because the last one died.
        failingSinceMillis = outage.failingSince(failingSinceMillis);
        LOG.debug("CP Subsystem did not answer node {} ({} ms now): {}", nodeId, now - failingSinceMillis, failure.toString());
        if (now - failingSinceMillis < resetAfterMillis
                || !hazelcast.getCluster().getMembers().iterator().next().localMember()) {
            dueSinceMillis = -1;
            return;
        }
        Set<String> voters = io.riffle.cluster.CatalogReplica.storedVoters(dataDir);
        Set<String> live = liveNodes.get();
        if (voters.isEmpty() || !live.containsAll(voters)) {
            LOG.warn("CP Subsystem has not answered for {} s; not resetting it while catalog voters {} are not all live ({})",
                    (now - failingSinceMillis) / 1000, voters, live);
            dueSinceMillis = -1;
            return;
        }
        // A node just resumed from a pause (SIGSTOP, a long GC) still sees the view it had before: itself the
        // master, the others live, and the whole pause counted as failing. Its view is stale until Hazelcast's
        // next heartbeats (the others removed it meanwhile; it merges back under a new UUID). So the reset
        // waits for the same view to stand CONFIRM_MILLIS longer (seed 22's fault run: a node reset the CP
        // Subsystem the moment it resumed, from a view the others had left).
        Set<UUID> view = hazelcast.getCluster().getMembers().stream().map(Member::getUuid).collect(java.util.stream.Collectors.toSet());
        if (dueSinceMillis < 0 || !view.equals(dueView)) {
            // Once per view, so the log shows how long a due reset waits for a view to stand.
            LOG.info("CP Subsystem has not answered for {} s and every catalog voter {} is live: resetting it if member view {} "
                    + "stands {} ms more", (now - failingSinceMillis) / 1000, voters, view, CONFIRM_MILLIS);
            dueSinceMillis = now;
            dueView = view;
            // Confirmed by a look of its own once the view could have moved on, not by the next round: a round
            // whose CP calls time out takes 10-20 s (a fault run waited 30 s for it).
            thread.schedule(this::confirmReset, CONFIRM_MILLIS, TimeUnit.MILLISECONDS);
            return;
        }
        if (now - dueSinceMillis < CONFIRM_MILLIS) {
            thread.schedule(this::confirmReset, CONFIRM_MILLIS - (now - dueSinceMillis), TimeUnit.MILLISECONDS);
            return;
        }
        LOG.warn("CP Subsystem has not answered for {} s and every catalog voter {} is live: resetting it (a new CP group "
                + "of the members now live; the catalog elects a new leader at a higher epoch)", (now - failingSinceMillis) / 1000, voters);
        try {
            hazelcast.getCPSubsystem().getCPSubsystemManagementService().reset().toCompletableFuture().get(60, TimeUnit.SECONDS);
            failingSinceMillis = -1;
            outage.reset(System.currentTimeMillis());
        } finally {
            dueSinceMillis = -1; // done, or failed: the rounds go on either way
        }
        LOG.warn("Node {} reset the CP Subsystem", nodeId);
    }

    /**
     * Whether the CP group answers, each call bounded by {@code seconds}: its members (the METADATA group, asked
     * first), then the epoch, in the group the catalog's lock and epoch live in (on {@link #epochReads}: its
     * proxy may block without a bound).
     */
    private Collection<CPMember> probe(CPSubsystemManagementService cp, long seconds) throws Exception {
        Collection<CPMember> members = cp.getCPMembers().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
        java.util.concurrent.Future<Long> epoch = epochReads.submit(() -> hazelcast.getCPSubsystem()
                .getAtomicLong(HazelcastCoordination.EPOCH).getAsync().toCompletableFuture().get(seconds, TimeUnit.SECONDS));
        try {
            epoch.get(seconds, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException stuck) {
            epochReads.shutdownNow();
            epochReads = probeThread();
            throw stuck;
        }
        return members;
    }

    private static java.util.concurrent.ExecutorService probeThread() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "riffle-cp-probe");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * A due reset, {@link #CONFIRM_MILLIS} later: one quick probe (the CP group may have come back meanwhile),
     * then {@link #resetIfStuck} checks the master, the voters and the view again.
     */
    private void confirmReset() {
        if (dueSinceMillis < 0 || !hazelcast.getLifecycleService().isRunning()) {
            return;
        }
        try {
            probe(hazelcast.getCPSubsystem().getCPSubsystemManagementService(), CONFIRM_PROBE_SECONDS);
            dueSinceMillis = -1; // it answers: the next round counts it so
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            try {
                resetIfStuck(e, System.currentTimeMillis());
            } catch (InterruptedException stop) {
                Thread.currentThread().interrupt();
            } catch (Exception failed) {
                LOG.warn("CP reset on node {} failed: {}", nodeId, failed.toString());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            dueSinceMillis = -1;
            LOG.debug("Confirming a CP reset on node {} failed: {}", nodeId, e.toString());
        }
    }

    /**
     * Force-closes the CP sessions in the default group (where the catalog lock and epoch live) that
     * {@code stale} picks; their locks are released at once instead of after the session TTL.
     */
    private void closeSessions(Predicate<CPSession> stale, String why) {
        if (dueSinceMillis >= 0) {
            // A reset is due: it wipes every session anyway, and this call would hold the thread for its whole
            // bound, delaying the reset's confirmation (seed 24's fault run: 10 s of a 12 s wait).
            return;
        }
        try {
            var sessions = hazelcast.getCPSubsystem().getCPSessionManagementService();
            for (CPSession s : get(sessions.getAllSessions(CPGroup.DEFAULT_GROUP_NAME))) {
                if (s.endpointType() == CPSession.CPSessionOwnerType.SERVER && stale.test(s)
                        && get(sessions.forceCloseSession(CPGroup.DEFAULT_GROUP_NAME, s.id()))) {
                    LOG.info("Node {} closed CP session {} of {}: it {}", nodeId, s.id(), s.endpoint(), why);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // Sessions expire after the TTL anyway.
            LOG.debug("Closing stale CP sessions on node {} failed: {}", nodeId, e.toString());
        }
    }

    private Address localAddress() {
        return hazelcast.getCluster().getLocalMember().getAddress();
    }

    private java.util.stream.Stream<Address> liveAddresses() {
        return hazelcast.getCluster().getMembers().stream().map(Member::getAddress);
    }

    private void remember(UUID self) throws IOException {
        if (remembered.filter(self::equals).isEmpty()) {
            Files.createDirectories(file.getParent());
            DurableFile.write(file, new JsonObject().put("formatVersion", FORMAT_VERSION).put("cpMemberUuid", self.toString())
                    .encodePrettily().getBytes(StandardCharsets.UTF_8));
            remembered = Optional.of(self);
        }
    }

    /** A hint only: without it the stale identity is found by this node's address, so a bad file is ignored. */
    private static Optional<UUID> read(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            JsonObject json = new JsonObject(Files.readString(file));
            if (!Integer.valueOf(FORMAT_VERSION).equals(json.getInteger("formatVersion"))) {
                LOG.warn("{} has format version {}, this node reads {}: ignored", file, json.getValue("formatVersion"), FORMAT_VERSION);
                return Optional.empty();
            }
            return Optional.of(UUID.fromString(json.getString("cpMemberUuid")));
        } catch (IOException | DecodeException | ClassCastException | IllegalArgumentException | NullPointerException e) {
            LOG.warn("{} is not a readable CP member record ({}): ignored", file, e.toString());
            return Optional.empty();
        }
    }

    private static <T> T get(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(CALL_SECONDS, TimeUnit.SECONDS);
    }
}
