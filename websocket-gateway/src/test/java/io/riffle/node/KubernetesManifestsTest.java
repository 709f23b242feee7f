package io.riffle.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.riffle.node.KubernetesManifests.Manifest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The manifests in {@code k8s/} checked without a cluster: every object is a kind Kubernetes knows with only
 * fields it knows, selectors select the pods, Services and probes point at ports the container opens, and
 * the container is started with real node settings whose values the node accepts and whose ports match.
 */
class KubernetesManifestsTest {
    private static final Set<String> KINDS = Set.of("Service", "StatefulSet", "PodDisruptionBudget");

    private static List<Manifest> manifests;

    @BeforeAll
    static void read() throws IOException {
        manifests = KubernetesManifests.all();
    }

    @Test
    void everyManifestHoldsKnownKindsWithRequiredFields() throws IOException {
        assertThat(KubernetesManifests.files()).extracting(p -> p.getFileName().toString())
                .contains("riffle-standalone.yaml", "riffle-cluster.yaml");
        for (Manifest m : manifests) {
            assertThat(m.object().getKind()).as(m.toString()).isIn(KINDS);
            assertThat(m.object().getApiVersion()).as(m.toString()).isNotBlank();
            assertThat(m.object().getMetadata().getName()).as(m.toString()).matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?");
        }
        for (StatefulSet set : all(StatefulSet.class)) {
            assertThat(set.getSpec().getReplicas()).as(set.getMetadata().getName()).isPositive();
            assertThat(set.getSpec().getServiceName()).as(set.getMetadata().getName()).isNotBlank();
            assertThat(set.getSpec().getTemplate().getSpec().getContainers()).isNotEmpty();
            for (Container c : set.getSpec().getTemplate().getSpec().getContainers()) {
                assertThat(c.getImage()).as(c.getName()).isNotBlank();
                assertThat(c.getResources().getRequests()).as(c.getName()).containsKeys("cpu", "memory");
                assertThat(c.getResources().getLimits()).as(c.getName()).containsKey("memory");
            }
        }
    }

    @Test
    void unknownFieldsAndKindsAreRejected() {
        String typo = """
                apiVersion: v1
                kind: Service
                metadata: {name: s}
                spec:
                  selector: {app: a}
                  ports:
                    - {name: http, port: 80, targtPort: http}
                """;
        assertThatThrownBy(() -> KubernetesManifests.parse(typo, "typo.yaml"))
                .hasMessageContaining("Service s has fields Kubernetes does not know")
                .hasMessageContaining("spec.ports[0].targtPort");
        String misplaced = """
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: s}
                spec:
                  replicas: 1
                  readinessProbe: {httpGet: {path: /health, port: 80}}
                """;
        assertThatThrownBy(() -> KubernetesManifests.parse(misplaced, "misplaced.yaml"))
                .hasMessageContaining("StatefulSet.spec.readinessProbe");
        String unknownKind = """
                apiVersion: example.com/v1
                kind: Riffle
                metadata: {name: r}
                """;
        assertThatThrownBy(() -> KubernetesManifests.parse(unknownKind, "crd.yaml"))
                .hasMessageContaining("unknown kind example.com/v1/Riffle");
        assertThat(KubernetesManifests.parse(typo.replace("targtPort", "targetPort"), "fixed.yaml")).hasSize(1);
    }

    @Test
    void selectorsSelectThePodsOfTheirFile() {
        for (Manifest m : manifests) {
            List<Map<String, String>> pods = podLabels(m.file());
            if (m.object() instanceof StatefulSet set) {
                assertThat(KubernetesManifests.selects(set.getSpec().getSelector().getMatchLabels(),
                        set.getSpec().getTemplate().getMetadata().getLabels())).as(m.toString()).isTrue();
            } else if (m.object() instanceof Service svc) {
                assertThat(pods).as(m + " selects pods").anyMatch(l -> KubernetesManifests.selects(svc.getSpec().getSelector(), l));
            } else if (m.object() instanceof PodDisruptionBudget pdb) {
                assertThat(pods).as(m + " selects pods")
                        .anyMatch(l -> KubernetesManifests.selects(pdb.getSpec().getSelector().getMatchLabels(), l));
            }
        }
    }

    @Test
    void servicesAndProbesUseTheContainerPorts() {
        for (StatefulSet set : all(StatefulSet.class)) {
            Container c = container(set);
            Probe readiness = c.getReadinessProbe();
            assertThat(readiness).as(set.getMetadata().getName() + " readiness").isNotNull();
            assertThat(readiness.getHttpGet().getPath()).isEqualTo("/health");
            assertThat(c.getLivenessProbe()).as(set.getMetadata().getName() + " liveness").isNotNull();
            for (Probe p : Arrays.asList(c.getStartupProbe(), readiness, c.getLivenessProbe())) {
                if (p != null) {
                    HTTPGetAction get = p.getHttpGet();
                    assertThat(get).as("probes are HTTP GETs of the node").isNotNull();
                    assertThat(get.getPath()).isIn("/health", "/health/live");
                    assertThat(port(c, get.getPort())).as(c.getName() + " probe port").isEqualTo(httpPort(c));
                }
            }
            for (Service svc : servicesSelecting(set)) {
                for (ServicePort sp : svc.getSpec().getPorts()) {
                    IntOrString target = sp.getTargetPort() != null ? sp.getTargetPort() : new IntOrString(sp.getPort());
                    assertThat(port(c, target)).as(svc.getMetadata().getName() + " port " + sp.getName()).isNotNull();
                }
            }
        }
    }

    @Test
    void theContainerIsStartedWithRealNodeSettingsTheNodeAccepts() {
        Set<String> flags = Arrays.stream(Setting.values()).map(Setting::flag).collect(Collectors.toSet());
        Set<String> envVars = Arrays.stream(Setting.values()).map(Setting::envVar).collect(Collectors.toSet());
        for (StatefulSet set : all(StatefulSet.class)) {
            Container c = container(set);
            List<String> args = KubernetesManifests.args(c);
            for (String arg : args) {
                if (arg.startsWith("--")) {
                    assertThat(arg.split("=", 2)[0]).as(set.getMetadata().getName() + " flag").isIn(flags);
                }
            }
            Map<String, String> env = KubernetesManifests.environment(c);
            List<String> referenced = KubernetesManifests.references(c);
            env.keySet().forEach(name -> {
                if (name.startsWith("RIFFLE_")) {
                    assertThat(name).as(set.getMetadata().getName() + " env").isIn(envVars);
                } else {
                    assertThat(referenced).as(name + " is defined for a $(" + name + ") reference").contains(name);
                }
            });
            NodeConfig config = NodeConfig.load(args.toArray(String[]::new), env);
            assertThat(config.host()).as("the node must listen beyond the pod's loopback").isNotIn("127.0.0.1", "localhost", "::1");
            assertThat(httpPort(c)).isEqualTo(config.port());
            assertThat(mountOfClaim(set, config.dataDir())).as("the data directory is on a per-pod volume claim").isTrue();
            long preStop = preStopSeconds(c);
            assertThat((long) set.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
                    .as("grace covers preStop and shutdownTimeoutSeconds")
                    .isGreaterThanOrEqualTo(preStop + config.shutdownTimeoutSeconds() + 5);
            if (config.cluster().enabled()) {
                assertThat(namedPort(c, "hazelcast")).isEqualTo(config.cluster().port());
                assertThat(namedPort(c, "event-bus")).isEqualTo(config.cluster().eventBusPort());
                assertThat(config.cluster().eventBusPublicHost()).as("event-bus public host is the pod IP")
                        .isEqualTo(KubernetesManifests.DOWNWARD_API.get("status.podIP"));
            }
        }
    }

    @Test
    void theClusterFindsItsMembersThroughAHeadlessServiceAndKeepsAMajority() {
        List<StatefulSet> clustered = new ArrayList<>();
        for (StatefulSet set : all(StatefulSet.class)) {
            Container c = container(set);
            NodeConfig config = NodeConfig.load(KubernetesManifests.args(c).toArray(String[]::new),
                    KubernetesManifests.environment(c));
            if (!config.cluster().enabled()) {
                continue;
            }
            clustered.add(set);
            assertThat(config.cluster().discovery()).isEqualTo(ClusterConfig.Discovery.KUBERNETES);
            String[] dns = config.cluster().kubernetesService().split("\\.");
            assertThat(dns[1]).as("the Service's namespace is the pod's").isEqualTo(KubernetesManifests.DOWNWARD_API.get("metadata.namespace"));
            Service headless = all(Service.class).stream().filter(s -> s.getMetadata().getName().equals(dns[0])).findFirst()
                    .orElseThrow(() -> new AssertionError("no Service " + dns[0] + " named by " + set.getMetadata().getName()));
            assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
            assertThat(headless.getSpec().getPublishNotReadyAddresses()).isTrue();
            assertThat(KubernetesManifests.selects(headless.getSpec().getSelector(), set.getSpec().getTemplate().getMetadata().getLabels())).isTrue();
            assertThat(headless.getSpec().getPorts()).extracting(sp -> port(c, sp.getTargetPort()))
                    .contains(config.cluster().port(), config.cluster().eventBusPort());
            assertThat(set.getSpec().getServiceName()).isEqualTo(headless.getMetadata().getName());
            assertThat(set.getSpec().getReplicas()).isEqualTo(3);
            assertThat(servicesSelecting(set)).as("a client Service on the HTTP port")
                    .anyMatch(s -> !"None".equals(s.getSpec().getClusterIP())
                            && s.getSpec().getPorts().stream().anyMatch(sp -> sp.getPort() == config.port()));
            assertThat(all(PodDisruptionBudget.class)).as("a budget of one node down")
                    .anyMatch(pdb -> KubernetesManifests.selects(pdb.getSpec().getSelector().getMatchLabels(),
                            set.getSpec().getTemplate().getMetadata().getLabels())
                            && new IntOrString(1).equals(pdb.getSpec().getMaxUnavailable()));
        }
        assertThat(clustered).as("k8s/ has a clustered StatefulSet").isNotEmpty();
    }

    private static <T> List<T> all(Class<T> kind) {
        return manifests.stream().map(Manifest::object).filter(kind::isInstance).map(kind::cast).toList();
    }

    private static List<Map<String, String>> podLabels(Path file) {
        return manifests.stream().filter(m -> m.file().equals(file) && m.object() instanceof StatefulSet)
                .map(m -> ((StatefulSet) m.object()).getSpec().getTemplate().getMetadata().getLabels()).toList();
    }

    private static List<Service> servicesSelecting(StatefulSet set) {
        Map<String, String> labels = set.getSpec().getTemplate().getMetadata().getLabels();
        return all(Service.class).stream().filter(s -> KubernetesManifests.selects(s.getSpec().getSelector(), labels)).toList();
    }

    private static Container container(StatefulSet set) {
        PodTemplateSpec template = set.getSpec().getTemplate();
        assertThat(template.getSpec().getContainers()).as(set.getMetadata().getName()).hasSize(1);
        return template.getSpec().getContainers().get(0);
    }

    /** The container port a Service target or probe names (by name or number), or null when it opens none such. */
    private static Integer port(Container c, IntOrString ref) {
        for (ContainerPort p : c.getPorts()) {
            if (ref.getIntVal() != null ? ref.getIntVal().equals(p.getContainerPort()) : ref.getStrVal().equals(p.getName())) {
                return p.getContainerPort();
            }
        }
        return null;
    }

    private static Integer namedPort(Container c, String name) {
        return port(c, new IntOrString(name));
    }

    private static int httpPort(Container c) {
        Integer http = namedPort(c, "http");
        assertThat(http).as(c.getName() + " names its HTTP port 'http'").isNotNull();
        return http;
    }

    private static boolean mountOfClaim(StatefulSet set, Path dataDir) {
        Set<String> claims = set.getSpec().getVolumeClaimTemplates().stream()
                .map(PersistentVolumeClaim::getMetadata).map(meta -> meta.getName()).collect(Collectors.toSet());
        return container(set).getVolumeMounts().stream().filter(v -> claims.contains(v.getName()))
                .map(VolumeMount::getMountPath).anyMatch(p -> Path.of(p).equals(dataDir));
    }

    /** The seconds a preStop hook holds the pod before SIGTERM: {@code sleep N} (exec or the sleep action), else 0. */
    private static long preStopSeconds(Container c) {
        if (c.getLifecycle() == null || c.getLifecycle().getPreStop() == null) {
            return 0;
        }
        var hook = c.getLifecycle().getPreStop();
        if (hook.getSleep() != null) {
            return hook.getSleep().getSeconds();
        }
        List<String> command = hook.getExec().getCommand();
        assertThat(command).as("preStop is a sleep").hasSize(2).first().isEqualTo("sleep");
        return Long.parseLong(command.get(1));
    }
}
