package io.riffle.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.gateway.tcp.ConnectionLimit;
import io.riffle.log.FsyncPolicy;
import io.riffle.throttle.ThroughputLimits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeConfigTest {
    @TempDir
    Path dir;

    private static NodeConfig load(Map<String, String> env, String... args) {
        return NodeConfig.load(args, env);
    }

    @Test
    void classpathDefaultsAreExactlyTheDocumentedConfigFile() throws IOException {
        byte[] documented = Files.readAllBytes(Path.of("..", "config", "riffle.yaml"));
        try (InputStream in = NodeConfig.class.getResourceAsStream("/riffle.yaml")) {
            assertThat(in).isNotNull();
            assertThat(in.readAllBytes()).isEqualTo(documented);
        }
    }

    @Test
    void defaultsMatchTheIssue() {
        NodeConfig c = NodeConfig.defaults();
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.port()).isEqualTo(4567);
        assertThat(c.dataDir()).isEqualTo(Path.of("./data"));
        assertThat(c.fsync()).isEqualTo(FsyncPolicy.PER_BATCH);
        assertThat(c.limits()).isEqualTo(ThroughputLimits.KINESIS);
        assertThat(c.heartbeatMillis()).isLessThanOrEqualTo(5000);
        assertThat(c.effectiveGatewayInstances()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(c.region()).isEqualTo("us-east-1");
        assertThat(c.accountId()).isEqualTo("000000000000");
    }

    @Test
    void flagsBeatEnvironmentWhichBeatsTheConfigFileWhichBeatsDefaults() throws IOException {
        Path file = dir.resolve("node.yaml");
        Files.writeString(file, "port: 1000\nhost: 0.0.0.0\nsegmentBytes: 1048576\n");
        Map<String, String> env = Map.of("RIFFLE_PORT", "2000", "RIFFLE_DATA_DIR", "/env/data");

        NodeConfig all = load(env, "--config", file.toString(), "--port", "3000");
        assertThat(all.port()).isEqualTo(3000);
        assertThat(all.host()).isEqualTo("0.0.0.0");
        assertThat(all.dataDir()).isEqualTo(Path.of("/env/data"));
        assertThat(all.segmentBytes()).isEqualTo(1_048_576);
        assertThat(all.maxBodyBytes()).isEqualTo(16_777_216);

        assertThat(load(env, "--config=" + file).port()).isEqualTo(2000);
        assertThat(load(Map.of(), "--config", file.toString()).port()).isEqualTo(1000);
        assertThat(load(Map.of("RIFFLE_CONFIG", file.toString())).host()).isEqualTo("0.0.0.0");
        assertThat(load(Map.of(), "--data-dir=/flag/data", "--host", "::1").dataDir()).isEqualTo(Path.of("/flag/data"));
    }

    @Test
    void throttlingOffTurnsEveryLimitOff() {
        assertThat(load(Map.of(), "--throttling", "false").limits()).isEqualTo(ThroughputLimits.OFF);
        assertThat(load(Map.of("RIFFLE_WRITE_RECORDS_PER_SECOND", "10")).limits().writeRecordsPerSecond()).isEqualTo(10);
    }

    @Test
    void badValuesNameTheSettingTheValueAndWhereItCameFrom() throws IOException {
        assertThatThrownBy(() -> load(Map.of(), "--port", "abc"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'port'").hasMessageContaining("'abc'").hasMessageContaining("flag --port");
        assertThatThrownBy(() -> load(Map.of("RIFFLE_PORT", "70000")))
                .hasMessageContaining("'port'").hasMessageContaining("environment variable RIFFLE_PORT");
        assertThatThrownBy(() -> load(Map.of("RIFFLE_FSYNC", "SOMETIMES")))
                .hasMessageContaining("'fsync'").hasMessageContaining("PER_BATCH or INTERVAL");
        assertThatThrownBy(() -> load(Map.of(), "--heartbeat-millis", "6000")).hasMessageContaining("'heartbeatMillis'");
        assertThatThrownBy(() -> load(Map.of(), "--throttling", "maybe")).hasMessageContaining("'throttling'");
        assertThatThrownBy(() -> load(Map.of(), "--host", " ")).hasMessageContaining("'host'");
        assertThatThrownBy(() -> load(Map.of("RIFFLE_ACCOUNT_ID", "12345"))).hasMessageContaining("'accountId'");
        assertThatThrownBy(() -> load(Map.of(), "--region", "Mars Base")).hasMessageContaining("'region'");

        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "port: 1\nprot: 2\n");
        assertThatThrownBy(() -> load(Map.of(), "--config", file.toString()))
                .hasMessageContaining("Unknown setting 'prot'").hasMessageContaining(file.toString());
        Files.writeString(file, "- just\n- a list\n");
        assertThatThrownBy(() -> load(Map.of(), "--config", file.toString())).hasMessageContaining("YAML map");
        assertThatThrownBy(() -> load(Map.of(), "--config", dir.resolve("missing.yaml").toString()))
                .hasMessageContaining("Cannot read config file");
    }

    /**
     * The config is read with Jackson's YAML parser alone (databind cost start-up time); every value must reach
     * the settings as databind's {@code readValue(yaml, Object.class)} made it, scalar typing and all.
     */
    @Test
    void yamlValuesReachTheSettingsAsDatabindReadThem() throws IOException {
        com.fasterxml.jackson.dataformat.yaml.YAMLFactory factory = new com.fasterxml.jackson.dataformat.yaml.YAMLFactory();
        com.fasterxml.jackson.databind.ObjectMapper databind = new com.fasterxml.jackson.databind.ObjectMapper(factory);
        for (String doc : java.util.List.of("", "# only a comment\n", "---\n", "~\n", "port: 1\n",
                "a: 0x1F\nb: 1_000\nc: +5\nd: 010\ne: 0o17\nf: -0\ng: 99999999999\nh: 123456789012345678901234\n",
                "a: 1.5\nb: 1e3\nc: .inf\nd: -.Inf\ne: .NaN\nf: 1.\ng: 6.02E+23\n",
                "a: true\nb: True\nc: FALSE\nd: yes\ne: off\nf: null\ng: ~\nh:\ni: Null\n",
                "a: 'quoted 1'\nb: \"2\"\nc: !!str 3\nd: plain text  \ne: \"esc\\ttab\"\nf: |\n  block\n  text\n",
                "accountId: 000000000000\nregion: us-east-1\nhost: ::1\n",
                "a: 1\na: 2\nb: x\n", "a: {b: 1}\nc: [1, 2]\nd:\n  - x\ne: 3\n", "1: one\n? complex\n: two\n",
                "a: &x 5\nb: *x\n", "- a\n- b\n", "just a scalar\n", "42\n", "a: 1\n---\nb: 2\n")) {
            Object expected;
            try {
                expected = shape(databind.readValue(doc, Object.class));
            } catch (IOException e) {
                assertThatThrownBy(() -> NodeConfig.readYaml(factory.createParser(doc))).as(doc)
                        .isInstanceOf(IOException.class).hasMessage(e.getMessage());
                continue;
            }
            assertThat(shape(NodeConfig.readYaml(factory.createParser(doc)))).as(doc).isEqualTo(expected);
        }
        for (String broken : java.util.List.of("a: [1, 2\n", "a: 1\n b: 2\nc: {\n", "- x\n- [\n")) {
            assertThatThrownBy(() -> databind.readValue(broken, Object.class)).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> NodeConfig.readYaml(factory.createParser(broken))).as(broken).isInstanceOf(IOException.class);
        }
    }

    /** What NodeConfig makes of a parsed document: a top-level map's values as their text, or "map", "list". */
    private static Object shape(Object yaml) {
        if (yaml instanceof Map<?, ?> map) {
            Map<String, String> shaped = new java.util.LinkedHashMap<>();
            map.forEach((k, v) -> shaped.put(String.valueOf(k), v instanceof Map ? "map" : v instanceof Iterable
                    ? "list" : v == null ? "null" : v.getClass().getSimpleName() + " " + v));
            return shaped;
        }
        return yaml == null ? "null" : "not a map";
    }

    @Test
    void tlsCertificateAndKeyComeTogetherAndMustBeReadable(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws IOException {
        NodeConfig off = load(Map.of());
        assertThat(off.tls()).isFalse();
        assertThat(off.tlsPort()).isEqualTo(4568);
        assertThatThrownBy(() -> load(Map.of(), "--tls-cert-file", "/nope.pem"))
                .hasMessageContaining("Invalid setting 'tlsCertFile' = '/nope.pem' (from flag --tls-cert-file)")
                .hasMessageContaining("together with tlsKeyFile");
        assertThatThrownBy(() -> load(Map.of(), "--tls-cert-file", "/nope.pem", "--tls-key-file", "/nope.key"))
                .hasMessageContaining("must be a readable PEM file");
        java.nio.file.Path cert = java.nio.file.Files.writeString(dir.resolve("c.pem"), "cert");
        java.nio.file.Path key = java.nio.file.Files.writeString(dir.resolve("k.pem"), "key");
        NodeConfig on = load(Map.of("RIFFLE_TLS", "true"), "--tls-cert-file", cert.toString(), "--tls-key-file", key.toString());
        assertThat(on.tls()).isTrue();
        assertThat(on.tlsCertFile()).isEqualTo(cert.toString());
    }

    @Test
    void streamTransitionIsShortByDefaultAndBounded() {
        assertThat(NodeConfig.defaults().streamTransitionMillis()).isBetween(1L, 99L);
        assertThat(load(Map.of(), "--stream-transition-millis", "0").engineConfig(new io.micrometer.core.instrument.simple.SimpleMeterRegistry())
                .transitionMillis()).isZero();
        assertThatThrownBy(() -> load(Map.of("RIFFLE_STREAM_TRANSITION_MILLIS", "60001")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'streamTransitionMillis'").hasMessageContaining("'60001'");
        assertThatThrownBy(() -> load(Map.of(), "--stream-transition-millis", "-1"))
                .hasMessageContaining("'streamTransitionMillis'");
    }

    @Test
    void unknownOrIncompleteArgumentsAreRefused() {
        assertThatThrownBy(() -> load(Map.of(), "--prot", "1")).hasMessageContaining("Unknown argument '--prot'");
        assertThatThrownBy(() -> load(Map.of(), "--port")).hasMessageContaining("--port needs a value");
        assertThatThrownBy(() -> load(Map.of(), "--config")).hasMessageContaining("--config needs a file");
    }

    @Test
    void helpListsEveryFlagWithItsEnvironmentVariable() {
        String help = RiffleMain.help();
        for (Setting s : Setting.values()) {
            assertThat(help).contains(s.flag()).contains(s.envVar());
        }
        assertThat(help).contains("--config").contains("--help");
        assertThat(Setting.DATA_DIR.flag()).isEqualTo("--data-dir");
        assertThat(Setting.DATA_DIR.envVar()).isEqualTo("RIFFLE_DATA_DIR");
    }

    @Test
    void maxConnectionsDefaultsToWhatTheFileDescriptorLimitLeavesAndRefusesMore() {
        long fds = ConnectionLimit.fileDescriptorLimit();
        assertThat(NodeConfig.defaults().maxConnections()).isEqualTo(ConnectionLimit.defaultFor(fds)).isBetween(16, 10_000);
        assertThat(ConnectionLimit.defaultFor(1024)).isEqualTo(1024 - 256 - ConnectionLimit.RESERVE);
        assertThat(ConnectionLimit.defaultFor(1_048_576)).isEqualTo(10_000);
        assertThat(load(Map.of(), "--max-connections", "5").maxConnections()).isEqualTo(5);
        assertThatThrownBy(() -> load(Map.of(), "--max-connections", String.valueOf(fds)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("maxConnections");
        assertThatThrownBy(() -> load(Map.of(), "--max-connections", "-1")).isInstanceOf(ConfigException.class);
    }

    @Test
    void headerReadTimeoutIsAtLeastOneSecond() {
        assertThat(NodeConfig.defaults().headerReadTimeoutSeconds()).isEqualTo(10);
        assertThatThrownBy(() -> load(Map.of(), "--header-read-timeout-seconds", "0"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("headerReadTimeoutSeconds");
    }

    @Test
    void aNodeIsStandaloneByDefaultAndTheClusterDefaultsMatchTheIssue() {
        ClusterConfig c = NodeConfig.defaults().cluster();
        assertThat(c.enabled()).isFalse();
        assertThat(c.name()).isEqualTo("riffle");
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.port()).isEqualTo(5701);
        assertThat(c.discovery()).isEqualTo(ClusterConfig.Discovery.TCP);
        assertThat(c.members()).isEmpty();
        assertThat(c.eventBusPort()).isZero();
        assertThat(c.eventBusHost()).isEqualTo("127.0.0.1");
        assertThat(c.eventBusPublicHost()).isEmpty();
        assertThat(c.eventBusPublicPort()).isZero();
        assertThat(ClusterBoot.eventBusOptions(c).getClusterPublicPort())
                .as("Vert.x's default: the bound port").isEqualTo(io.vertx.core.eventbus.EventBusOptions.DEFAULT_CLUSTER_PUBLIC_PORT);
    }

    @Test
    void clusterTlsIsOffByDefaultAndNeedsItsCertificateKeyAndTrustFiles() throws IOException {
        assertThat(NodeConfig.defaults().cluster().tls()).isEmpty();
        Path cert = Files.writeString(dir.resolve("c.pem"), "cert");
        Path key = Files.writeString(dir.resolve("k.pem"), "key");
        Path trust = Files.writeString(dir.resolve("t.pem"), "trust");
        ClusterConfig.Tls tls = load(Map.of("RIFFLE_CLUSTER_TLS_TRUST_FILE", trust.toString()), "--cluster-tls", "true",
                "--cluster-tls-cert-file", cert.toString(), "--cluster-tls-key-file", key.toString()).cluster().tls().orElseThrow();
        assertThat(tls).isEqualTo(new ClusterConfig.Tls(cert.toString(), key.toString(), trust.toString()));
        assertThatThrownBy(() -> load(Map.of(), "--cluster-tls", "true", "--cluster-tls-cert-file", cert.toString(),
                "--cluster-tls-key-file", key.toString()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'clusterTlsTrustFile'")
                .hasMessageContaining("readable PEM file when clusterTls is true");
        assertThatThrownBy(() -> load(Map.of(), "--cluster-tls", "true", "--cluster-tls-cert-file", dir.resolve("none").toString(),
                "--cluster-tls-key-file", key.toString(), "--cluster-tls-trust-file", trust.toString()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'clusterTlsCertFile'");
    }

    @Test
    void raftIsOnByDefaultFromThreeSeedsOrKubernetesAndABadMemberCountIsRefusedByName() {
        assertThat(load(Map.of(), "--cluster", "true", "--cluster-members", "a:1,b:2").cluster().cpMembers()).isZero();
        assertThat(load(Map.of(), "--cluster", "true", "--cluster-members", "a:1,b:2,c:3").cluster().cpMembers()).isEqualTo(3);
        assertThat(load(Map.of(), "--cluster", "true", "--cluster-members", "a:1,b:2,c:3", "--cluster-cp-members", "0")
                .cluster().raft()).isFalse();
        assertThat(load(Map.of(), "--cluster", "true", "--cluster-discovery", "kubernetes",
                "--cluster-kubernetes-service", "riffle-hs").cluster().cpMembers()).isEqualTo(3);
        assertThatThrownBy(() -> load(Map.of(), "--cluster-cp-members", "4"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("clusterCpMembers").hasMessageContaining("auto, 0, 3, 5 or 7");
    }

    @Test
    void clusterSettingsComeFromFlagsEnvironmentAndFilesLikeEveryOther() throws IOException {
        Path file = dir.resolve("cluster.yaml");
        Files.writeString(file, "cluster: true\nclusterMembers: 10.0.0.1:5701, node-b:5702\nclusterPort: 5702\n");
        ClusterConfig c = load(Map.of("RIFFLE_CLUSTER_NAME", "prod", "RIFFLE_EVENT_BUS_PUBLIC_HOST", "node-b.example"),
                "--config", file.toString(), "--cluster-host", "0.0.0.0", "--event-bus-port", "6000",
                "--event-bus-public-port", "16000").cluster();

        assertThat(c.enabled()).isTrue();
        assertThat(c.name()).isEqualTo("prod");
        assertThat(c.members()).containsExactly("10.0.0.1:5701", "node-b:5702");
        assertThat(c.port()).isEqualTo(5702);
        assertThat(c.bindsAny()).isTrue();
        assertThat(c.eventBusHost()).isEqualTo("0.0.0.0");
        assertThat(c.eventBusPort()).isEqualTo(6000);
        assertThat(c.eventBusPublicHost()).isEqualTo("node-b.example");
        // A wildcard is bound to, never announced: Vert.x then uses the address Hazelcast picked.
        io.vertx.core.eventbus.EventBusOptions bus = ClusterBoot.eventBusOptions(c);
        assertThat(bus.getHost()).isNotEqualTo("0.0.0.0");
        assertThat(bus.getClusterPublicHost()).isEqualTo("node-b.example");
        assertThat(bus.getPort()).isEqualTo(6000);
        assertThat(bus.getClusterPublicPort()).isEqualTo(16000);
        assertThatThrownBy(() -> load(Map.of(), "--event-bus-public-port", "70000"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("eventBusPublicPort");

        ClusterConfig k8s = load(Map.of(), "--cluster", "true", "--cluster-discovery", "kubernetes",
                "--cluster-kubernetes-service", "riffle-hs.default.svc.cluster.local").cluster();
        assertThat(k8s.discovery()).isEqualTo(ClusterConfig.Discovery.KUBERNETES);
        assertThat(k8s.kubernetesService()).isEqualTo("riffle-hs.default.svc.cluster.local");
    }

    @Test
    void badClusterCombinationsNameTheSetting() {
        assertThatThrownBy(() -> load(Map.of(), "--cluster", "true"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'clusterMembers'")
                .hasMessageContaining("at least one host:port");
        assertThatThrownBy(() -> load(Map.of(), "--cluster", "true", "--cluster-discovery", "kubernetes"))
                .hasMessageContaining("'clusterKubernetesService'");
        assertThatThrownBy(() -> load(Map.of(), "--cluster-members", "127.0.0.1:5701,127.0.0.1"))
                .hasMessageContaining("'clusterMembers'").hasMessageContaining("not '127.0.0.1'");
        assertThatThrownBy(() -> load(Map.of(), "--cluster-members", "127.0.0.1:70000"))
                .hasMessageContaining("'clusterMembers'");
        assertThatThrownBy(() -> load(Map.of(), "--cluster-members", "127.0.0.1:5701-5703"))
                .hasMessageContaining("'clusterMembers'");
        assertThatThrownBy(() -> load(Map.of(), "--cluster-discovery", "multicast"))
                .hasMessageContaining("'clusterDiscovery'").hasMessageContaining("tcp or kubernetes");
        assertThatThrownBy(() -> load(Map.of(), "--cluster-port", "0")).hasMessageContaining("'clusterPort'");
        assertThatThrownBy(() -> load(Map.of(), "--event-bus-port", "-1")).hasMessageContaining("'eventBusPort'");
        assertThatThrownBy(() -> load(Map.of(), "--cluster-name", "two words")).hasMessageContaining("'clusterName'");
        assertThatThrownBy(() -> load(Map.of("RIFFLE_CLUSTER", "yes")))
                .hasMessageContaining("'cluster'").hasMessageContaining("environment variable RIFFLE_CLUSTER");
    }

    @Test
    void hazelcastJoinsOnlyThroughTheSeedsOnTheClusterHostAndNeverPhonesHome() throws Exception {
        ClusterConfig c = load(Map.of(), "--cluster", "true", "--cluster-port", "5710",
                "--cluster-members", "127.0.0.1:5710,127.0.0.1:5711").cluster();
        com.hazelcast.config.Config hz = ClusterBoot.hazelcastConfig(c);
        com.hazelcast.config.JoinConfig join = hz.getNetworkConfig().getJoin();

        assertThat(hz.getClusterName()).isEqualTo("riffle");
        assertThat(join.getMulticastConfig().isEnabled()).isFalse();
        assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
        assertThat(join.getTcpIpConfig().getMembers()).containsExactly("127.0.0.1:5710", "127.0.0.1:5711");
        assertThat(hz.getNetworkConfig().getPort()).isEqualTo(5710);
        assertThat(hz.getNetworkConfig().isPortAutoIncrement()).isFalse();
        assertThat(hz.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("127.0.0.1");
        assertThat(hz.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
        assertThat(hz.getProperty("hazelcast.logging.type")).isEqualTo("slf4j");
        assertThat(hz.getJetConfig().isEnabled()).isFalse();
    }

    @Test
    void failureDetectionSecondsDrivesEveryHazelcastTimeoutAndIsBounded() throws Exception {
        String[] raft = {"--cluster", "true", "--cluster-members", "a:1,b:2,c:3"};
        assertThat(load(Map.of(), raft).cluster().failureDetectionSeconds()).isEqualTo(3);
        com.hazelcast.config.Config hz = ClusterBoot.hazelcastConfig(load(Map.of("RIFFLE_CLUSTER_FAILURE_DETECTION_SECONDS", "10"),
                raft).cluster());
        com.hazelcast.config.cp.CPSubsystemConfig cp = hz.getCPSubsystemConfig();
        assertThat(hz.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("10");
        assertThat(hz.getProperty("hazelcast.heartbeat.interval.seconds")).isEqualTo("3");
        assertThat(cp.getSessionTimeToLiveSeconds()).isEqualTo(10);
        assertThat(cp.getSessionHeartbeatIntervalSeconds()).isEqualTo(3);
        assertThat(cp.getMissingCPMemberAutoRemovalSeconds()).isEqualTo(20); // twice F: a restarting node removes its own stale identity first
        assertThat(cp.getRaftAlgorithmConfig().getLeaderHeartbeatPeriodInMillis()).isEqualTo(3333);
        assertThat(cp.getRaftAlgorithmConfig().getMaxMissedLeaderHeartbeatCount()).isEqualTo(3);
        // Both ends of the range are CP configurations Hazelcast itself accepts at start.
        for (String seconds : new String[] {"2", "300"}) {
            com.hazelcast.internal.config.ConfigValidator.checkCPSubsystemConfig(ClusterBoot.hazelcastConfig(
                    load(Map.of(), append(raft, "--cluster-failure-detection-seconds", seconds)).cluster()).getCPSubsystemConfig());
        }
        for (String bad : new String[] {"1", "301", "0", "3s", ""}) {
            assertThatThrownBy(() -> load(Map.of(), "--cluster-failure-detection-seconds", bad))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("'clusterFailureDetectionSeconds'")
                    .hasMessageContaining("must be an integer from 2 to 300");
        }
    }

    private static String[] append(String[] args, String... more) {
        return java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.Arrays.stream(more)).toArray(String[]::new);
    }

    @Test
    void theKeyringFileMustBeReadableAndValid(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        assertThat(load(Map.of()).keyringFile()).isEmpty();
        assertThat(load(Map.of()).openKeyring()).isEmpty();
        assertThatThrownBy(() -> load(Map.of(), "--keyring-file", dir.resolve("none.json").toString()))
                .hasMessageContaining("'keyringFile'").hasMessageContaining("readable");
        Path bad = dir.resolve("bad.json");
        java.nio.file.Files.writeString(bad, "{\"keys\":[{\"keyId\":\"not-an-arn\"}]}");
        NodeConfig config = load(Map.of("RIFFLE_KEYRING_FILE", bad.toString()));
        assertThat(config.keyringFile()).contains(bad);
        assertThatThrownBy(config::openKeyring).isInstanceOf(ConfigException.class)
                .hasMessageContaining("'keyringFile'").hasMessageContaining("must be a key ARN");
    }

    @Test
    void securitySettingsAreCheckedAndExposureWithoutAuthNeedsConsent(@org.junit.jupiter.api.io.TempDir Path dir)
            throws IOException {
        io.riffle.security.SecurityOptions off = load(Map.of()).security();
        assertThat(off.auth()).isEqualTo(io.riffle.security.SecurityOptions.AuthMode.OFF);
        assertThat(off.allowedOrigins()).isEmpty();
        assertThatThrownBy(() -> load(Map.of(), "--auth", "maybe")).hasMessageContaining("'auth'").hasMessageContaining("off or sigv4");
        assertThatThrownBy(() -> load(Map.of(), "--auth", "sigv4")).hasMessageContaining("needs credentials");
        assertThatThrownBy(() -> load(Map.of(), "--access-key-id", "AKID")).hasMessageContaining("together with secretAccessKey");
        assertThatThrownBy(() -> load(Map.of(), "--credentials-file", dir.resolve("none.yaml").toString()))
                .hasMessageContaining("'credentialsFile'");
        assertThatThrownBy(() -> load(Map.of(), "--allowed-origins", "https://app.example/path"))
                .hasMessageContaining("'allowedOrigins'");
        NodeConfig keyed = load(Map.of("RIFFLE_AUTH", "sigv4", "RIFFLE_ACCESS_KEY_ID", "AKIDENV", "RIFFLE_SECRET_ACCESS_KEY", "s"),
                "--allowed-origins", "https://a.example, https://b.example");
        assertThat(keyed.security().settingsKey().orElseThrow().principalName()).isEqualTo("admin");
        assertThat(keyed.security().settingsKey().orElseThrow().toString()).doesNotContain("s]");
        assertThat(keyed.security().allowedOrigins()).containsExactly("https://a.example", "https://b.example");

        assertThatThrownBy(() -> SecuritySettings.requireSafeExposure(load(Map.of(), "--host", "0.0.0.0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("allowUnauthenticated: true");
        SecuritySettings.requireSafeExposure(load(Map.of(), "--host", "0.0.0.0", "--allow-unauthenticated", "true"));
        SecuritySettings.requireSafeExposure(load(Map.of(), "--host", "::1"));
        SecuritySettings.requireSafeExposure(load(Map.of("RIFFLE_AUTH", "sigv4", "RIFFLE_ACCESS_KEY_ID", "AKIDENV",
                "RIFFLE_SECRET_ACCESS_KEY", "s"), "--host", "0.0.0.0"));
    }
}
