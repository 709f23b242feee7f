package io.riffle.client;

import java.util.List;

/**
 * What the node says about a stream: its name, status and shard ids (open and closed, in id order), and
 * which of them are open (take writes; closed ones are parents of a split or merge, still readable).
 */
public record StreamInfo(String name, String status, List<String> shardIds, List<String> openShardIds) {
    public StreamInfo {
        shardIds = List.copyOf(shardIds);
        openShardIds = List.copyOf(openShardIds);
    }

    public int openShardCount() {
        return openShardIds.size();
    }
}
