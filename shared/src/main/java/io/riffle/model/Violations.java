package io.riffle.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the broken constraints of one request, so that one ValidationException lists them all, as
 * AWS does ({@code 2 validation errors detected: ...; ...}). AWS reports at most ten.
 */
public final class Violations {
    private static final int MAX_REPORTED = 10;
    private final List<String> found = new ArrayList<>();

    /** Checks one value against its member's constraint. */
    public Violations check(Constraint constraint, Object value) {
        for (String v : constraint.violations(value)) {
            if (found.size() < MAX_REPORTED) {
                found.add(v);
            }
        }
        return this;
    }

    public boolean isEmpty() {
        return found.isEmpty();
    }

    /** Fails with one ValidationException naming every violation found, if there is any. */
    public void throwIfAny() {
        if (!found.isEmpty()) {
            throw Constraint.exception(found);
        }
    }
}
