package io.riffle.node;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads the Kubernetes manifests in {@code k8s/} with fabric8's Kubernetes model, strictly: a document of a
 * kind the model does not know, or with a field the model does not have (a typo such as {@code readinesProbe}
 * that {@code kubectl apply} would reject or, worse, silently drop), is an error naming the file and the
 * field. fabric8 itself keeps unknown fields in each object's {@code additionalProperties}, so strictness
 * is a walk over the parsed objects looking for any non-empty one.
 */
final class KubernetesManifests {
    /** The manifests the tests read: every YAML file directly in {@code k8s/} ({@code monitoring/} holds no objects). */
    static final Path DIR = Path.of("..", "k8s");

    /** The values a pod's downward API gives, for checking what the container receives. */
    static final Map<String, String> DOWNWARD_API = Map.of(
            "metadata.namespace", "riffle-test",
            "metadata.name", "riffle-cluster-0",
            "status.podIP", "10.244.1.7");

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Pattern VAR_REF = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

    private KubernetesManifests() {
    }

    /** One object of a manifest file. */
    record Manifest(Path file, HasMetadata object) {
        @Override
        public String toString() {
            return file.getFileName() + ": " + object.getKind() + " " + object.getMetadata().getName();
        }
    }

    static List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(DIR)) {
            return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    /** Every object of every manifest file, strictly parsed. */
    static List<Manifest> all() throws IOException {
        List<Manifest> all = new ArrayList<>();
        for (Path file : files()) {
            for (HasMetadata object : parse(Files.readString(file), file.getFileName().toString())) {
                all.add(new Manifest(file, object));
            }
        }
        return all;
    }

    /**
     * The objects of a (multi-document) YAML text.
     *
     * @throws IllegalArgumentException naming the document's kind and the unknown field, or the unknown kind
     */
    static List<HasMetadata> parse(String yaml, String source) {
        List<HasMetadata> objects = new ArrayList<>();
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc == null || doc.isNull() || doc.isMissingNode()) {
                    continue;
                }
                KubernetesResource resource = SERIALIZATION.unmarshal(SERIALIZATION.asJson(doc), KubernetesResource.class);
                if (!(resource instanceof HasMetadata object) || resource instanceof GenericKubernetesResource) {
                    throw new IllegalArgumentException(source + ": unknown kind " + doc.path("apiVersion").asString()
                            + "/" + doc.path("kind").asString());
                }
                List<String> unknown = new ArrayList<>();
                unknownFields(object, object.getKind(), unknown, 0);
                if (!unknown.isEmpty()) {
                    throw new IllegalArgumentException(source + ": " + object.getKind() + " "
                            + object.getMetadata().getName() + " has fields Kubernetes does not know: " + unknown);
                }
                objects.add(object);
            }
        }
        return objects;
    }

    /** Collects the paths of every field the model kept aside as unknown, below {@code value}. */
    private static void unknownFields(Object value, String path, List<String> unknown, int depth) {
        if (value == null || depth > 64) {
            return;
        }
        if (value instanceof Collection<?> list) {
            int i = 0;
            for (Object item : list) {
                unknownFields(item, path + "[" + i++ + "]", unknown, depth + 1);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "." + k, unknown, depth + 1));
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Class<?> c = value.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                f.setAccessible(true);
                Object fieldValue;
                try {
                    fieldValue = f.get(value);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
                if (f.getName().equals("additionalProperties")) {
                    if (fieldValue instanceof Map<?, ?> extra) {
                        extra.keySet().forEach(k -> unknown.add(path + "." + k));
                    }
                } else {
                    unknownFields(fieldValue, path + "." + f.getName(), unknown, depth + 1);
                }
            }
        }
    }

    /**
     * The container's environment as the kubelet gives it: literal values, downward-API fields from
     * {@link #DOWNWARD_API}, and {@code $(VAR)} references to variables defined earlier expanded.
     */
    static Map<String, String> environment(Container container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar var : container.getEnv()) {
            String value;
            if (var.getValueFrom() != null) {
                if (var.getValueFrom().getFieldRef() == null) {
                    throw new IllegalArgumentException("env " + var.getName() + ": only downward-API fields are checked");
                }
                String path = var.getValueFrom().getFieldRef().getFieldPath();
                value = DOWNWARD_API.get(path);
                if (value == null) {
                    throw new IllegalArgumentException("env " + var.getName() + ": unknown downward-API field " + path);
                }
            } else {
                value = expand(var.getValue() == null ? "" : var.getValue(), env, "env " + var.getName());
            }
            env.put(var.getName(), value);
        }
        return env;
    }

    /** The container's arguments with {@code $(VAR)} expanded from its environment. */
    static List<String> args(Container container) {
        Map<String, String> env = environment(container);
        return container.getArgs().stream().map(a -> expand(a, env, "args")).toList();
    }

    /** The names {@code $(VAR)} references in the container's args and env values. */
    static List<String> references(Container container) {
        List<String> names = new ArrayList<>();
        List<String> texts = new ArrayList<>(container.getArgs());
        container.getEnv().stream().filter(v -> v.getValue() != null).forEach(v -> texts.add(v.getValue()));
        for (String text : texts) {
            Matcher m = VAR_REF.matcher(text);
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** Kubernetes leaves an undefined reference as is; here it is an error, since the node would get "$(X)". */
    private static String expand(String text, Map<String, String> env, String where) {
        Matcher m = VAR_REF.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = env.get(m.group(1));
            if (value == null) {
                throw new IllegalArgumentException(where + ": $(" + m.group(1) + ") is not defined before it is used");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Whether every label of {@code selector} is on {@code labels}, as Kubernetes matches an equality selector. */
    static boolean selects(Map<String, String> selector, Map<String, String> labels) {
        return selector != null && !selector.isEmpty() && labels != null
                && new HashMap<>(labels).entrySet().containsAll(selector.entrySet());
    }
}
