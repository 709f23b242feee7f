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
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import java.util.Map;

/**
 * Hazelcast's cluster manager with Riffle's node-local event-bus addresses ({@link Addresses#isNodeLocal})
 * kept off the cluster: their consumers are never registered cluster-wide and a lookup finds none, so the
 * clustered event bus delivers every message to them on the sending node (it falls back to local delivery
 * when no node is registered). A node's health hears only its own shards. Every other address is
 * clustered: the catalog leader's control plane, each replica, each shard on its owner node.
 */
final class NodeLocalClusterManager implements ClusterManager {
    private final HazelcastClusterManager hazelcast;

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
            hazelcast.getRegistrations(address, done);
        }
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
        hazelcast.nodeListener(listener);
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
        hazelcast.join(done);
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
        hazelcast.registrationListener(listener);
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
