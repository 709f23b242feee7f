package io.riffle.client;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Where a subscription starts in each shard. Renders itself as the subscribe endpoint's query
 * parameters ({@code from}, {@code timestamp}, {@code positions}).
 */
public sealed interface StartPosition {
    /** Only records put after the subscription starts. */
    StartPosition LATEST = new Named("LATEST");
    /** The oldest record still retained in each shard. */
    StartPosition TRIM_HORIZON = new Named("TRIM_HORIZON");

    static StartPosition atTimestamp(Instant timestamp) {
        return new AtTimestamp(timestamp);
    }

    /** Just after the given sequence number in each listed shard (shard id to sequence number). */
    static StartPosition afterSequenceNumbers(Map<String, String> positions) {
        return new AfterSequenceNumbers(positions);
    }

    /** The query parameters, already URL-safe, without a leading '&'. */
    String query();

    /** LATEST or TRIM_HORIZON. */
    record Named(String from) implements StartPosition {
        @Override
        public String query() {
            return "from=" + from;
        }
    }

    /** The first record that arrived at or after the timestamp. */
    record AtTimestamp(Instant timestamp) implements StartPosition {
        public AtTimestamp {
            Objects.requireNonNull(timestamp, "timestamp");
        }

        @Override
        public String query() {
            return "from=AT_TIMESTAMP&timestamp=" + Queries.timestamp(timestamp);
        }
    }

    /** Just after a known sequence number per shard, as a resumed subscription uses. */
    record AfterSequenceNumbers(Map<String, String> positions) implements StartPosition {
        public AfterSequenceNumbers {
            if (positions.isEmpty()) {
                throw new IllegalArgumentException("AFTER_SEQUENCE_NUMBER needs at least one shard position");
            }
            positions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(positions));
        }

        @Override
        public String query() {
            return "from=AFTER_SEQUENCE_NUMBER&positions=" + positionsParam(positions);
        }
    }

    /** {@code shardId:sequenceNumber,...}, URL-safe. */
    static String positionsParam(Map<String, String> positions) {
        return positions.entrySet().stream()
                .map(e -> Queries.encode(e.getKey()) + ":" + Queries.encode(e.getValue()))
                .collect(Collectors.joining(","));
    }
}
