package io.riffle.node;

import java.util.Locale;

/**
 * Every node setting: its key (in YAML), environment variable and command-line flag, all derived from
 * the key by one rule, plus the help line {@code --help} prints. The defaults and the longer
 * documentation live in {@code config/riffle.yaml}.
 */
public enum Setting {
    HOST("host", "interface to bind (0.0.0.0 exposes the node)"),
    PORT("port", "HTTP port, 0 for any free one"),
    GATEWAY_INSTANCES("gatewayInstances", "gateway verticles, 0 = one per core"),
    MAX_BODY_BYTES("maxBodyBytes", "largest request body in bytes"),
    MAX_HEADER_BYTES("maxHeaderBytes", "largest request headers in bytes"),
    MAX_INITIAL_LINE_BYTES("maxInitialLineBytes", "largest request line in bytes"),
    IDLE_TIMEOUT_SECONDS("idleTimeoutSeconds", "idle connection timeout, 0 = none"),
    MAX_CONNECTIONS("maxConnections", "most open connections, 0 = sized to the file descriptor limit"),
    HEADER_READ_TIMEOUT_SECONDS("headerReadTimeoutSeconds", "seconds a request line and headers may take to arrive"),
    SHUTDOWN_TIMEOUT_SECONDS("shutdownTimeoutSeconds", "how long SIGTERM waits for in-flight requests"),
    DATA_DIR("dataDir", "directory for stream metadata and shard logs"),
    FSYNC("fsync", "PER_BATCH or INTERVAL"),
    FSYNC_INTERVAL_MILLIS("fsyncIntervalMillis", "fsync period when fsync is INTERVAL"),
    SEGMENT_BYTES("segmentBytes", "log segment roll size in bytes"),
    LOG_WRITE_THREADS("logWriteThreads", "threads appending and fsyncing shard logs, 0 = max(2, cores)"),
    LOG_READ_THREADS("logReadThreads", "threads reading shard logs, 0 = max(4, 2 x cores)"),
    THROTTLING("throttling", "true to enforce the throughput limits below"),
    WRITE_BYTES_PER_SECOND("writeBytesPerSecond", "per-shard write bytes/s, 0 = off"),
    WRITE_RECORDS_PER_SECOND("writeRecordsPerSecond", "per-shard write records/s, 0 = off"),
    READ_BYTES_PER_SECOND("readBytesPerSecond", "per-shard polling read bytes/s, 0 = off"),
    READ_CALLS_PER_SECOND("readCallsPerSecond", "per-shard polling read calls/s, 0 = off"),
    CONSUMER_BYTES_PER_SECOND("consumerBytesPerSecond", "per-consumer-per-shard push bytes/s, 0 = off"),
    MAX_SHARDS("maxShards", "most shards on this node"),
    MAX_CONSUMERS_PER_STREAM("maxConsumersPerStream", "enhanced fan-out consumers per stream (Kinesis: 20)"),
    STREAM_TRANSITION_MILLIS("streamTransitionMillis", "how long a new stream is CREATING, a deleted one DELETING"),
    ON_DEMAND_SCALE_UP_PERCENT("onDemandScaleUpPercent", "an ON_DEMAND shard above this % of its write limit splits"),
    ON_DEMAND_SCALE_DOWN_PERCENT("onDemandScaleDownPercent", "two ON_DEMAND neighbours below this % merge (0 = never)"),
    ON_DEMAND_WINDOW_MILLIS("onDemandWindowMillis", "window over which ON_DEMAND write rates are measured"),
    ON_DEMAND_COOL_DOWN_MILLIS("onDemandCoolDownMillis", "pause after an ON_DEMAND scaling before the next"),
    ON_DEMAND_SCALE_DOWN_AFTER_MILLIS("onDemandScaleDownAfterMillis", "how long neighbours stay cold before they merge"),
    HEARTBEAT_MILLIS("heartbeatMillis", "subscription heartbeat period, at most 5000"),
    SUBSCRIBER_BUFFER_BYTES("subscriberBufferBytes", "live bytes buffered per slow subscription"),
    REGION("region", "region in the Kinesis API's ARNs"),
    ACCOUNT_ID("accountId", "12-digit account id in the Kinesis API's ARNs"),
    TLS("tls", "true to also serve HTTPS (h2 and HTTP/1.1) on tlsPort"),
    TLS_PORT("tlsPort", "HTTPS port, 0 for any free one"),
    TLS_CERT_FILE("tlsCertFile", "PEM certificate; empty = self-signed, kept in the data dir"),
    TLS_KEY_FILE("tlsKeyFile", "PEM private key of tlsCertFile"),
    AUTH("auth", "off or sigv4 (SigV4 or a bearer token on every API request)"),
    ALLOW_UNAUTHENTICATED("allowUnauthenticated", "true to serve a non-loopback host with auth off (logs a warning)"),
    CREDENTIALS_FILE("credentialsFile", "YAML/JSON principals, keys, tokens and policies; reloaded on change"),
    ACCESS_KEY_ID("accessKeyId", "one SigV4 access key id with full access (besides credentialsFile)"),
    SECRET_ACCESS_KEY("secretAccessKey", "secret of accessKeyId"),
    PRINCIPAL_NAME("principalName", "principal name of accessKeyId"),
    ALLOWED_ORIGINS("allowedOrigins", "comma-separated cross-origin browser origins (CORS, WebSocket); * = any"),
    ALLOWED_HOSTS("allowedHosts", "comma-separated Host names accepted with auth off, besides IPs and localhost"),
    KEYRING_FILE("keyringFile", "JSON master keys for stream encryption (KMS KeyIds); reloaded on change"),
    CLUSTER("cluster", "true to join a cluster"),
    CLUSTER_NAME("clusterName", "cluster name; nodes join only a cluster of the same name"),
    CLUSTER_HOST("clusterHost", "interface for cluster membership (Hazelcast)"),
    CLUSTER_PORT("clusterPort", "port for cluster membership (Hazelcast)"),
    CLUSTER_MEMBERS("clusterMembers", "comma-separated host:port seeds for tcp discovery"),
    CLUSTER_DISCOVERY("clusterDiscovery", "tcp (clusterMembers) or kubernetes (DNS of a headless Service)"),
    CLUSTER_KUBERNETES_SERVICE("clusterKubernetesService", "headless Service DNS name for kubernetes discovery"),
    CLUSTER_CP_MEMBERS("clusterCpMembers", "Raft (CP) members electing the catalog leader: auto, 0 (off), 3, 5 or 7"),
    CLUSTER_FAILURE_DETECTION_SECONDS("clusterFailureDetectionSeconds",
            "seconds without heartbeat before a member (and its CP session, Raft leadership) counts as dead, 2..300"),
    EVENT_BUS_HOST("eventBusHost", "interface of the clustered event bus; empty = clusterHost"),
    EVENT_BUS_PORT("eventBusPort", "port of the clustered event bus, 0 for any free one"),
    EVENT_BUS_PUBLIC_HOST("eventBusPublicHost", "event bus host other nodes connect to; empty = eventBusHost"),
    CLUSTER_TLS("clusterTls", "true to run the clustered event bus over mutual TLS (needs the three files below)"),
    CLUSTER_TLS_CERT_FILE("clusterTlsCertFile", "PEM certificate this node shows the others on the event bus"),
    CLUSTER_TLS_KEY_FILE("clusterTlsKeyFile", "PEM private key of clusterTlsCertFile"),
    CLUSTER_TLS_TRUST_FILE("clusterTlsTrustFile", "PEM certificates (CA) a node's event-bus certificate must chain to"),

    EVENT_BUS_PUBLIC_PORT("eventBusPublicPort", "event bus port other nodes connect to; 0 = the bound one"),
    ZONE("zone", "this node's zone (failure domain); a shard's replicas go to distinct zones first"),
    REPLICA_REPAIR_SECONDS("replicaRepairSeconds", "seconds a shard may lack live replicas before it gets new ones"),
    REPLICA_CATCH_UP_BYTES_PER_SECOND("replicaCatchUpBytesPerSecond",
            "bytes per second a shard's leader sends a replica being added (repair, decommission, rebalancing); 0 = no limit");

    private final String key;
    private final String help;

    Setting(String key, String help) {
        this.key = key;
        this.help = help;
    }

    /** The YAML key, camel case: {@code dataDir}. */
    public String key() {
        return key;
    }

    /** The environment variable: {@code RIFFLE_DATA_DIR}. */
    public String envVar() {
        return "RIFFLE_" + name();
    }

    /** The command-line flag: {@code --data-dir}. */
    public String flag() {
        return "--" + name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public String help() {
        return help;
    }

    static Setting byKey(String key) {
        for (Setting s : values()) {
            if (s.key.equals(key)) {
                return s;
            }
        }
        return null;
    }

    static Setting byFlag(String flag) {
        for (Setting s : values()) {
            if (s.flag().equals(flag)) {
                return s;
            }
        }
        return null;
    }
}
