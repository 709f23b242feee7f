package io.riffle.client;

import java.util.List;

/** What the node says about a stream: its name, status and shard ids (open and closed). */
public record StreamInfo(String name, String status, List<String> shardIds) {
    public StreamInfo {
        shardIds = List.copyOf(shardIds);
    }
}
