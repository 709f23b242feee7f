package io.riffle.model;

import io.riffle.error.RiffleException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The shape constraints of one member of the Kinesis API model, each with the wording AWS uses when it is
 * broken ({@code Value 'x' at 'streamName' failed to satisfy constraint: Member must ...}). The members'
 * constraints are listed once, in {@link Constraints}; {@link Violations} collects the broken ones of a
 * request into one ValidationException, as AWS lists every violation.
 *
 * @param field the member's name in messages: camelCase, nested members dotted ({@code shardFilter.type})
 */
public record Constraint(String field, List<Rule> rules) {
    private static final int MAX_SHOWN = 256;

    public Constraint {
        rules = List.copyOf(rules);
    }

    /** One rule of a member; {@link #wording()} follows "Member must ". Absent values satisfy every rule but {@link #notNull()}. */
    public sealed interface Rule permits NotNull, MinLength, MaxLength, Min, Max, Matches, OneOf {
        String wording();

        boolean holds(Object value);
    }

    public record NotNull() implements Rule {
        public String wording() {
            return "not be null";
        }

        public boolean holds(Object value) {
            return value != null;
        }
    }

    public record MinLength(int min) implements Rule {
        public String wording() {
            return "have length greater than or equal to " + min;
        }

        public boolean holds(Object value) {
            return value == null || length(value) >= min;
        }
    }

    public record MaxLength(int max) implements Rule {
        public String wording() {
            return "have length less than or equal to " + max;
        }

        public boolean holds(Object value) {
            return value == null || length(value) <= max;
        }
    }

    public record Min(long min) implements Rule {
        public String wording() {
            return "have value greater than or equal to " + min;
        }

        public boolean holds(Object value) {
            return !(value instanceof Number n) || n.longValue() >= min;
        }
    }

    public record Max(long max) implements Rule {
        public String wording() {
            return "have value less than or equal to " + max;
        }

        public boolean holds(Object value) {
            return !(value instanceof Number n) || n.longValue() <= max;
        }
    }

    /** A full match of {@code regex}, shown in messages as written in the API model. */
    public record Matches(String regex, Pattern pattern) implements Rule {
        public Matches(String regex) {
            this(regex, Pattern.compile(regex));
        }

        public String wording() {
            return "satisfy regular expression pattern: " + regex;
        }

        public boolean holds(Object value) {
            return !(value instanceof String s) || pattern.matcher(s).matches();
        }
    }

    public record OneOf(List<String> values) implements Rule {
        public String wording() {
            return "satisfy enum value set: " + values;
        }

        public boolean holds(Object value) {
            return !(value instanceof String s) || values.contains(s);
        }
    }

    public static Constraint of(String field, Rule... rules) {
        return new Constraint(field, List.of(rules));
    }

    public static Rule notNull() {
        return new NotNull();
    }

    /** Length rules as AWS checks them: at least {@code min}, at most {@code max}, reported one by one. */
    public static Rule[] length(int min, int max) {
        return new Rule[] {new MinLength(min), new MaxLength(max)};
    }

    /** The same member required: {@code Member must not be null} when absent. */
    public Constraint required() {
        List<Rule> all = new ArrayList<>(rules.size() + 1);
        all.add(new NotNull());
        all.addAll(rules);
        return new Constraint(field, all);
    }

    /** These rules and then {@code more}. */
    public Constraint with(Rule... more) {
        List<Rule> all = new ArrayList<>(rules);
        all.addAll(List.of(more));
        return new Constraint(field, all);
    }

    /** The same rules for a member shown at another path, e.g. {@code records.1.member.partitionKey}. */
    public Constraint at(String path) {
        return new Constraint(path, rules);
    }

    /** The broken rules of a value, each as AWS words it; empty if the value is valid. */
    public List<String> violations(Object value) {
        List<String> out = new ArrayList<>();
        for (Rule rule : rules) {
            if (!rule.holds(value)) {
                out.add("Value " + shown(value) + " at '" + field + "' failed to satisfy constraint: Member must "
                        + rule.wording());
            }
        }
        return out;
    }

    /** Fails with a ValidationException listing every broken rule of this one value. */
    public <T> T require(T value) {
        for (Rule rule : rules) {
            if (!rule.holds(value)) {
                new Violations().check(this, value).throwIfAny();
            }
        }
        return value; // a valid value (every put's partition key) costs no collection of violations
    }

    /**
     * Length as the Kinesis model counts it: Unicode code points of a string, bytes of a blob, entries of a
     * list or map.
     */
    static int length(Object value) {
        if (value instanceof String s) {
            return s.codePointCount(0, s.length());
        }
        if (value instanceof byte[] b) {
            return b.length;
        }
        if (value instanceof Collection<?> c) {
            return c.size();
        }
        if (value instanceof Map<?, ?> m) {
            return m.size();
        }
        return 0;
    }

    /**
     * A value as AWS quotes it: {@code null}, {@code 'x'}, {@code '[a, b]'}, {@code '{k=v}'}, a blob by its
     * size. Unlike AWS, never more than {@value #MAX_SHOWN} characters of it, and a list of structures only
     * by its size: an error answer must not echo a large request back.
     */
    static String shown(Object value) {
        if (value == null) {
            return "null";
        }
        String text;
        if (value instanceof byte[] b) {
            text = "java.nio.HeapByteBuffer[pos=0 lim=" + b.length + " cap=" + b.length + "]";
        } else if (value instanceof Map<?, ?> m) {
            text = m.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(", ", "{", "}"));
        } else if (value instanceof Collection<?> c && !c.stream().allMatch(String.class::isInstance)) {
            text = "[" + c.size() + " entries]";
        } else {
            text = String.valueOf(value);
        }
        return "'" + (text.length() <= MAX_SHOWN ? text : text.substring(0, MAX_SHOWN) + "...") + "'";
    }

    /** The exception a list of violations makes: {@code N validation error(s) detected: a; b}. */
    static RiffleException exception(List<String> violations) {
        return RiffleException.validation(violations.size() + " validation error" + (violations.size() == 1 ? "" : "s")
                + " detected: " + String.join("; ", violations));
    }
}
