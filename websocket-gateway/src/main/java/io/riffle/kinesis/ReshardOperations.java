package io.riffle.kinesis;

import static io.riffle.kinesis.Shapes.obj;

import io.riffle.error.RiffleException;
import io.riffle.model.Constraints;
import io.riffle.model.HashKeyRange;
import io.riffle.model.ShardId;
import io.riffle.model.StreamMode;
import io.riffle.model.StreamName;
import io.riffle.stream.StreamClient;
import io.vertx.core.Future;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * SplitShard, MergeShards, UpdateShardCount and UpdateStreamMode. As Kinesis, each answers as soon as the
 * reshard has started (the stream is UPDATING; clients poll DescribeStream for ACTIVE). The engine checks
 * the stream's state, the shards and the limits; this class checks shapes and names shards for it.
 */
final class ReshardOperations {
    private static final List<String> SCALING_TYPES = List.of("UNIFORM_SCALING");
    private static final int MAX_TARGET_SHARD_COUNT = 100_000;

    private final StreamClient streams;
    private final Arns arns;

    ReshardOperations(StreamClient streams, Arns arns) {
        this.streams = streams;
        this.arns = arns;
    }

    void register(Map<String, Function<KinesisRequest, Future<?>>> ops) {
        ops.put("SplitShard", this::splitShard);
        ops.put("MergeShards", this::mergeShards);
        ops.put("UpdateShardCount", this::updateShardCount);
        ops.put("UpdateStreamMode", this::updateStreamMode);
    }

    private Future<?> splitShard(KinesisRequest r) {
        StreamName name = arns.streamOf(r);
        ShardId shard = shard(name, r, "ShardToSplit");
        String key = r.member("NewStartingHashKey").requiredString();
        Constraints.EXPLICIT_HASH_KEY.at("newStartingHashKey").require(key);
        BigInteger hashKey = new BigInteger(key);
        if (hashKey.compareTo(HashKeyRange.MAX) > 0) {
            throw RiffleException.invalidArgument("NewStartingHashKey " + key + " used in SplitShard() on shard " + shard
                    + " in stream " + name + " under account " + arns.accountId() + " is outside the hash key space [0, 2^128-1].");
        }
        return streams.split(name, shard, hashKey, false).map(d -> obj());
    }

    private Future<?> mergeShards(KinesisRequest r) {
        StreamName name = arns.streamOf(r);
        ShardId shard = shard(name, r, "ShardToMerge");
        ShardId adjacent = shard(name, r, "AdjacentShardToMerge");
        if (shard.equals(adjacent)) {
            throw RiffleException.invalidArgument("ShardToMerge and AdjacentShardToMerge are both " + shard
                    + " in stream " + name + " under account " + arns.accountId() + "; merge two different shards.");
        }
        return streams.merge(name, shard, adjacent, false).map(d -> obj());
    }

    private Future<?> updateShardCount(KinesisRequest r) {
        StreamName name = arns.streamOf(r);
        int target = r.member("TargetShardCount").requiredInteger();
        Constraints.range("targetShardCount", 1, MAX_TARGET_SHARD_COUNT).require(target);
        String scaling = r.member("ScalingType").requiredString();
        Constraints.oneOf("scalingType", SCALING_TYPES).require(scaling);
        return streams.describe(name).compose(before -> streams.updateShardCount(name, target, false)
                .map(after -> obj(
                        "StreamName", name.value(),
                        "CurrentShardCount", before.openShards().size(),
                        "TargetShardCount", target,
                        "StreamARN", arns.stream(name))));
    }

    private Future<?> updateStreamMode(KinesisRequest r) {
        StreamName name = arns.parseStream("streamARN", r.member("StreamARN").requiredString());
        KinesisRequest details = r.nested("StreamModeDetails");
        if (!r.has("StreamModeDetails")) {
            throw r.member("StreamModeDetails").missing();
        }
        StreamMode mode = StreamOperations.enumValue(StreamMode.class, "streamModeDetails.streamMode",
                details.member("StreamMode").requiredString());
        return streams.describe(name).compose(d -> {
            if (d.mode() == mode) {
                return Future.failedFuture(RiffleException.invalidArgument("Stream " + name + " under account "
                        + arns.accountId() + " is already in " + mode + " mode."));
            }
            return streams.setMode(name, mode);
        }).map(d -> obj());
    }

    private ShardId shard(StreamName name, KinesisRequest r, String member) {
        String value = r.member(member).requiredString();
        return ShardId.parse(KinesisRequest.fieldName(member), value).orElseThrow(() -> RiffleException.notFound(
                "Could not find shard " + value + " in stream " + name + " under account " + arns.accountId() + "."));
    }
}
