package io.riffle.node;

import io.riffle.bus.Addresses;
import io.vertx.core.Completable;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxBootstrap;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.shareddata.Counter;
import io.vertx.core.shareddata.Lock;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.core.spi.cluster.NodeListener;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.core.spi.cluster.RegistrationListener;
import io.vertx.core.spi.cluster.RegistrationUpdateEvent;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import java.util.Map;

/**
 * Hazelcast's cluster manager with Riffle's node-local event-bus addresses ({@link Addresses#isNodeLocal})
 * kept off the cluster: their consumers are never registered cluster-wide and a lookup finds none, so the
 * clustered event bus delivers every message to them on the sending node (it falls back to local delivery
 * when no node is registered). A node's health hears only its own shards. Every other address is
 * clustered: the catalog leader's control plane, each replica, each shard on its owner node.
 *
 * <p>It also hides the registrations of nodes that are not in the member view. Hazelcast drops a dead
 * node's registrations some time after the node left the view (seconds on a busy machine), and until then
 * the event bus keeps sending to it round-robin with the new leader's, and such a request is lost until
 * its timeout. So every list of registrations handed to Vert.x keeps only live nodes', and when a node
 * leaves (or joins) the view the addresses whose lists change are told again.
 */
final class NodeLocalClusterManager implements ClusterManager {
    /** The member attribute in which Vert.x's Hazelcast cluster manager publishes each member's Vert.x node id. */
    private static final String VERTX_NODE_ID = "__vertx.nodeId";
    private final HazelcastClusterManager hazelcast;
    /** Each clustered address's registrations as Hazelcast last gave them, dead nodes included, and how many Vert.x was told. */
    private final Map<String, Known> registrations = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile RegistrationListener listener;

    NodeLocalClusterManager(HazelcastClusterManager hazelcast) {
        this.hazelcast = hazelcast;
    }

    HazelcastClusterManager hazelcast() {
        return hazelcast;
    }

    @Override
    public void addRegistration(String address, RegistrationInfo info, Completable<Void> done) {
        if (Addresses.isNodeLocal(address)) {
            done.succeed();
        } else {
            hazelcast.addRegistration(address, info, done);
        }
    }

    @Override
    public void removeRegistration(String address, RegistrationInfo info, Completable<Void> done) {
        if (Addresses.isNodeLocal(address)) {
            done.succeed();
        } else {
            hazelcast.removeRegistration(address, info, done);
        }
    }

    @Override
    public void getRegistrations(String address, Completable<List<RegistrationInfo>> done) {
        if (Addresses.isNodeLocal(address)) {
            done.succeed(List.of());
        } else {
            hazelcast.getRegistrations(address, (found, err) -> {
                if (err != null) {
                    done.fail(err);
                } else {
                    done.succeed(tell(address, found));
                }
            });
        }
    }

    private record Known(List<RegistrationInfo> all, int told) {
    }

    /** The live part of {@code found}, which is what Vert.x is told, remembered with all of it. */
    private List<RegistrationInfo> tell(String address, List<RegistrationInfo> found) {
        if (found == null || found.isEmpty()) {
            registrations.remove(address);
            return found;
        }
        List<RegistrationInfo> alive = live(found);
        registrations.put(address, new Known(List.copyOf(found), alive.size()));
        return alive;
    }

    private List<RegistrationInfo> live(List<RegistrationInfo> found) {
        java.util.Set<String> members;
        try {
            members = memberNodeIds();
        } catch (RuntimeException stopping) {
            // Hazelcast is shutting down with the node: nothing to filter against.
            return found;
        }
        return found.stream().filter(r -> members.contains(r.nodeId())).toList();
    }

    /**
     * The Vert.x node ids of Hazelcast's members now. Not Vert.x's {@code getNodes()}: when a member leaves,
     * Vert.x first removes its registrations from the cluster-wide map, then drops it from that list and calls
     * nodeLeft, and the removal can take seconds while the partitions migrate (ClusterCrashIT: a control-plane
     * request sent meanwhile to the dead catalog leader waited for its 5 s timeout, in 3 runs of 9).
     */
    private java.util.Set<String> memberNodeIds() {
        com.hazelcast.core.HazelcastInstance instance = hazelcast.getHazelcastInstance();
        if (instance == null) {
            return java.util.Set.copyOf(hazelcast.getNodes());
        }
        return instance.getCluster().getMembers().stream().map(m -> m.getAttribute(VERTX_NODE_ID))
                .filter(java.util.Objects::nonNull).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    /** After a change of the view: tells Vert.x again each address whose live registrations differ from Hazelcast's. */
    private void viewChanged() {
        RegistrationListener l = listener;
        if (l == null) {
            return;
        }
        registrations.forEach((address, known) -> {
            // A node leaving hides its registrations; one joining may show some that arrived before it did.
            if (live(known.all()).size() != known.told() && l.wantsUpdatesFor(address)) {
                l.registrationsUpdated(new RegistrationUpdateEvent(address, tell(address, known.all())));
            }
        });
    }

    // Everything else is Hazelcast's.

    @Override
    public void init(VertxBootstrap bootstrap) {
        // Installed explicitly with withClusterManager, never discovered.
    }

    @Override
    public void init(Vertx vertx) {
        hazelcast.init(vertx);
    }

    @Override
    public <K, V> void getAsyncMap(String name, Completable<AsyncMap<K, V>> done) {
        hazelcast.getAsyncMap(name, done);
    }

    @Override
    public <K, V> Map<K, V> getSyncMap(String name) {
        return hazelcast.getSyncMap(name);
    }

    @Override
    public void getLockWithTimeout(String name, long timeout, Completable<Lock> done) {
        hazelcast.getLockWithTimeout(name, timeout, done);
    }

    @Override
    public void getCounter(String name, Completable<Counter> done) {
        hazelcast.getCounter(name, done);
    }

    @Override
    public String getNodeId() {
        return hazelcast.getNodeId();
    }

    @Override
    public List<String> getNodes() {
        return hazelcast.getNodes();
    }

    @Override
    public void nodeListener(NodeListener listener) {
        hazelcast.nodeListener(new NodeListener() {
            @Override
            public void nodeAdded(String nodeId) {
                listener.nodeAdded(nodeId);
                viewChanged();
            }

            @Override
            public void nodeLeft(String nodeId) {
                listener.nodeLeft(nodeId);
                viewChanged();
            }
        });
    }

    @Override
    public void setNodeInfo(NodeInfo nodeInfo, Completable<Void> done) {
        hazelcast.setNodeInfo(nodeInfo, done);
    }

    @Override
    public NodeInfo getNodeInfo() {
        return hazelcast.getNodeInfo();
    }

    @Override
    public void getNodeInfo(String nodeId, Completable<NodeInfo> done) {
        hazelcast.getNodeInfo(nodeId, done);
    }

    @Override
    public void join(Completable<Void> done) {
        hazelcast.join((joined, err) -> {
            if (err == null) {
                // Hazelcast's own membership events, at once (see memberNodeIds); Vert.x's nodeLeft comes later.
                hazelcast.getHazelcastInstance().getCluster().addMembershipListener(new com.hazelcast.cluster.MembershipListener() {
                    @Override
                    public void memberAdded(com.hazelcast.cluster.MembershipEvent event) {
                        viewChanged();
                    }

                    @Override
                    public void memberRemoved(com.hazelcast.cluster.MembershipEvent event) {
                        viewChanged();
                    }
                });
            }
            done.complete(joined, err);
        });
    }

    @Override
    public void leave(Completable<Void> done) {
        hazelcast.leave(done);
    }

    @Override
    public boolean isActive() {
        return hazelcast.isActive();
    }

    @Override
    public void registrationListener(RegistrationListener listener) {
        this.listener = listener;
        hazelcast.registrationListener(new RegistrationListener() {
            @Override
            public void registrationsUpdated(RegistrationUpdateEvent event) {
                listener.registrationsUpdated(new RegistrationUpdateEvent(event.address(), tell(event.address(), event.registrations())));
            }

            @Override
            public void registrationsLost() {
                listener.registrationsLost();
            }

            @Override
            public boolean wantsUpdatesFor(String address) {
                return listener.wantsUpdatesFor(address);
            }
        });
    }

    @Override
    public String clusterHost() {
        return hazelcast.clusterHost();
    }

    @Override
    public String clusterPublicHost() {
        return hazelcast.clusterPublicHost();
    }
}
