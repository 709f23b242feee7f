package io.riffle.kinesis;

import io.riffle.error.RiffleException;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/** Shape checks shared by the operations, each failing with AWS's ValidationException message. */
final class Checks {
    private Checks() {
    }

    /** An optional integer member within {@code [min, max]}, or {@code dflt} when absent. */
    static int intInRange(KinesisRequest r, String member, int min, int max, int dflt) {
        Optional<Integer> v = r.member(member).integer();
        v.ifPresent(x -> requireRange(member, x, min, max));
        return v.orElse(dflt);
    }

    static void requireRange(String member, long value, long min, long max) {
        if (value < min) {
            throw RiffleException.constraint(KinesisRequest.fieldName(member), value, "have value greater than or equal to " + min);
        }
        if (value > max) {
            throw RiffleException.constraint(KinesisRequest.fieldName(member), value, "have value less than or equal to " + max);
        }
    }

    static void requireSize(String member, Collection<?> items, int min, int max) {
        if (items.size() < min || items.size() > max) {
            throw RiffleException.constraint(KinesisRequest.fieldName(member), items,
                    "have length less than or equal to " + max + " and greater than or equal to " + min);
        }
    }

    static void requireLength(String member, String value, int min, int max) {
        int chars = value.codePointCount(0, value.length());
        if (chars < min || chars > max) {
            throw RiffleException.constraint(KinesisRequest.fieldName(member), value,
                    "have length less than or equal to " + max + " and greater than or equal to " + min);
        }
    }

    /** Tag keys 1..128 and values 0..256 characters. */
    static void requireTags(String member, Map<String, String> tags, int maxEntries) {
        if (tags.isEmpty() || tags.size() > maxEntries) {
            throw RiffleException.constraint(KinesisRequest.fieldName(member), tags.keySet(),
                    "have length less than or equal to " + maxEntries + " and greater than or equal to 1");
        }
        tags.forEach((k, v) -> {
            requireLength("TagKey", k, 1, 128);
            requireLength("TagValue", v, 0, 256);
        });
    }
}
