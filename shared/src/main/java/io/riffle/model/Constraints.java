package io.riffle.model;

import static io.riffle.model.Constraint.length;

import io.riffle.model.Constraint.Matches;
import io.riffle.model.Constraint.Max;
import io.riffle.model.Constraint.Min;
import io.riffle.model.Constraint.Rule;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * The one table of member constraints of the Kinesis API model (API version 2013-12-02): field name,
 * rules and, through {@link Constraint.Rule#wording()}, the words AWS uses. The model types validate with
 * these, and the Kinesis API checks whole requests against them. Order within a member is AWS's: the
 * pattern before the lengths.
 */
public final class Constraints {
    public static final String NAME_PATTERN = "[a-zA-Z0-9_.-]+";
    public static final Constraint STREAM_NAME = Constraint.of("streamName", rules(new Matches(NAME_PATTERN), length(1, 128)));
    public static final Constraint CONSUMER_NAME = Constraint.of("consumerName", rules(new Matches(NAME_PATTERN), length(1, 128)));
    public static final Constraint SHARD_ID = Constraint.of("shardId", rules(new Matches(NAME_PATTERN), length(1, 128)));
    public static final Constraint SHARD_COUNT = Constraint.of("shardCount", new Min(1));
    public static final Constraint PARTITION_KEY = Constraint.of("partitionKey", length(1, HashKeys.MAX_PARTITION_KEY_CHARS));
    public static final Constraint EXPLICIT_HASH_KEY = Constraint.of("explicitHashKey", new Matches("0|([1-9]\\d{0,38})"));
    public static final Constraint SEQUENCE_NUMBER = Constraint.of("sequenceNumber", new Matches("0|([1-9]\\d{0,128})"));
    public static final Constraint STREAM_ARN = Constraint.of("streamARN",
            rules(new Matches("arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+"), length(1, 2048)));
    public static final Constraint CONSUMER_ARN = Constraint.of("consumerARN", rules(
            new Matches("arn:aws.*:kinesis:.*:\\d{12}:.*stream/[a-zA-Z0-9_.-]+/consumer/[a-zA-Z0-9_.-]+:[0-9]+"),
            length(1, 2048)));
    public static final Constraint SHARD_ITERATOR = Constraint.of("shardIterator", length(1, 512));
    public static final Constraint RETENTION_HOURS = Constraint.of("retentionPeriodHours", new Min(1));
    public static final Constraint TAG_KEY = Constraint.of("tagKey", length(1, Tags.MAX_KEY_CHARS));
    public static final Constraint TAG_VALUE = Constraint.of("tagValue", length(0, Tags.MAX_VALUE_CHARS));
    public static final Constraint TAGS = Constraint.of("tags", length(1, Tags.MAX_PER_REQUEST));
    public static final Constraint TAG_KEYS = Constraint.of("tagKeys", length(1, Tags.MAX_PER_REQUEST));
    public static final Constraint GET_RECORDS_LIMIT = Constraint.of("limit", new Min(1), new Max(Limits.GET_RECORDS_MAX_RECORDS));
    public static final Constraint PUT_RECORDS_ENTRIES = Constraint.of("records", length(1, Limits.PUT_RECORDS_MAX_ENTRIES));
    public static final Constraint MAX_RECORD_SIZE_KIB = Constraint.of("maxRecordSizeInKiB",
            new Min(Limits.MAX_RECORD_SIZE_KIB_MIN), new Max(Limits.MAX_RECORD_SIZE_KIB_MAX));

    private Constraints() {
    }

    /** A member named {@code field} whose value lies in {@code [min, max]} (limits and page sizes). */
    public static Constraint range(String field, long min, long max) {
        return Constraint.of(field, new Min(min), new Max(max));
    }

    /** The enum value set of a member, in the order the API model lists it. */
    public static Constraint oneOf(String field, List<String> values) {
        return Constraint.of(field, new Constraint.OneOf(List.copyOf(values)));
    }

    private static Rule[] rules(Rule first, Rule... rest) {
        return Stream.concat(Stream.of(first), Arrays.stream(rest)).toArray(Rule[]::new);
    }
}
