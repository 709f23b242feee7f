package io.riffle.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Looks up series in Prometheus text (what {@code GET /metrics} answers). A lookup that matches no series
 * fails the test instead of reading as 0, so an assertion on a renamed or missing metric cannot pass by
 * accident.
 */
public final class Metrics {
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private Metrics() {
    }

    /**
     * The value of the one series of {@code name} whose labels include every given one.
     *
     * @param labels label names and values, alternating: {@code "stream", "s1", "consumer", "app"}
     * @throws AssertionError when no series, or more than one, matches
     */
    public static double value(String text, String name, String... labels) {
        List<Double> found = matching(text, name, labels);
        if (found.size() != 1) {
            throw new AssertionError(found.size() + " series match " + describe(name, labels) + ", expected exactly 1");
        }
        return found.get(0);
    }

    /**
     * The sum over every series of {@code name} whose labels include every given one (e.g. all shards of a
     * stream).
     *
     * @param labels label names and values, alternating
     * @throws AssertionError when no series matches
     */
    public static double sum(String text, String name, String... labels) {
        return matching(text, name, labels).stream().mapToDouble(Double::doubleValue).sum();
    }

    private static List<Double> matching(String text, String name, String... labels) {
        if (labels.length % 2 != 0) {
            throw new IllegalArgumentException("Labels come in name, value pairs: " + List.of(labels));
        }
        List<Double> out = new ArrayList<>();
        TreeSet<String> seriesOfName = new TreeSet<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            boolean hasLabels = brace >= 0 && brace < space;
            if (!line.substring(0, hasLabels ? brace : space).equals(name)) {
                continue;
            }
            int close = hasLabels ? line.lastIndexOf('}') : -1;
            Map<String, String> found = hasLabels ? labels(line.substring(brace + 1, close)) : Map.of();
            seriesOfName.add(line.substring(0, hasLabels ? close + 1 : space));
            if (includes(found, labels)) {
                String[] rest = line.substring(hasLabels ? close + 1 : space).trim().split(" ");
                out.add(Double.parseDouble(rest[0]));
            }
        }
        if (out.isEmpty()) {
            throw new AssertionError("No series matches " + describe(name, labels) + (seriesOfName.isEmpty()
                    ? ": there is no metric of that name" : "; series of that name: " + seriesOfName));
        }
        return out;
    }

    private static Map<String, String> labels(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = LABEL.matcher(text);
        while (m.find()) {
            out.put(m.group(1), m.group(2).replace("\\\"", "\"").replace("\\n", "\n").replace("\\\\", "\\"));
        }
        return out;
    }

    private static boolean includes(Map<String, String> found, String... labels) {
        for (int i = 0; i < labels.length; i += 2) {
            if (!labels[i + 1].equals(found.get(labels[i]))) {
                return false;
            }
        }
        return true;
    }

    private static String describe(String name, String... labels) {
        StringBuilder b = new StringBuilder(name).append('{');
        for (int i = 0; i < labels.length; i += 2) {
            b.append(i == 0 ? "" : ",").append(labels[i]).append("=\"").append(labels[i + 1]).append('"');
        }
        return b.append('}').toString();
    }
}
