package io.riffle.fault;

import java.net.URI;
import java.time.Duration;
import java.util.Random;
import java.util.function.IntFunction;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * A polling consumer on the Kinesis API (GetShardIterator, GetRecords through the AWS SDK v2), round-robin
 * over the shards. An iterator made on one node is used on any other. When a call fails the shard's
 * iterator is dropped and made again, through another random node, after the last sequence number read, so
 * a fault costs time but never a record nor a repeat.
 */
final class GetRecordsConsumer implements Runnable {
    static final String NAME = "GetRecords";

    private final KinesisClient[] clients;
    private final String stream;
    private final int shards;
    private final History history;
    private final Random random;
    private volatile boolean running = true;

    GetRecordsConsumer(IntFunction<URI> endpoint, int nodes, String stream, int shards, History history, long seed) {
        this.clients = new KinesisClient[nodes];
        for (int i = 0; i < nodes; i++) {
            clients[i] = Producer.kinesis(endpoint.apply(i), Duration.ofSeconds(6));
        }
        this.stream = stream;
        this.shards = shards;
        this.history = history;
        this.random = new Random(seed);
    }

    void stop() {
        running = false;
    }

    @Override
    public void run() {
        String[] iterators = new String[shards];
        String[] last = new String[shards];
        int[] node = new int[shards];
        while (running) {
            for (int s = 0; s < shards && running; s++) {
                String shardId = NativeApi.shardId(s);
                try {
                    if (iterators[s] == null) {
                        String after = last[s];
                        iterators[s] = clients[node[s]].getShardIterator(b -> b.streamName(stream).shardId(shardId)
                                .shardIteratorType(after == null ? ShardIteratorType.TRIM_HORIZON : ShardIteratorType.AFTER_SEQUENCE_NUMBER)
                                .startingSequenceNumber(after)).shardIterator();
                    }
                    String iterator = iterators[s];
                    GetRecordsResponse r = clients[node[s]].getRecords(b -> b.shardIterator(iterator).limit(1000));
                    for (Record record : r.records()) {
                        history.read(NAME, new History.Read(shardId, record.sequenceNumber(), record.data().asUtf8String()));
                        last[s] = record.sequenceNumber();
                    }
                    iterators[s] = r.nextShardIterator();
                } catch (RuntimeException e) {
                    iterators[s] = null;
                    node[s] = random.nextInt(clients.length);
                }
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
        for (KinesisClient c : clients) {
            c.close();
        }
    }
}
