package io.riffle.stream;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.model.Limits;
import io.riffle.model.StreamDescription;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/** The validated changes the control plane applies to a stream's description. */
final class StreamChanges {
    private StreamChanges() {
    }

    static StreamDescription withRetention(StreamDescription d, int hours) {
        if (hours < Limits.RETENTION_HOURS_MIN || hours > Limits.RETENTION_HOURS_MAX) {
            throw RiffleException.invalidArgument("Retention period hours " + hours + " must be between "
                    + Limits.RETENTION_HOURS_MIN + " and " + Limits.RETENTION_HOURS_MAX);
        }
        return d.withRetentionHours(hours);
    }

    static StreamDescription withMaxRecordSize(StreamDescription d, int kib) {
        return d.withMaxRecordSizeKiB(requireMaxRecordSize(kib));
    }

    static int requireMaxRecordSize(int kib) {
        if (kib < Limits.MAX_RECORD_SIZE_KIB_MIN || kib > Limits.MAX_RECORD_SIZE_KIB_MAX) {
            throw RiffleException.constraint("maxRecordSizeInKiB", kib, "have value less than or equal to "
                    + Limits.MAX_RECORD_SIZE_KIB_MAX + " and greater than or equal to " + Limits.MAX_RECORD_SIZE_KIB_MIN);
        }
        return kib;
    }

    /** Tags: key 1..128 chars, value 0..256 chars, at most 50 per stream. */
    static Map<String, String> addTags(Map<String, String> existing, JsonObject add) {
        Map<String, String> tags = new LinkedHashMap<>(existing);
        for (Map.Entry<String, Object> e : add) {
            String key = e.getKey();
            String value = e.getValue() == null ? "" : e.getValue().toString();
            if (key.isEmpty() || key.length() > 128) {
                throw RiffleException.constraint("tags.key", key, "have length less than or equal to 128 and greater than or equal to 1");
            }
            if (value.length() > 256) {
                throw RiffleException.constraint("tags.value", value, "have length less than or equal to 256");
            }
            tags.put(key, value);
        }
        if (tags.size() > 50) {
            throw new RiffleException(ErrorCode.LIMIT_EXCEEDED, "A stream can have at most 50 tags; this would make " + tags.size());
        }
        return tags;
    }

    static Map<String, String> removeTags(Map<String, String> existing, JsonArray keys) {
        Map<String, String> tags = new LinkedHashMap<>(existing);
        keys.forEach(k -> tags.remove(String.valueOf(k)));
        return tags;
    }
}
