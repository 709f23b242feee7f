package io.riffle.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard and the Prometheus alert rules in k8s/monitoring name only metrics a running node
 * serves on {@code /metrics} (once it took a put and holds a subscription).
 */
@Timeout(60)
class MonitoringMetricsIT {
    private static final Path MONITORING = repositoryRoot().resolve("k8s/monitoring");
    /** Series Prometheus makes itself when it scrapes, not served by the node. */
    private static final Set<String> MADE_BY_PROMETHEUS = Set.of("up");
    private static final Set<String> PROMQL_WORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "bool", "and", "or", "unless", "offset");
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    @TempDir
    Path dataDir;

    @Test
    void everyMetricTheDashboardAndTheAlertsNameIsServedByANode() throws IOException {
        Set<String> named = new TreeSet<>();
        expressions(new YAMLMapper().readTree(MONITORING.resolve("alerts.yaml").toFile()), "expr")
                .forEach(e -> named.addAll(metricNames(e)));
        JsonNode dashboard = new ObjectMapper().readTree(MONITORING.resolve("grafana-dashboard.json").toFile());
        expressions(dashboard, "expr").forEach(e -> named.addAll(metricNames(e)));
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) {
                named.addAll(metricNames(variable.path("query").path("query").asText()));
            }
        }
        named.removeAll(MADE_BY_PROMETHEUS);
        assertThat(named).contains("riffle_shard_throttled_puts_total", "riffle_subscriber_lag_millis",
                "riffle_shards_failing_writes", "disk_free_bytes", "riffle_log_corrupt_frames_total");

        try (RunningNode node = RunningNode.start(dataDir)) {
            node.createStream("watched", 1);
            assertThat(node.postJson("/v1/streams/watched/records", new JsonObject().put("records",
                    List.of(new JsonObject().put("partitionKey", "k").put("text", "x")))).statusCode()).isEqualTo(200);
            node.postJson("/v1/streams/watched/consumers", new JsonObject().put("name", "grafana"));
            WebSocket socket = RunningNode.await(node.ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
                    .setPort(node.port()).setURI("/v1/streams/watched/subscribe?consumer=grafana&from=TRIM_HORIZON")));
            try {
                Set<String> missing = new TreeSet<>(named);
                missing.removeAll(servedNames(node));
                assertThat(missing).as("named in k8s/monitoring but not on /metrics").isEmpty();
            } finally {
                RunningNode.await(socket.close());
            }
        }
    }

    /** Every string value under a field called {@code field}, anywhere in the tree. */
    private static List<String> expressions(JsonNode tree, String field) {
        return tree.findValues(field).stream().filter(JsonNode::isTextual).map(JsonNode::asText).toList();
    }

    /** The metric names in a PromQL expression: identifiers that are not functions, labels, durations or words. */
    static Set<String> metricNames(String promql) {
        String bare = promql.replaceAll("label_values\\(([^,]+),[^)]*\\)", "$1") // Grafana: metric, label
                .replaceAll("\"[^\"]*\"", "")
                .replaceAll("\\{[^}]*}", "")
                .replaceAll("\\[[^]]*]", "")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", "");
        Set<String> names = new TreeSet<>();
        Matcher m = NAME.matcher(bare);
        while (m.find()) {
            boolean call = bare.substring(m.end()).stripLeading().startsWith("(");
            if (!call && !PROMQL_WORDS.contains(m.group()) && !Character.isDigit(m.group().charAt(0))) {
                names.add(m.group());
            }
        }
        return names;
    }

    /** The series names on /metrics, waiting until the subscription's meters show. */
    private static Set<String> servedNames(RunningNode node) {
        for (int attempt = 0; ; attempt++) {
            String metrics = node.get("/metrics").bodyAsString();
            Set<String> served = metrics.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                    .map(l -> l.split("[{ ]", 2)[0]).collect(Collectors.toCollection(TreeSet::new));
            if (served.contains("riffle_subscriber_lag_millis") || attempt == 100) {
                return served;
            }
            sleep();
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static Path repositoryRoot() {
        Path here = Path.of("").toAbsolutePath();
        return Files.isDirectory(here.resolve("k8s")) ? here : here.getParent();
    }
}
