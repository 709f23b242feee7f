package io.riffle.node;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.HazelcastInstance;
import io.riffle.security.TlsPolicy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Starts a clustered node's Vert.x: Hazelcast configured in code (nothing read from a {@code cluster.xml}),
 * joined through the seeds or a headless Kubernetes Service, never by multicast, never phoning home, logging
 * through SLF4J (at WARN unless the logging configuration says otherwise). Used only with
 * {@code cluster: true}; a standalone node never loads Hazelcast.
 */
final class ClusterBoot {
    private static final String PHONE_HOME = "hazelcast.phone.home.enabled";

    private ClusterBoot() {
    }

    /** A node's Vert.x and, when clustered, its Hazelcast member. */
    record Booted(Vertx vertx, Optional<HazelcastInstance> hazelcast) {
    }

    /** The clustered Vert.x, built from {@code builder} (metrics, transport) once this member joined. */
    static Future<Booted> start(VertxBuilder builder, VertxOptions options, ClusterConfig cluster) {
        // Read by Hazelcast before any config is: the instance must not probe the network about itself.
        System.setProperty(PHONE_HOME, "false");
        System.setProperty("hazelcast.logging.type", "slf4j");
        Config hazelcast;
        try {
            hazelcast = hazelcastConfig(cluster);
        } catch (UnknownHostException e) {
            return Future.failedFuture(new ConfigException("Invalid setting 'clusterHost' = '" + cluster.host()
                    + "': cannot resolve it (" + e.getMessage() + ")"));
        }
        options.setEventBusOptions(eventBusOptions(cluster));
        HazelcastClusterManager manager = new HazelcastClusterManager(hazelcast);
        return builder.with(options)
                .withClusterManager(new NodeLocalClusterManager(manager))
                .buildClustered()
                .map(vertx -> new Booted(vertx, Optional.of(manager.getHazelcastInstance())));
    }

    /**
     * The clustered event bus's options. A wildcard host is left to Vert.x, which then binds to and announces
     * the address Hazelcast picked: announcing {@code 0.0.0.0} would send the other nodes to themselves.
     */
    static EventBusOptions eventBusOptions(ClusterConfig cluster) {
        EventBusOptions options = new EventBusOptions().setPort(cluster.eventBusPort());
        if (!ClusterConfig.isWildcard(cluster.eventBusHost())) {
            options.setHost(cluster.eventBusHost());
        }
        if (!cluster.eventBusPublicHost().isEmpty()) {
            options.setClusterPublicHost(cluster.eventBusPublicHost());
        }
        cluster.tls().ifPresent(tls -> TlsPolicy.apply(options.setSsl(true)
                .setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.certFile()).setKeyPath(tls.keyFile()))
                .setTrustOptions(new PemTrustOptions().addCertPath(tls.trustFile()))
                // Mutual: a node without a trusted certificate can neither send to nor receive from the others.
                // Vert.x verifies no host name on the event bus: the trust file alone says who is a peer.
                .setClientAuth(ClientAuth.REQUIRED)));
        if (cluster.eventBusPublicPort() > 0) {
            options.setClusterPublicPort(cluster.eventBusPublicPort());
        }
        return options;
    }

    /**
     * Every timeout that decides when a silent member is dead, from the one setting
     * {@code clusterFailureDetectionSeconds} (F, 3 by default; Hazelcast's defaults add up to minutes):
     * <ul>
     *   <li>the member view: heartbeats every F/3 s, a member silent for F s leaves the view (and its
     *       event-bus registrations), so its shards fail over;</li>
     *   <li>CP sessions: a dead node's session, and so the catalog lock it may hold, expires after F s;</li>
     *   <li>CP membership: a CP member missing for 2F s is removed, so a spare member is promoted in its
     *       place before a second loss costs the group its majority (twice F: a node restarting meanwhile
     *       removes its own stale identity first, even when the Raft leader it killed took F s to replace);</li>
     *   <li>Raft: a group leader is heartbeating every F/3 s and counted dead after three missed heartbeats
     *       (Hazelcast: 5 s x 5), so the CP groups elect a new one within about F s.</li>
     * </ul>
     * Hazelcast requires session heartbeat &lt; session TTL &lt;= auto-removal, which F &gt;= 2 keeps.
     */
    static void failureDetection(Config config, ClusterConfig cluster) {
        int seconds = cluster.failureDetectionSeconds();
        long heartbeatMillis = seconds * 1000L / 3;
        config.setProperty("hazelcast.heartbeat.interval.seconds", String.valueOf(Math.max(1, seconds / 3)));
        config.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(seconds));
        // A member counted dead that is alive after all (a long pause, a healed partition) runs as a cluster of
        // its own until the split-brain check merges it back: within seconds, not Hazelcast's 300 s (then 120 s).
        String mergeSeconds = String.valueOf(Math.max(5, seconds));
        config.setProperty("hazelcast.merge.first.run.delay.seconds", mergeSeconds);
        config.setProperty("hazelcast.merge.next.run.delay.seconds", mergeSeconds);
        if (cluster.raft()) {
            // Catalog leadership (a FencedLock) and epochs (an AtomicLong) live in Raft.
            config.getCPSubsystemConfig().setCPMemberCount(cluster.cpMembers())
                    .setSessionTimeToLiveSeconds(seconds)
                    .setSessionHeartbeatIntervalSeconds(Math.max(1, seconds / 3))
                    .setMissingCPMemberAutoRemovalSeconds(2 * seconds)
                    .getRaftAlgorithmConfig()
                    .setLeaderHeartbeatPeriodInMillis(heartbeatMillis)
                    .setMaxMissedLeaderHeartbeatCount(3)
                    // Hazelcast's 2 s at F = 3: shorter rounds only collide more on a busy machine.
                    .setLeaderElectionTimeoutInMillis(Math.max(1000, 2 * heartbeatMillis));
        }
    }

    /** Hazelcast's configuration for these settings. */
    static Config hazelcastConfig(ClusterConfig cluster) throws UnknownHostException {
        Config config = new Config();
        config.setClusterName(cluster.name());
        config.setProperty(PHONE_HOME, "false");
        config.setProperty("hazelcast.logging.type", "slf4j");
        // The seeds are given: waiting for more to appear only delays the start (5 s by default).
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.socket.bind.any", String.valueOf(cluster.bindsAny()));
        config.getJetConfig().setEnabled(false);
        // Hazelcast's own metrics (collected every 5 s for its Management Center, which Riffle does not use; the
        // node's metrics are Micrometer's): off, about a fifth of an idle node's CPU (RESULTS.md, idle cluster).
        config.getMetricsConfig().setEnabled(false);
        // The last CP members cannot leave the CP group gracefully (no majority is left to agree): a node
        // stopping then gives up waiting after 10 s instead of Hazelcast's 600 s.
        config.setProperty("hazelcast.graceful.shutdown.max.wait", "10");
        failureDetection(config, cluster);
        // What Vert.x's own default-cluster.xml declares for its structures.
        config.addMultiMapConfig(new MultiMapConfig("__vertx.subs").setBackupCount(1)
                .setValueCollectionType(MultiMapConfig.ValueCollectionType.SET));
        config.addMapConfig(new MapConfig("__vertx.haInfo").setBackupCount(1));
        config.addMapConfig(new MapConfig("__vertx.nodeInfo").setBackupCount(1));
        config.addMapConfig(new MapConfig(Membership.DIRECTORY).setBackupCount(1));
        config.addMapConfig(new MapConfig(CpOutage.MAP).setBackupCount(1));

        NetworkConfig network = config.getNetworkConfig();
        network.setPort(cluster.port()).setPortAutoIncrement(false);
        if (!cluster.bindsAny()) {
            // Hazelcast matches interfaces by IP address, so a host name is resolved here.
            network.getInterfaces().setEnabled(true).addInterface(InetAddress.getByName(cluster.host()).getHostAddress());
        }
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        if (cluster.discovery() == ClusterConfig.Discovery.TCP) {
            join.getTcpIpConfig().setEnabled(true).setMembers(cluster.members());
        } else {
            join.getKubernetesConfig().setEnabled(true)
                    .setProperty("service-dns", cluster.kubernetesService())
                    .setProperty("service-port", String.valueOf(cluster.port()));
        }
        return config;
    }
}
