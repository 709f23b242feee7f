package io.riffle.stream;

import io.riffle.model.Record;
import io.riffle.model.ShardId;
import io.riffle.model.StreamName;
import java.util.List;

/**
 * Records just acknowledged by one shard, in offset order. Published by the shard verticle on
 * {@link io.riffle.bus.Addresses#shardAppended} after every durable batch; live subscribers use it to
 * get records pushed without polling the log.
 */
public record ShardRecords(StreamName stream, ShardId shard, List<Record> records) {
    public ShardRecords {
        records = List.copyOf(records);
    }
}
