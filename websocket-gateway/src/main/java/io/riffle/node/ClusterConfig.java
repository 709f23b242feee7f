package io.riffle.node;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The cluster part of a {@link NodeConfig}: whether the node joins a cluster, how it finds the other
 * members, and where its clustered event bus listens. Off by default; a standalone node ignores the rest.
 *
 * @param enabled           join a cluster ({@code cluster})
 * @param name              the cluster's name; only nodes of the same name form a cluster
 * @param host              the interface Hazelcast binds to and announces; {@code 0.0.0.0} = any
 * @param port              Hazelcast's port
 * @param discovery         how members find each other
 * @param members           TCP-IP seeds as {@code host:port}, for {@link Discovery#TCP}
 * @param kubernetesService the headless Service's DNS name, for {@link Discovery#KUBERNETES}
 * @param eventBusHost      the event bus's interface ({@code clusterHost} unless set)
 * @param eventBusPort      the event bus's port, 0 for any free one
 * @param eventBusPublicHost the host other nodes connect to for this node's event bus; empty = the bound one
 * @param eventBusPublicPort the port other nodes connect to for this node's event bus (a port mapping, a
 *                          proxy); 0 = the bound one
 * @param cpMembers         members of Hazelcast's CP Subsystem (Raft) for catalog leadership; 0 = off
 * @param tls               mutual TLS on the event bus ({@code clusterTls}), or empty for plain TCP
 * @param failureDetectionSeconds seconds without a heartbeat before a member counts as dead
 *                          ({@code clusterFailureDetectionSeconds}); drives every Hazelcast timeout of {@link ClusterBoot}
 */
public record ClusterConfig(boolean enabled, String name, String host, int port, Discovery discovery,
                            List<String> members, String kubernetesService, String eventBusHost, int eventBusPort,
                            String eventBusPublicHost, int eventBusPublicPort, int cpMembers, Optional<Tls> tls,
                            int failureDetectionSeconds) {

    /**
     * The event bus's TLS: every node shows {@code certFile} and accepts only peers whose certificate chains to
     * one in {@code trustFile}, both ways (PEM files).
     */
    public record Tls(String certFile, String keyFile, String trustFile) {
    }

    /** How members find each other. */
    public enum Discovery {
        /** The seeds in {@code clusterMembers}. */
        TCP,
        /** The DNS records of a headless Kubernetes Service. */
        KUBERNETES
    }

    public ClusterConfig {
        members = List.copyOf(members);
    }

    private static final String HOST_PORT = "([A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\]):(\\d{1,5})";

    /** Reads and checks the cluster settings; combinations are checked only when the cluster is on. */
    static ClusterConfig parse(NodeConfig.Parser p) {
        boolean enabled = p.bool(Setting.CLUSTER);
        String name = p.matching(Setting.CLUSTER_NAME, "[A-Za-z0-9._-]{1,64}",
                "must be 1 to 64 letters, digits, '.', '_' or '-'");
        String host = p.matching(Setting.CLUSTER_HOST, "[A-Za-z0-9.:-]+", "must be a host name or IP address");
        int port = (int) p.longIn(Setting.CLUSTER_PORT, 1, 65535);
        Discovery discovery = discovery(p);
        List<String> members = members(p);
        String service = p.matching(Setting.CLUSTER_KUBERNETES_SERVICE, "([a-z0-9]([a-z0-9.-]*[a-z0-9])?)?",
                "must be a DNS name such as riffle-hs.default.svc.cluster.local");
        String busHost = p.matching(Setting.EVENT_BUS_HOST, "[A-Za-z0-9.:-]*", "must be a host name, an IP address or empty");
        int busPort = (int) p.longIn(Setting.EVENT_BUS_PORT, 0, 65535);
        String busPublicHost = p.matching(Setting.EVENT_BUS_PUBLIC_HOST, "[A-Za-z0-9.:-]*",
                "must be a host name, an IP address or empty");
        int busPublicPort = (int) p.longIn(Setting.EVENT_BUS_PUBLIC_PORT, 0, 65535);
        if (enabled && discovery == Discovery.TCP && members.isEmpty()) {
            throw p.bad(Setting.CLUSTER_MEMBERS, "must list at least one host:port seed when cluster is true with tcp discovery");
        }
        if (enabled && discovery == Discovery.KUBERNETES && service.isEmpty()) {
            throw p.bad(Setting.CLUSTER_KUBERNETES_SERVICE, "must name the headless Service when cluster is true with kubernetes discovery");
        }
        return new ClusterConfig(enabled, name, host, port, discovery, members, service,
                busHost.isEmpty() ? host : busHost, busPort, busPublicHost, busPublicPort, cpMembers(p, discovery, members), tls(p),
                // Below 2 s one lost heartbeat (a GC pause, a busy core) would already evict a live member.
                (int) p.longIn(Setting.CLUSTER_FAILURE_DETECTION_SECONDS, 2, 300));
    }

    /** The three files are required with {@code clusterTls}: a node cannot vouch for the others by itself. */
    private static Optional<Tls> tls(NodeConfig.Parser p) {
        if (!p.bool(Setting.CLUSTER_TLS)) {
            return Optional.empty();
        }
        String why = "must be a readable PEM file when clusterTls is true";
        return Optional.of(new Tls(p.readableFile(Setting.CLUSTER_TLS_CERT_FILE, why),
                p.readableFile(Setting.CLUSTER_TLS_KEY_FILE, why), p.readableFile(Setting.CLUSTER_TLS_TRUST_FILE, why)));
    }

    /** Raft needs 3 to 7 members, odd so a majority is unambiguous; auto picks 3 when 3 nodes are expected. */
    private static int cpMembers(NodeConfig.Parser p, Discovery discovery, List<String> members) {
        String text = p.text(Setting.CLUSTER_CP_MEMBERS).trim().toLowerCase(Locale.ROOT);
        if (text.equals("auto")) {
            return discovery == Discovery.KUBERNETES || members.size() >= 3 ? 3 : 0;
        }
        return switch (text) {
            case "0" -> 0;
            case "3" -> 3;
            case "5" -> 5;
            case "7" -> 7;
            default -> throw p.bad(Setting.CLUSTER_CP_MEMBERS, "must be auto, 0, 3, 5 or 7");
        };
    }

    /** Whether catalog leadership comes from Raft, so the cluster tolerates partitions. */
    public boolean raft() {
        return cpMembers > 0;
    }

    private static Discovery discovery(NodeConfig.Parser p) {
        return switch (p.text(Setting.CLUSTER_DISCOVERY).toLowerCase(Locale.ROOT)) {
            case "tcp" -> Discovery.TCP;
            case "kubernetes" -> Discovery.KUBERNETES;
            default -> throw p.bad(Setting.CLUSTER_DISCOVERY, "must be tcp or kubernetes");
        };
    }

    private static List<String> members(NodeConfig.Parser p) {
        List<String> members = new ArrayList<>();
        String text = p.text(Setting.CLUSTER_MEMBERS);
        if (text.isEmpty()) {
            return members;
        }
        for (String part : text.split(",", -1)) {
            String member = part.trim();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(HOST_PORT).matcher(member);
            if (!m.matches() || Integer.parseInt(m.group(2)) < 1 || Integer.parseInt(m.group(2)) > 65535) {
                throw p.bad(Setting.CLUSTER_MEMBERS, "must be comma-separated host:port seeds (port 1..65535), not '"
                        + member + "'");
            }
            members.add(member);
        }
        return members;
    }

    /** Binds to every interface: Hazelcast then announces the one it picks. */
    public boolean bindsAny() {
        return isWildcard(host);
    }

    /** {@code 0.0.0.0} or {@code ::}: an address to bind to, never one to give others. */
    static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::");
    }
}
