package io.riffle.kinesis;

import static io.riffle.kinesis.Shapes.obj;

import io.riffle.error.RiffleException;
import io.riffle.model.Constraints;
import io.riffle.model.Limits;
import io.riffle.model.ShardDescription;
import io.riffle.model.ShardId;
import io.riffle.model.StreamDescription;
import io.riffle.model.StreamMode;
import io.riffle.model.StreamName;
import io.riffle.model.StreamStatus;
import io.riffle.model.Tags;
import io.riffle.model.Violations;
import io.riffle.stream.CreateStream;
import io.riffle.stream.StreamClient;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The stream-level operations: lifecycle, description and listing, retention, tags, limits, enhanced
 * monitoring, record size and server-side encryption (master keys from the node's keyring file);
 * resharding and capacity mode are {@link ReshardOperations}.
 */
final class StreamOperations {
    private static final List<String> SHARD_LEVEL_METRICS = List.of("IncomingBytes", "IncomingRecords", "OutgoingBytes",
            "OutgoingRecords", "WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded",
            "IteratorAgeMilliseconds");
    private static final List<String> NOT_SUPPORTED_YET = List.of("UpdateStreamWarmThroughput", "DescribeAccountSettings", "UpdateAccountSettings");
    private static final List<String> METRIC_NAMES = Stream.concat(SHARD_LEVEL_METRICS.stream(), Stream.of("ALL")).toList();
    private static final List<String> SHARD_FILTER_TYPES = List.of("AFTER_SHARD_ID", "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON",
            "AT_LATEST", "AT_TIMESTAMP", "FROM_TIMESTAMP");
    private static final int ON_DEMAND_DEFAULT_SHARDS = 4;
    private static final int ON_DEMAND_STREAM_LIMIT = 50;

    private final StreamClient streams;
    private final Arns arns;
    private final Tokens tokens;
    private final java.time.Clock clock;

    StreamOperations(StreamClient streams, Arns arns, Tokens tokens, java.time.Clock clock) {
        this.streams = streams;
        this.arns = arns;
        this.tokens = tokens;
        this.clock = clock;
    }

    void register(Map<String, Function<KinesisRequest, Future<?>>> ops) {
        ops.put("CreateStream", this::createStream);
        ops.put("DeleteStream", this::deleteStream);
        ops.put("DescribeStream", this::describeStream);
        ops.put("DescribeStreamSummary", this::describeStreamSummary);
        ops.put("ListStreams", this::listStreams);
        ops.put("ListShards", this::listShards);
        ops.put("IncreaseStreamRetentionPeriod", r -> changeRetention(r, true));
        ops.put("DecreaseStreamRetentionPeriod", r -> changeRetention(r, false));
        ops.put("AddTagsToStream", r -> addTags(arns.streamOf(r), r));
        ops.put("RemoveTagsFromStream", r -> removeTags(arns.streamOf(r), r));
        ops.put("ListTagsForStream", this::listTagsForStream);
        ops.put("TagResource", r -> addTags(taggableStream(r), r));
        ops.put("UntagResource", r -> removeTags(taggableStream(r), r));
        ops.put("ListTagsForResource", r -> streams.describe(taggableStream(r))
                .map(d -> obj("Tags", Shapes.tagList(d.tags()))));
        ops.put("DescribeLimits", this::describeLimits);
        ops.put("EnableEnhancedMonitoring", r -> enhancedMonitoring(r, true));
        ops.put("DisableEnhancedMonitoring", r -> enhancedMonitoring(r, false));
        ops.put("UpdateMaxRecordSize", this::updateMaxRecordSize);
        ops.put("StartStreamEncryption", r -> encryption(r, true));
        ops.put("StopStreamEncryption", r -> encryption(r, false));
        for (String op : NOT_SUPPORTED_YET) {
            ops.put(op, r -> Future.failedFuture(RiffleException.invalidArgument(op + " is not supported by Riffle yet.")));
        }
    }

    private Future<?> createStream(KinesisRequest r) {
        StreamName name = StreamName.of(r.member("StreamName").requiredString());
        StreamMode mode = r.nested("StreamModeDetails").member("StreamMode").string()
                .map(m -> enumValue(StreamMode.class, "streamModeDetails.streamMode", m)).orElse(StreamMode.PROVISIONED);
        Optional<Integer> shardCount = r.member("ShardCount").integer();
        if (mode == StreamMode.PROVISIONED && shardCount.isEmpty()) {
            throw RiffleException.invalidArgument("ShardCount is required for a PROVISIONED stream " + name + ".");
        }
        Map<String, String> tags = r.member("Tags").stringMap();
        requireTags(tags, "Failed to create stream " + name + " under account " + arns.accountId());
        Optional<Integer> maxRecordKiB = r.member("MaxRecordSizeInKiB").integer();
        // ReplicationFactor is Riffle's extension (replicas per shard in a cluster); AWS has no such member.
        CreateStream request = new CreateStream(name, shardCount.orElse(ON_DEMAND_DEFAULT_SHARDS),
                Limits.RETENTION_HOURS_DEFAULT, mode, tags, Optional.empty(), maxRecordKiB,
                r.member("ReplicationFactor").integer());
        // Kinesis answers while the stream is CREATING; clients wait for ACTIVE.
        return streams.beginCreate(request).map(d -> obj());
    }

    private Future<?> deleteStream(KinesisRequest r) {
        StreamName name = arns.streamOf(r);
        boolean enforce = r.member("EnforceConsumerDeletion").bool().orElse(false);
        return streams.beginDelete(name, enforce).map(v -> obj());
    }

    private Future<?> describeStream(KinesisRequest r) {
        StreamName name = arns.streamOf(r);
        int limit = r.member("Limit").integer().orElse(100);
        Optional<ShardId> after = exclusiveStartShard(r, "ExclusiveStartShardId");
        return streams.describe(name).map(d -> {
            // As AWS: a stream that is still CREATING has no shards to show yet.
            List<ShardDescription> shards = d.status() == StreamStatus.CREATING ? List.of() : d.shards().stream()
                    .filter(s -> after.map(a -> s.shardId().compareTo(a) > 0).orElse(true)).toList();
            List<ShardDescription> page = shards.subList(0, Math.min(limit, shards.size()));
            return obj("StreamDescription", obj(
                    "StreamName", d.name().value(),
                    "StreamARN", arns.stream(d.name()),
                    "StreamStatus", d.status().name(),
                    "StreamModeDetails", Shapes.modeDetails(d),
                    "Shards", page.stream().map(Shapes::shard).toList(),
                    "HasMoreShards", page.size() < shards.size(),
                    "RetentionPeriodHours", d.retentionHours(),
                    "StreamCreationTimestamp", Instant.ofEpochMilli(d.createdMillis()),
                    "EnhancedMonitoring", List.of(obj("ShardLevelMetrics", sortedMetrics(d))),
                    "EncryptionType", d.encryptionKeyId().isPresent() ? "KMS" : "NONE",
                    "KeyId", d.encryptionKeyId()));
        });
    }

    private Future<?> describeStreamSummary(KinesisRequest r) {
        return streams.describe(arns.streamOf(r)).map(d -> obj("StreamDescriptionSummary", obj(
                "StreamName", d.name().value(),
                "StreamARN", arns.stream(d.name()),
                "StreamStatus", d.status().name(),
                "StreamModeDetails", Shapes.modeDetails(d),
                "RetentionPeriodHours", d.retentionHours(),
                "StreamCreationTimestamp", Instant.ofEpochMilli(d.createdMillis()),
                "EnhancedMonitoring", List.of(obj("ShardLevelMetrics", sortedMetrics(d))),
                "EncryptionType", d.encryptionKeyId().isPresent() ? "KMS" : "NONE",
                "KeyId", d.encryptionKeyId(),
                "OpenShardCount", d.openShards().size(),
                "ConsumerCount", d.consumers().size(),
                "MaxRecordSizeInKiB", d.maxRecordSizeKiB())));
    }

    private Future<?> listStreams(KinesisRequest r) {
        int limit = r.member("Limit").integer().orElse(100);
        Optional<String> token = r.member("NextToken").string();
        Optional<String> exclusiveStart = r.member("ExclusiveStartStreamName").string();
        exclusiveStart.ifPresent(StreamName::of);
        Optional<String> after = token.map(t -> tokens.openNextToken(Tokens.Kind.LIST_STREAMS, t)).or(() -> exclusiveStart);
        return streams.list().compose(all -> {
            List<StreamName> rest = all.stream().filter(n -> after.map(a -> n.value().compareTo(a) > 0).orElse(true)).toList();
            List<StreamName> page = rest.subList(0, Math.min(limit, rest.size()));
            boolean more = page.size() < rest.size();
            List<Future<Optional<StreamDescription>>> described = page.stream()
                    .map(n -> streams.describe(n).map(Optional::of).otherwise(Optional.empty())).toList();
            return Future.all(described).map(all2 -> obj(
                    "StreamNames", page.stream().map(StreamName::value).toList(),
                    "HasMoreStreams", more,
                    "NextToken", more ? tokens.nextToken(Tokens.Kind.LIST_STREAMS, page.get(page.size() - 1).value()) : null,
                    "StreamSummaries", described.stream().map(Future::result).flatMap(Optional::stream)
                            .map(d -> obj(
                                    "StreamName", d.name().value(),
                                    "StreamARN", arns.stream(d.name()),
                                    "StreamStatus", d.status().name(),
                                    "StreamModeDetails", Shapes.modeDetails(d),
                                    "StreamCreationTimestamp", Instant.ofEpochMilli(d.createdMillis())))
                            .toList()));
        });
    }

    /**
     * ListShards. A NextToken carries the stream, the last shard returned and the filter, so it must come
     * without StreamName/StreamARN. The filters go by shard open and close times ({@link ShardFilter}).
     */
    private Future<?> listShards(KinesisRequest r) {
        int max = r.member("MaxResults").integer().orElse(1000);
        Optional<String> token = r.member("NextToken").string();
        StreamName name;
        Optional<ShardId> after;
        String filterType;
        Optional<ShardId> filterShard;
        Optional<Long> filterTime;
        if (token.isPresent()) {
            if (r.has("StreamName") || r.has("StreamARN") || r.has("ExclusiveStartShardId") || r.has("ShardFilter")) {
                throw RiffleException.invalidArgument("NextToken and StreamName, StreamARN, ExclusiveStartShardId or"
                        + " ShardFilter cannot be provided together.");
            }
            String[] parts = tokens.openNextToken(Tokens.Kind.LIST_SHARDS, token.get()).split("\n", -1);
            name = StreamName.of(parts[0]);
            after = Optional.of(ShardId.of(parts[1]));
            filterType = parts[2];
            filterShard = parts[3].isEmpty() ? Optional.empty() : Optional.of(ShardId.of(parts[3]));
            filterTime = parts.length < 5 || parts[4].isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(parts[4]));
        } else {
            name = arns.streamOf(r);
            after = exclusiveStartShard(r, "ExclusiveStartShardId");
            KinesisRequest filter = r.nested("ShardFilter");
            filterType = r.has("ShardFilter") ? filter.member("Type").requiredString() : "FROM_TRIM_HORIZON";
            Constraints.oneOf("shardFilter.type", SHARD_FILTER_TYPES).require(filterType);
            filterShard = exclusiveStartShard(filter, "ShardId");
            if (filterType.equals("AFTER_SHARD_ID") && filterShard.isEmpty()) {
                throw RiffleException.invalidArgument("ShardFilter of type AFTER_SHARD_ID needs a ShardId.");
            }
            if (filterType.endsWith("_TIMESTAMP") && !filter.has("Timestamp")) {
                throw RiffleException.invalidArgument("ShardFilter of type " + filterType + " needs a Timestamp.");
            }
            filterTime = filter.member("Timestamp").timestampMillis();
        }
        ShardFilter shardFilter = new ShardFilter(filterType, filterShard, filterTime);
        String type = filterType;
        Optional<ShardId> fShard = filterShard;
        return streams.describe(name).map(d -> {
            List<ShardDescription> shards = d.shards().stream()
                    .filter(shardFilter.over(d, clock.millis()))
                    .filter(s -> after.map(a -> s.shardId().compareTo(a) > 0).orElse(true))
                    .toList();
            List<ShardDescription> page = shards.subList(0, Math.min(max, shards.size()));
            String next = page.size() < shards.size()
                    ? tokens.nextToken(Tokens.Kind.LIST_SHARDS, String.join("\n", name.value(),
                            page.get(page.size() - 1).shardId().toString(), type, fShard.map(ShardId::toString).orElse(""),
                            filterTime.map(String::valueOf).orElse("")))
                    : null;
            return obj("Shards", page.stream().map(Shapes::shard).toList(), "NextToken", next);
        });
    }

    private Future<?> changeRetention(KinesisRequest r, boolean increase) {
        StreamName name = arns.streamOf(r);
        int hours = r.member("RetentionPeriodHours").requiredInteger();
        if (hours < Limits.RETENTION_HOURS_MIN) {
            throw RiffleException.invalidArgument("Minimum allowed retention period is " + Limits.RETENTION_HOURS_MIN
                    + " hours. Requested retention period (" + hours + " hours) is too short.");
        }
        if (hours > Limits.RETENTION_HOURS_MAX) {
            throw RiffleException.invalidArgument("Maximum allowed retention period is " + Limits.RETENTION_HOURS_MAX
                    + " hours. Requested retention period (" + hours + " hours) is too long.");
        }
        return streams.describe(name).compose(d -> {
            int current = d.retentionHours();
            if (hours == current) {
                // AWS answers a change to the current value with success and changes nothing.
                return Future.succeededFuture(obj());
            }
            if (increase && hours < current) {
                return Future.failedFuture(RiffleException.invalidArgument("Requested retention period (" + hours
                        + " hours) for stream " + name + " can not be shorter than or equal to the existing retention period ("
                        + current + " hours). Use DecreaseStreamRetentionPeriod API."));
            }
            if (!increase && hours > current) {
                return Future.failedFuture(RiffleException.invalidArgument("Requested retention period (" + hours
                        + " hours) for stream " + name + " can not be longer than or equal to the existing retention period ("
                        + current + " hours). Use IncreaseStreamRetentionPeriod API."));
            }
            return streams.setRetention(name, hours).map(x -> obj());
        });
    }

    private Future<?> addTags(StreamName name, KinesisRequest r) {
        if (!r.has("Tags")) {
            throw r.member("Tags").missing();
        }
        Map<String, String> tags = r.member("Tags").stringMap();
        String failure = "Failed to add tags to stream " + name + " under account " + arns.accountId();
        requireTags(tags, failure);
        return streams.describe(name).compose(d -> {
            Tags.requireRoom(d.tags().keySet(), tags.keySet(), failure);
            return streams.addTags(name, tags);
        }).map(d -> obj());
    }

    /** Tag lengths (ValidationException) and characters (InvalidArgumentException), before the control plane sees them. */
    private static void requireTags(Map<String, String> tags, String failure) {
        Violations lengths = new Violations();
        tags.forEach((k, v) -> lengths.check(Constraints.TAG_KEY.at("tags.key"), k).check(Constraints.TAG_VALUE.at("tags.value"), v));
        lengths.throwIfAny();
        Tags.requireLegal(tags, failure);
    }

    private Future<?> removeTags(StreamName name, KinesisRequest r) {
        if (!r.has("TagKeys")) {
            throw r.member("TagKeys").missing();
        }
        List<String> keys = r.member("TagKeys").strings();
        Violations lengths = new Violations();
        keys.forEach(k -> lengths.check(Constraints.TAG_KEY.at("tagKeys.member"), k));
        lengths.throwIfAny();
        Tags.requireLegalKeys(keys, "Failed to remove tags from stream " + name + " under account " + arns.accountId());
        return streams.removeTags(name, Set.copyOf(keys)).map(d -> obj());
    }

    private Future<?> listTagsForStream(KinesisRequest r) {
        StreamName name = arns.streamOf(r);
        int limit = r.member("Limit").integer().orElse(Tags.MAX_PER_REQUEST);
        Optional<String> after = r.member("ExclusiveStartTagKey").string();
        return streams.describe(name).map(d -> {
            List<Map<String, Object>> tags = Shapes.tagList(d.tags()).stream()
                    .filter(t -> after.map(a -> ((String) t.get("Key")).compareTo(a) > 0).orElse(true)).toList();
            return obj("Tags", tags.subList(0, Math.min(limit, tags.size())), "HasMoreTags", tags.size() > limit);
        });
    }

    /** TagResource and friends: a stream ARN; consumer tags are not kept by the engine yet. */
    private StreamName taggableStream(KinesisRequest r) {
        String arn = r.member("ResourceARN").requiredString();
        if (arn.contains("/consumer/")) {
            arns.parseConsumer("resourceARN", arn);
            throw RiffleException.invalidArgument("Tagging consumers is not supported by Riffle yet.");
        }
        return arns.parseStream("resourceARN", arn);
    }

    private Future<?> describeLimits(KinesisRequest r) {
        return streams.limits().map(l -> obj(
                "ShardLimit", l.maxShards(),
                "OpenShardCount", l.openShards(),
                "OnDemandStreamCount", l.onDemandStreams(),
                "OnDemandStreamCountLimit", ON_DEMAND_STREAM_LIMIT));
    }

    /**
     * Enhanced monitoring records which metrics were asked for, in the stream's metadata (Riffle's own
     * per-shard metrics are always on, at {@code /metrics}).
     */
    private Future<?> enhancedMonitoring(KinesisRequest r, boolean enable) {
        StreamName name = arns.streamOf(r);
        if (!r.has("ShardLevelMetrics")) {
            throw r.member("ShardLevelMetrics").missing();
        }
        List<String> asked = r.member("ShardLevelMetrics").strings();
        Violations metrics = new Violations();
        for (int i = 0; i < asked.size(); i++) {
            metrics.check(Constraints.oneOf("shardLevelMetrics." + (i + 1) + ".member", METRIC_NAMES), asked.get(i));
        }
        metrics.throwIfAny();
        List<String> named = asked.contains("ALL") ? SHARD_LEVEL_METRICS : asked;
        return streams.describe(name).compose(d -> {
            List<String> current = sortedMetrics(d);
            Set<String> desired = new TreeSet<>(current);
            if (enable) {
                desired.addAll(named);
            } else {
                desired.removeAll(named);
            }
            return streams.setShardLevelMetrics(name, desired).map(updated -> obj("StreamName", name.value(),
                    "StreamARN", arns.stream(name), "CurrentShardLevelMetrics", current,
                    "DesiredShardLevelMetrics", sortedMetrics(updated)));
        });
    }

    private static List<String> sortedMetrics(StreamDescription d) {
        return List.copyOf(new TreeSet<>(d.shardLevelMetrics()));
    }

    /**
     * Start/StopStreamEncryption. The KeyId is any form AWS KMS takes (key ARN, key id, alias name, alias
     * ARN), resolved through the keyring; the stream shows it back as given. The answer comes with the
     * stream UPDATING, as from AWS; StopStreamEncryption takes the KeyId but does not need it to match.
     */
    private Future<?> encryption(KinesisRequest r, boolean start) {
        StreamName name = arns.streamOf(r);
        String type = r.member("EncryptionType").requiredString();
        String keyId = r.member("KeyId").requiredString();
        if (!type.equals("KMS")) {
            throw RiffleException.invalidArgument("EncryptionType " + type + " is not valid here; the only valid value is KMS.");
        }
        return streams.setEncryption(name, start ? Optional.of(keyId) : Optional.empty()).map(d -> obj());
    }

    private Future<?> updateMaxRecordSize(KinesisRequest r) {
        StreamName name = arns.streamOf(r);
        int kib = r.member("MaxRecordSizeInKiB").requiredInteger();
        return streams.setMaxRecordSize(name, kib).map(d -> obj());
    }

    static Optional<ShardId> exclusiveStartShard(KinesisRequest r, String member) {
        // A well-formed id that is not of Riffle's form names no shard, so it excludes nothing.
        return r.member(member).string().flatMap(s -> ShardId.parse(KinesisRequest.fieldName(member), s));
    }

    static <E extends Enum<E>> E enumValue(Class<E> type, String field, String value) {
        Constraints.oneOf(field, Arrays.stream(type.getEnumConstants()).map(Enum::name).toList()).require(value);
        return Enum.valueOf(type, value);
    }
}
