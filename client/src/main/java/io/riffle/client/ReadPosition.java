package io.riffle.client;

import java.time.Instant;
import java.util.Objects;

/** Where a polling read starts in a shard; renders itself as the read endpoint's query parameters. */
public sealed interface ReadPosition {
    ReadPosition TRIM_HORIZON = new Named("TRIM_HORIZON");
    ReadPosition LATEST = new Named("LATEST");

    static ReadPosition atSequenceNumber(String sequenceNumber) {
        return new Sequence("AT_SEQUENCE_NUMBER", sequenceNumber);
    }

    static ReadPosition afterSequenceNumber(String sequenceNumber) {
        return new Sequence("AFTER_SEQUENCE_NUMBER", sequenceNumber);
    }

    static ReadPosition atTimestamp(Instant timestamp) {
        return new AtTimestamp(timestamp);
    }

    /** The query parameters, already URL-safe, without a leading '&'. */
    String query();

    record Named(String from) implements ReadPosition {
        @Override
        public String query() {
            return "from=" + from;
        }
    }

    record Sequence(String from, String sequenceNumber) implements ReadPosition {
        public Sequence {
            Objects.requireNonNull(sequenceNumber, "sequenceNumber");
        }

        @Override
        public String query() {
            return "from=" + from + "&sequenceNumber=" + Queries.encode(sequenceNumber);
        }
    }

    record AtTimestamp(Instant timestamp) implements ReadPosition {
        public AtTimestamp {
            Objects.requireNonNull(timestamp, "timestamp");
        }

        @Override
        public String query() {
            return "from=AT_TIMESTAMP&timestamp=" + Queries.timestamp(timestamp);
        }
    }
}
