package io.riffle.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An IAM-style policy: {@code {"Version":"2012-10-17","Statement":[{"Effect":"Allow"|"Deny","Action":...,
 * "Resource":...,"Principal":...}]}}. {@code Action} and {@code Resource} are a string or a list, with {@code *}
 * and {@code ?} wildcards; actions match case-insensitively (as IAM does), resources exactly. {@code Principal}
 * (resource policies only) is {@code "*"}, or {@code {"AWS": ...}} with principal ARNs, an account id or
 * {@code arn:aws:iam::<account>:root}. Parts Riffle does not evaluate ({@code Condition}, {@code NotAction},
 * {@code NotResource}, {@code NotPrincipal}) are refused when the policy is read rather than ignored, since
 * ignoring one could grant more than its author meant. Immutable.
 */
public record PolicyDocument(List<Statement> statements, String json) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> STATEMENT_KEYS = Set.of("Sid", "Effect", "Action", "Resource", "Principal");

    public PolicyDocument {
        statements = List.copyOf(statements);
    }

    /** Allow or Deny. */
    public enum Effect {
        ALLOW, DENY
    }

    /**
     * One statement.
     *
     * @param principals empty in identity-based policies; in resource policies the principals it names
     */
    public record Statement(Effect effect, List<Pattern> actions, List<Pattern> resources, List<String> principals) {
        public Statement {
            actions = List.copyOf(actions);
            resources = List.copyOf(resources);
            principals = List.copyOf(principals);
        }

        boolean matches(String action, String resource) {
            return actions.stream().anyMatch(p -> p.matcher(action).matches())
                    && resources.stream().anyMatch(p -> p.matcher(resource).matches());
        }

        /** Whether this resource-policy statement names {@code principal} of {@code accountId}. */
        boolean names(Principal principal, String accountId) {
            for (String p : principals) {
                if (p.equals("*") || p.equals(principal.arn()) || p.equals(accountId)
                        || p.equals("arn:aws:iam::" + accountId + ":root")) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * Parses a policy from JSON text.
     *
     * @param resourcePolicy true for a resource policy (every statement needs a Principal), false for an
     *                       identity-based one (none may have one)
     * @throws IllegalArgumentException naming what is wrong
     */
    public static PolicyDocument parse(String json, boolean resourcePolicy) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("Policy is not valid JSON: " + e.getOriginalMessage());
        }
        return parse(node, resourcePolicy);
    }

    /** Parses a policy from a JSON (or YAML) tree; see {@link #parse(String, boolean)}. */
    public static PolicyDocument parse(JsonNode node, boolean resourcePolicy) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("A policy must be a JSON object with a Statement");
        }
        JsonNode st = node.get("Statement");
        if (st == null || st.isNull()) {
            throw new IllegalArgumentException("A policy needs a Statement (an object or a list of them)");
        }
        List<Statement> statements = new ArrayList<>();
        for (JsonNode s : st.isArray() ? st : List.of(st)) {
            statements.add(statement(s, resourcePolicy));
        }
        if (statements.isEmpty()) {
            throw new IllegalArgumentException("A policy needs at least one Statement");
        }
        return new PolicyDocument(statements, node.toString());
    }

    private static Statement statement(JsonNode s, boolean resourcePolicy) {
        if (!s.isObject()) {
            throw new IllegalArgumentException("Each policy Statement must be an object");
        }
        for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!STATEMENT_KEYS.contains(key)) {
                throw new IllegalArgumentException("Policy statement element '" + key
                        + "' is not supported by Riffle (supported: Sid, Effect, Action, Resource, Principal)");
            }
        }
        String effect = s.path("Effect").asText("");
        Effect e = switch (effect) {
            case "Allow" -> Effect.ALLOW;
            case "Deny" -> Effect.DENY;
            default -> throw new IllegalArgumentException("Policy statement Effect must be Allow or Deny, not '" + effect + "'");
        };
        List<Pattern> actions = strings(s.get("Action"), "Action").stream().map(a -> wildcard(a, true)).toList();
        List<Pattern> resources = strings(s.get("Resource"), "Resource").stream().map(r -> wildcard(r, false)).toList();
        List<String> principals = List.of();
        JsonNode p = s.get("Principal");
        if (resourcePolicy) {
            if (p == null) {
                throw new IllegalArgumentException("Each statement of a resource policy needs a Principal");
            }
            principals = p.isTextual() ? strings(p, "Principal") : strings(p.get("AWS"), "Principal.AWS");
        } else if (p != null) {
            throw new IllegalArgumentException("An identity-based policy statement may not have a Principal");
        }
        return new Statement(e, actions, resources, principals);
    }

    private static List<String> strings(JsonNode n, String field) {
        List<String> out = new ArrayList<>();
        if (n != null && n.isTextual()) {
            out.add(n.asText());
        } else if (n != null && n.isArray()) {
            n.forEach(v -> {
                if (!v.isTextual()) {
                    throw new IllegalArgumentException("Policy " + field + " entries must be strings");
                }
                out.add(v.asText());
            });
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("Policy statement needs " + field + " (a string or a list of strings)");
        }
        return out;
    }

    /** IAM wildcards: {@code *} any run of characters, {@code ?} one character; everything else literal. */
    static Pattern wildcard(String glob, boolean ignoreCase) {
        StringBuilder re = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : glob.toCharArray()) {
            if (c == '*' || c == '?') {
                if (literal.length() > 0) {
                    re.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                re.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (literal.length() > 0) {
            re.append(Pattern.quote(literal.toString()));
        }
        return Pattern.compile(re.toString(), ignoreCase ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.DOTALL
                : Pattern.DOTALL);
    }

    /** The statements of this policy with {@code effect} that match the action and resource. */
    boolean any(Effect effect, String action, String resource) {
        return statements.stream().anyMatch(s -> s.effect() == effect && s.matches(action, resource));
    }

    /** As {@link #any} for a resource policy: only statements naming the principal count. */
    boolean anyFor(Principal principal, String accountId, Effect effect, String action, String resource) {
        return statements.stream().anyMatch(s -> s.effect() == effect && s.names(principal, accountId)
                && s.matches(action, resource));
    }

    @Override
    public String toString() {
        return "PolicyDocument[" + statements.size() + " statements]";
    }
}
