package io.riffle.kinesis;

import io.riffle.model.Constraint;
import io.riffle.model.Constraints;
import io.riffle.model.Tags;
import io.riffle.model.Violations;
import java.util.List;
import java.util.Map;

/**
 * The members of each Kinesis operation's request, with their types and constraints from the one table
 * ({@link Constraints}). {@link #check} runs before an operation: a member of the wrong type is a
 * SerializationException at once; then every broken constraint of every member is listed in one
 * ValidationException, members in alphabetical order as AWS lists them. Semantic checks (a stream that
 * must exist, retention bounds, tag characters) stay with the operations.
 */
final class RequestShapes {
    enum Kind { STRING, INTEGER, BOOLEAN, BLOB, TIMESTAMP, LIST, MAP, STRUCTURE }

    /** One member: its wire name, type, constraint and (for lists of structures and structures) members. */
    record Member(String wire, Kind kind, Constraint constraint, List<Member> members) {
        Member(String wire, Kind kind, Constraint constraint) {
            this(wire, kind, constraint, List.of());
        }
    }

    private static final Member STREAM_ARN = string("StreamARN", Constraints.STREAM_ARN);
    private static final Member STREAM_NAME = string("StreamName", Constraints.STREAM_NAME);
    private static final Member LIMIT = integer("Limit", Constraints.range("limit", 1, 10_000));
    private static final Member MAX_RESULTS = integer("MaxResults", Constraints.range("maxResults", 1, 10_000));
    private static final Member NEXT_TOKEN = string("NextToken", Constraint.of("nextToken", Constraint.length(1, 1_048_576)));
    private static final Member CONSUMER_ARN = string("ConsumerARN", Constraints.CONSUMER_ARN);
    private static final Member CONSUMER_NAME = string("ConsumerName", Constraints.CONSUMER_NAME);
    private static final Member EXPLICIT_HASH_KEY = string("ExplicitHashKey", Constraints.EXPLICIT_HASH_KEY);
    private static final Member PARTITION_KEY = string("PartitionKey", Constraints.PARTITION_KEY.required());
    private static final Member DATA = new Member("Data", Kind.BLOB, Constraint.of("data", Constraint.notNull()));
    private static final Member RETENTION = integer("RetentionPeriodHours", Constraints.RETENTION_HOURS.required());
    private static final Member SHARD_LEVEL_METRICS = new Member("ShardLevelMetrics", Kind.LIST,
            Constraint.of("shardLevelMetrics", Constraint.notNull()).with(Constraint.length(1, 7)));

    private static final List<Member> ENCRYPTION = List.of(
            string("EncryptionType", Constraints.oneOf("encryptionType", List.of("NONE", "KMS")).required()),
            string("KeyId", Constraint.of("keyId", Constraint.length(1, 2048)).required()), STREAM_ARN, STREAM_NAME);

    private static final Map<String, List<Member>> OPERATIONS = Map.ofEntries(
            Map.entry("StartStreamEncryption", ENCRYPTION),
            Map.entry("StopStreamEncryption", ENCRYPTION),
            Map.entry("CreateStream", List.of(integer("MaxRecordSizeInKiB", Constraints.MAX_RECORD_SIZE_KIB),
                    integer("ShardCount", Constraints.SHARD_COUNT), string("StreamName", Constraints.STREAM_NAME.required()),
                    new Member("Tags", Kind.MAP, Constraint.of("tags", new Constraint.MaxLength(Tags.MAX_PER_REQUEST))))),
            Map.entry("DeleteStream", List.of(STREAM_ARN, STREAM_NAME)),
            Map.entry("DescribeStream", List.of(string("ExclusiveStartShardId", Constraints.SHARD_ID.at("exclusiveStartShardId")),
                    LIMIT, STREAM_ARN, STREAM_NAME)),
            Map.entry("DescribeStreamSummary", List.of(STREAM_ARN, STREAM_NAME)),
            Map.entry("ListStreams", List.of(string("ExclusiveStartStreamName",
                    Constraints.STREAM_NAME.at("exclusiveStartStreamName")), LIMIT, NEXT_TOKEN)),
            Map.entry("ListShards", List.of(string("ExclusiveStartShardId", Constraints.SHARD_ID.at("exclusiveStartShardId")),
                    MAX_RESULTS, NEXT_TOKEN, STREAM_ARN, STREAM_NAME)),
            Map.entry("PutRecord", List.of(DATA, EXPLICIT_HASH_KEY, PARTITION_KEY,
                    string("SequenceNumberForOrdering", Constraints.SEQUENCE_NUMBER.at("sequenceNumberForOrdering")),
                    STREAM_ARN, STREAM_NAME)),
            Map.entry("PutRecords", List.of(new Member("Records", Kind.LIST,
                    Constraints.PUT_RECORDS_ENTRIES.required(), List.of(DATA, EXPLICIT_HASH_KEY, PARTITION_KEY)),
                    STREAM_ARN, STREAM_NAME)),
            Map.entry("GetShardIterator", List.of(string("ShardId", Constraints.SHARD_ID.required()),
                    string("ShardIteratorType", Constraints.oneOf("shardIteratorType", RecordOperations.ITERATOR_TYPES).required()),
                    string("StartingSequenceNumber", Constraints.SEQUENCE_NUMBER.at("startingSequenceNumber")),
                    STREAM_ARN, STREAM_NAME, new Member("Timestamp", Kind.TIMESTAMP, Constraint.of("timestamp")))),
            Map.entry("GetRecords", List.of(integer("Limit", Constraints.GET_RECORDS_LIMIT),
                    string("ShardIterator", Constraints.SHARD_ITERATOR.required()), STREAM_ARN)),
            Map.entry("IncreaseStreamRetentionPeriod", List.of(RETENTION, STREAM_ARN, STREAM_NAME)),
            Map.entry("DecreaseStreamRetentionPeriod", List.of(RETENTION, STREAM_ARN, STREAM_NAME)),
            Map.entry("AddTagsToStream", List.of(STREAM_ARN, STREAM_NAME,
                    new Member("Tags", Kind.MAP, Constraints.TAGS.required()))),
            Map.entry("RemoveTagsFromStream", List.of(STREAM_ARN, STREAM_NAME,
                    new Member("TagKeys", Kind.LIST, Constraints.TAG_KEYS.required()))),
            Map.entry("ListTagsForStream", List.of(string("ExclusiveStartTagKey", Constraints.TAG_KEY.at("exclusiveStartTagKey")),
                    integer("Limit", Constraints.range("limit", 1, Tags.MAX_PER_REQUEST)), STREAM_ARN, STREAM_NAME)),
            Map.entry("RegisterStreamConsumer", List.of(string("ConsumerName", Constraints.CONSUMER_NAME.required()),
                    string("StreamARN", Constraints.STREAM_ARN.required()))),
            Map.entry("DeregisterStreamConsumer", List.of(CONSUMER_ARN, CONSUMER_NAME, STREAM_ARN)),
            Map.entry("DescribeStreamConsumer", List.of(CONSUMER_ARN, CONSUMER_NAME, STREAM_ARN)),
            Map.entry("ListStreamConsumers", List.of(MAX_RESULTS, NEXT_TOKEN, string("StreamARN", Constraints.STREAM_ARN.required()))),
            Map.entry("SubscribeToShard", List.of(string("ConsumerARN", Constraints.CONSUMER_ARN.required()),
                    string("ShardId", Constraints.SHARD_ID.required()),
                    new Member("StartingPosition", Kind.STRUCTURE, Constraint.of("startingPosition", Constraint.notNull()),
                            List.of(string("SequenceNumber", Constraints.SEQUENCE_NUMBER),
                                    new Member("Timestamp", Kind.TIMESTAMP, Constraint.of("timestamp")),
                                    string("Type", Constraints.oneOf("type", RecordOperations.ITERATOR_TYPES).required()))))),
            Map.entry("UpdateMaxRecordSize", List.of(integer("MaxRecordSizeInKiB", Constraints.MAX_RECORD_SIZE_KIB.required()),
                    STREAM_ARN, STREAM_NAME)),
            Map.entry("SplitShard", List.of(string("NewStartingHashKey", Constraints.EXPLICIT_HASH_KEY.at("newStartingHashKey").required()),
                    string("ShardToSplit", Constraints.SHARD_ID.at("shardToSplit").required()), STREAM_ARN, STREAM_NAME)),
            Map.entry("MergeShards", List.of(string("AdjacentShardToMerge", Constraints.SHARD_ID.at("adjacentShardToMerge").required()),
                    string("ShardToMerge", Constraints.SHARD_ID.at("shardToMerge").required()), STREAM_ARN, STREAM_NAME)),
            Map.entry("UpdateShardCount", List.of(string("ScalingType", Constraints.oneOf("scalingType", List.of("UNIFORM_SCALING")).required()),
                    STREAM_ARN, STREAM_NAME, integer("TargetShardCount", Constraints.range("targetShardCount", 1, 100_000).required()))),
            Map.entry("UpdateStreamMode", List.of(string("StreamARN", Constraints.STREAM_ARN.required()),
                    new Member("StreamModeDetails", Kind.STRUCTURE, Constraint.of("streamModeDetails", Constraint.notNull()),
                            List.of(string("StreamMode", Constraints.oneOf("streamMode", List.of("PROVISIONED", "ON_DEMAND")).required()))))),
            Map.entry("EnableEnhancedMonitoring", List.of(SHARD_LEVEL_METRICS, STREAM_ARN, STREAM_NAME)),
            Map.entry("DisableEnhancedMonitoring", List.of(SHARD_LEVEL_METRICS, STREAM_ARN, STREAM_NAME)));

    private RequestShapes() {
    }

    /** Checks a request's members (see the class comment); an operation not in the table checks its own. */
    static void check(KinesisRequest request) {
        Violations violations = new Violations();
        check(request, OPERATIONS.getOrDefault(request.operation(), List.of()), "", violations);
        violations.throwIfAny();
    }

    private static void check(KinesisRequest r, List<Member> members, String prefix, Violations violations) {
        for (Member m : members) {
            Constraint c = m.constraint().at(prefix + m.constraint().field());
            KinesisRequest.Member value = r.member(m.wire());
            switch (m.kind()) {
                case STRING -> violations.check(c, value.string().orElse(null));
                case INTEGER -> violations.check(c, value.integer().orElse(null));
                case BOOLEAN -> violations.check(c, value.bool().orElse(null));
                case TIMESTAMP -> violations.check(c, value.timestampMillis().orElse(null));
                // Decoded (and its base64 checked) by the operation, which also knows the stream's size limit.
                case BLOB -> violations.check(c, value.present() ? Boolean.TRUE : null);
                case MAP -> violations.check(c, value.present() ? value.stringMap() : null);
                case STRUCTURE -> {
                    violations.check(c, value.present() ? Boolean.TRUE : null);
                    check(r.nested(m.wire()), m.members(), c.field() + ".", violations);
                }
                case LIST -> {
                    if (m.members().isEmpty()) {
                        violations.check(c, value.present() ? value.strings() : null);
                    } else {
                        List<KinesisRequest> items = value.structures(r.operation());
                        violations.check(c, value.present() ? items : null);
                        for (int i = 0; i < items.size(); i++) {
                            check(items.get(i), m.members(), c.field() + "." + (i + 1) + ".member.", violations);
                        }
                    }
                }
            }
        }
    }

    private static Member string(String wire, Constraint c) {
        return new Member(wire, Kind.STRING, c);
    }

    private static Member integer(String wire, Constraint c) {
        return new Member(wire, Kind.INTEGER, c);
    }
}
