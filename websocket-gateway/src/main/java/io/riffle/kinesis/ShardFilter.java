package io.riffle.kinesis;

import io.riffle.model.ShardDescription;
import io.riffle.model.ShardId;
import io.riffle.model.StreamDescription;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * ListShards' {@code ShardFilter} over a stream's shards, by their open and close times: a shard opens
 * when its parent closes (a first-generation shard when the stream was created) and closes when it is split
 * or merged (open shards have no end). As the API reference defines the types:
 * <ul>
 *   <li>AT_LATEST: the open shards;</li>
 *   <li>AT_TRIM_HORIZON / AT_TIMESTAMP: the shards open at the trim horizon (now minus the retention
 *       period) / at the timestamp: opened at or before it, and still open or closed at or after it;</li>
 *   <li>FROM_TRIM_HORIZON / FROM_TIMESTAMP: the shards open at or after it: still open or closed at or after it;</li>
 *   <li>AFTER_SHARD_ID: the shards after that id.</li>
 * </ul>
 */
record ShardFilter(String type, Optional<ShardId> shardId, Optional<Long> timestampMillis) {

    Predicate<ShardDescription> over(StreamDescription d, long nowMillis) {
        Map<ShardId, Optional<Long>> closes = d.shards().stream()
                .collect(Collectors.toMap(ShardDescription::shardId, ShardDescription::closedMillis));
        Function<ShardDescription, Long> opened = s -> s.parentShardId().flatMap(p -> closes.getOrDefault(p, Optional.empty()))
                .orElse(d.createdMillis());
        long horizon = nowMillis - d.retentionHours() * 3_600_000L;
        return switch (type) {
            case "AT_LATEST" -> ShardDescription::isOpen;
            case "AFTER_SHARD_ID" -> s -> s.shardId().compareTo(shardId.orElseThrow()) > 0;
            case "AT_TRIM_HORIZON" -> s -> openAt(s, opened, horizon);
            case "AT_TIMESTAMP" -> s -> openAt(s, opened, timestampMillis.orElseThrow());
            case "FROM_TIMESTAMP" -> s -> notClosedBefore(s, timestampMillis.orElseThrow());
            default -> s -> notClosedBefore(s, horizon); // FROM_TRIM_HORIZON
        };
    }

    private static boolean openAt(ShardDescription s, Function<ShardDescription, Long> opened, long t) {
        // A first-generation shard holds everything from the trim horizon even if the stream is younger.
        return (s.parentShardId().isEmpty() || opened.apply(s) <= t) && notClosedBefore(s, t);
    }

    private static boolean notClosedBefore(ShardDescription s, long t) {
        return s.closedMillis().map(c -> c >= t).orElse(true);
    }
}
