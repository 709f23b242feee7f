package io.riffle.node;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.cp.CPMember;
import com.hazelcast.map.IMap;
import io.riffle.gateway.ClusterView;
import io.riffle.gateway.Health;
import io.vertx.core.CompositeFuture;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.concurrent.CompletionStage;

/**
 * This node's place in its cluster, for {@code GET /v1/cluster}. Standalone, the node is the one member.
 * Clustered, the members are Hazelcast's current view (oldest first); each member announces its stable node
 * id and HTTP address in the Hazelcast map {@value #DIRECTORY}, keyed by its member UUID (new at every
 * start, so a restarted node never shows twice). A member seen in the view before its announcement is
 * {@code STARTING}; a member that left is gone from the view, and the members still there drop its entry.
 */
abstract class Membership implements ClusterView {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Membership.class);
    /** The Hazelcast map of announcements; not an event-bus address. */
    static final String DIRECTORY = "riffle-cluster-members";

    protected final String clusterName;
    protected final String nodeId;
    protected final Health health;
    protected volatile String httpAddress;

    private Membership(String clusterName, String nodeId, Health health) {
        this.clusterName = clusterName;
        this.nodeId = nodeId;
        this.health = health;
    }

    static Membership standalone(String clusterName, String nodeId, Health health) {
        return new Standalone(clusterName, nodeId, health);
    }

    static Membership clustered(HazelcastInstance hazelcast, String clusterName, String nodeId, Health health,
                                java.util.function.Supplier<JsonObject> catalog) {
        return new Clustered(hazelcast, clusterName, nodeId, health, catalog);
    }

    /**
     * Tells the cluster this node serves HTTP on {@code httpHost:port}, in its current state. A wildcard host
     * ({@code 0.0.0.0}) is replaced by the address others reach this node at.
     */
    abstract Future<Void> announce(String httpHost, int port);

    protected JsonObject self() {
        JsonObject now = health.report(false).body();
        return member(nodeId, null, httpAddress, now.getString("status"), now.getString("reason"));
    }

    /** A member as {@code GET /v1/cluster} shows it: its health is its {@code /health} answer's status and reason. */
    protected static JsonObject member(String nodeId, String address, String httpAddress, String status, String reason) {
        JsonObject m = new JsonObject().put("nodeId", nodeId).put("address", address).put("httpAddress", httpAddress)
                .put("status", status);
        return reason == null ? m : m.put("reason", reason);
    }

    protected JsonObject view(String mode, List<JsonObject> members) {
        return new JsonObject().put("clusterName", clusterName).put("self", nodeId).put("mode", mode)
                .put("members", new JsonArray(new ArrayList<>(members)));
    }

    private static final class Standalone extends Membership {
        Standalone(String clusterName, String nodeId, Health health) {
            super(clusterName, nodeId, health);
        }

        @Override
        Future<Void> announce(String httpHost, int port) {
            // Alone, the node knows no better name for a wildcard than the wildcard itself.
            this.httpAddress = httpHost + ":" + port;
            return Future.succeededFuture();
        }

        @Override
        public Future<JsonObject> describe() {
            return Future.succeededFuture(view("standalone", List.of(self())));
        }
    }

    private static final class Clustered extends Membership {
        private static final long CP_QUERY_MILLIS = 2_000;
        private final HazelcastInstance hazelcast;
        private final IMap<String, String> directory;
        private final java.util.function.Supplier<JsonObject> catalog;
        private boolean listening;

        Clustered(HazelcastInstance hazelcast, String clusterName, String nodeId, Health health,
                  java.util.function.Supplier<JsonObject> catalog) {
            super(clusterName, nodeId, health);
            this.hazelcast = hazelcast;
            this.catalog = catalog;
            this.directory = hazelcast.getMap(DIRECTORY);
            hazelcast.getCluster().addMembershipListener(new MembershipListener() {
                @Override
                public void memberAdded(MembershipEvent event) {
                    // A new member announces itself.
                }

                @Override
                public void memberRemoved(MembershipEvent event) {
                    directory.removeAsync(event.getMember().getUuid().toString());
                    // The directory keeps one backup: when two members go at once (two of three killed), the
                    // partitions they alone held are lost, this node's entry perhaps with them, and a node
                    // that joins later would never count this one live (no shard, no catalog reaches it).
                    // So every survivor writes its entry again, as Vert.x republishes its registrations.
                    if (httpAddress != null) {
                        rewrite();
                    }
                }
            });
            // A split-brain merge gives this member a new UUID, and the others removed the old one's entry when
            // they counted it dead: without announcing again it would stay invisible to them (never live, so
            // never elected nor placed) until it restarts.
            hazelcast.getLifecycleService().addLifecycleListener(event -> {
                if (event.getState() == com.hazelcast.core.LifecycleEvent.LifecycleState.MERGED && httpAddress != null) {
                    LOG.info("Node {} merged back into the cluster as member {}: announcing itself again", nodeId,
                            hazelcast.getCluster().getLocalMember().getUuid());
                    reannounce();
                }
            });
        }

        /** Writes this node's entry again after members left, saying so if it had been lost with them. */
        private void rewrite() {
            CompletionStage<String> written = reannounce();
            if (written != null) {
                written.thenAccept(before -> {
                    if (before == null) {
                        LOG.warn("Node {}'s directory entry was lost with the members that left (they alone held its "
                                + "partition): written again", nodeId);
                    }
                });
            }
        }

        /**
         * Writes this node's entry under its member UUID now (a merge changes it), completing with the entry it
         * replaced; {@code null} if Hazelcast is stopping.
         */
        private CompletionStage<String> reannounce() {
            try {
                return directory.putAsync(hazelcast.getCluster().getLocalMember().getUuid().toString(), entry());
            } catch (RuntimeException shutDown) {
                // Hazelcast is going away with the node: nobody is left to tell.
                return null;
            }
        }

        @Override
        Future<Void> announce(String httpHost, int port) {
            Member local = hazelcast.getCluster().getLocalMember();
            this.httpAddress = (ClusterConfig.isWildcard(httpHost) ? local.getAddress().getHost() : httpHost) + ":" + port;
            if (!listening) {
                // From now on every change of this node's health (a disk failing, stopping) is announced again.
                listening = true;
                health.onChange(this::reannounce);
            }
            return onCaller(directory.setAsync(local.getUuid().toString(), entry())).mapEmpty();
        }

        private String entry() {
            JsonObject now = health.report(false).body();
            JsonObject entry = new JsonObject().put("nodeId", nodeId).put("httpAddress", httpAddress).put("status", now.getString("status"));
            return (now.containsKey("reason") ? entry.put("reason", now.getString("reason")) : entry).encode();
        }

        @Override
        public Future<JsonObject> describe() {
            Member local = hazelcast.getCluster().getLocalMember();
            List<Future<JsonObject>> members = new ArrayList<>();
            List<Member> view = new ArrayList<>(hazelcast.getCluster().getMembers());
            for (Member m : view) {
                String address = m.getAddress().getHost() + ":" + m.getAddress().getPort();
                if (m.getUuid().equals(local.getUuid())) {
                    members.add(Future.succeededFuture(self().put("address", address)));
                } else {
                    members.add(onCaller(directory.getAsync(m.getUuid().toString()))
                            .map(entry -> entry == null ? member(null, address, null, Health.State.STARTING.name(), null)
                                    : announced(new JsonObject(entry), address)));
                }
            }
            Future<Optional<Set<com.hazelcast.cluster.Address>>> cp = cpMembers();
            return Future.all(Future.all(members), cp).map(all -> {
                List<JsonObject> listed = all.<CompositeFuture>resultAt(0).list();
                // Unknown (no CP majority to ask) leaves the field out rather than guess.
                cp.result().ifPresent(addresses -> {
                    for (int i = 0; i < listed.size(); i++) {
                        listed.get(i).put("cpMember", addresses.contains(view.get(i).getAddress()));
                    }
                });
                JsonObject summary = catalog.get();
                return view("clustered", listed)
                        .put("catalog", new JsonObject().put("epoch", summary.getLong("epoch")).put("version", summary.getLong("version")))
                        .put("placement", summary.getJsonObject("placement"))
                        .put("replicas", summary.getJsonObject("replicas"))
                        .put("replicationFactors", summary.getJsonObject("replicationFactors"))
                        .put("moves", summary.getJsonArray("moves")).put("decommissioning", summary.getJsonArray("decommissioning"));
            });
        }

        /**
         * The addresses of the CP group's members (Raft): an empty set without the CP Subsystem, unknown
         * (empty) if the group cannot answer within {@value #CP_QUERY_MILLIS} ms (it needs a majority). By
         * address: a CP member's UUID is not its Hazelcast member's, and a node holds its address.
         */
        private Future<Optional<Set<com.hazelcast.cluster.Address>>> cpMembers() {
            if (hazelcast.getConfig().getCPSubsystemConfig().getCPMemberCount() == 0) {
                return Future.succeededFuture(Optional.of(Set.of()));
            }
            return onCaller(hazelcast.getCPSubsystem().getCPSubsystemManagementService().getCPMembers())
                    .timeout(CP_QUERY_MILLIS, TimeUnit.MILLISECONDS)
                    .map(cp -> Optional.of(cp.stream().map(CPMember::getAddress).collect(Collectors.toSet())))
                    .otherwise(Optional.empty());
        }

        /** Hazelcast completes on its own threads: callbacks (an HTTP answer) go back to the caller's context. */
        private static <T> Future<T> onCaller(CompletionStage<T> stage) {
            Context context = Vertx.currentContext();
            return context == null ? Future.fromCompletionStage(stage) : Future.fromCompletionStage(stage, context);
        }

        private static JsonObject announced(JsonObject entry, String address) {
            return member(entry.getString("nodeId"), address, entry.getString("httpAddress"), entry.getString("status"),
                    entry.getString("reason"));
        }
    }
}
