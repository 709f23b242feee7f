package io.riffle.kinesis;

import io.riffle.model.ConsumerDescription;
import io.riffle.model.Record;
import io.riffle.model.ShardDescription;
import io.riffle.model.ShardId;
import io.riffle.model.StreamDescription;
import io.riffle.model.StreamName;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How Riffle's model types look on the Kinesis wire (member names and nesting as in the API model). */
final class Shapes {
    private Shapes() {
    }

    /** An ordered structure from name/value pairs; null values are left out when written. */
    static Map<String, Object> obj(Object... nameValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < nameValues.length; i += 2) {
            m.put((String) nameValues[i], nameValues[i + 1]);
        }
        return m;
    }

    static Map<String, Object> shard(ShardDescription s) {
        return obj(
                "ShardId", s.shardId().toString(),
                "ParentShardId", s.parentShardId().map(ShardId::toString),
                "AdjacentParentShardId", s.adjacentParentShardId().map(ShardId::toString),
                "HashKeyRange", obj(
                        "StartingHashKey", s.hashKeyRange().start().toString(),
                        "EndingHashKey", s.hashKeyRange().end().toString()),
                "SequenceNumberRange", obj(
                        "StartingSequenceNumber", s.startingSequenceNumber().wire(),
                        "EndingSequenceNumber", s.endingSequenceNumber().map(Object::toString)));
    }

    static Map<String, Object> record(ShardId shard, Record r) {
        return obj(
                "SequenceNumber", r.sequenceNumber(shard).wire(),
                "ApproximateArrivalTimestamp", Instant.ofEpochMilli(r.arrivalMillis()),
                "Data", r.data(),
                // AWS names EncryptionType only on records written encrypted.
                "EncryptionType", r.encrypted() ? "KMS" : null,
                "PartitionKey", r.partitionKey());
    }

    /** The children of a shard (its split or merge products), as GetRecords and SubscribeToShard list them. */
    static List<Map<String, Object>> childShards(StreamDescription stream, ShardId parent) {
        return stream.shards().stream()
                .filter(s -> s.parentShardId().filter(parent::equals).isPresent()
                        || s.adjacentParentShardId().filter(parent::equals).isPresent())
                .map(s -> obj(
                        "ShardId", s.shardId().toString(),
                        "ParentShards", s.adjacentParentShardId().isPresent()
                                ? List.of(s.parentShardId().orElseThrow().toString(), s.adjacentParentShardId().get().toString())
                                : List.of(parent.toString()),
                        "HashKeyRange", obj(
                                "StartingHashKey", s.hashKeyRange().start().toString(),
                                "EndingHashKey", s.hashKeyRange().end().toString())))
                .toList();
    }

    static Map<String, Object> consumer(Arns arns, StreamName stream, ConsumerDescription c, boolean withStreamArn) {
        return obj(
                "ConsumerName", c.name().value(),
                "ConsumerARN", arns.consumer(stream, c),
                "ConsumerStatus", "ACTIVE",
                "ConsumerCreationTimestamp", Instant.ofEpochMilli(c.createdMillis()),
                "StreamARN", withStreamArn ? arns.stream(stream) : null);
    }

    static Map<String, Object> modeDetails(StreamDescription d) {
        return obj("StreamMode", d.mode().name());
    }

    static List<Map<String, Object>> tagList(Map<String, String> tags) {
        return tags.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> obj("Key", e.getKey(), "Value", e.getValue())).toList();
    }
}
