package io.riffle.model;

import java.util.List;
import java.util.Map;

/**
 * A stream as the control plane knows it. ARNs are not here: they depend on the node's configured
 * region and account, so the gateway builds them.
 *
 * @param createdMillis     creation time, epoch milliseconds
 * @param maxRecordSizeKiB  the largest record the stream takes (1024..10240)
 * @param consumers         registered enhanced fan-out consumers, by name
 * @param tags              the stream's tags
 */
public record StreamDescription(
        StreamName name,
        StreamStatus status,
        StreamMode mode,
        int retentionHours,
        long createdMillis,
        int maxRecordSizeKiB,
        List<ShardDescription> shards,
        List<ConsumerDescription> consumers,
        Map<String, String> tags) {

    public StreamDescription {
        shards = List.copyOf(shards);
        consumers = List.copyOf(consumers);
        tags = Map.copyOf(tags);
    }

    public List<ShardDescription> openShards() {
        return shards.stream().filter(ShardDescription::isOpen).toList();
    }
}
