package io.riffle.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.ChildShard;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardFilterType;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * Resharding through the AWS SDK v2 while a KCL-style consumer reads: it polls every shard it may read,
 * reads a parent until GetRecords gives no NextShardIterator, and starts a child only once all its parents
 * are finished. One key's records go across a split and a merge and must arrive complete and in order.
 */
class KinesisReshardIT {
    private static final String S0 = "shardId-000000000000";
    private static final String MID = "170141183460469231731687303715884105728";

    @TempDir
    Path dataDir;
    private KinesisTestNode node;
    private KinesisClient kinesis;
    private KinesisAsyncClient async;

    @BeforeEach
    void start() {
        System.setProperty("aws.disableEc2Metadata", "true");
        node = KinesisTestNode.start(dataDir);
        URI endpoint = node.endpoint();
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDRIFFLETEST", "riffle-test-secret"));
        kinesis = KinesisClient.builder().endpointOverride(endpoint).region(Region.EU_WEST_1).credentialsProvider(credentials).build();
        async = KinesisAsyncClient.builder().endpointOverride(endpoint).region(Region.EU_WEST_1).credentialsProvider(credentials).build();
    }

    @AfterEach
    void stop() {
        kinesis.close();
        async.close();
        node.close();
    }

    /** A consumer as the KCL reads: parents to their end before children, every readable shard in turn. */
    final class LineageConsumer implements Runnable {
        final List<String> values = new CopyOnWriteArrayList<>();
        final Map<String, List<String>> childrenAtEnd = new LinkedHashMap<>();
        final AtomicBoolean stop = new AtomicBoolean();
        private final Map<String, String> iterators = new LinkedHashMap<>();
        private final Set<String> finished = new HashSet<>();
        private final Map<String, List<String>> parentsOf = new LinkedHashMap<>();

        @Override
        public void run() {
            iterators.put(S0, kinesis.getShardIterator(b -> b.streamName("r").shardId(S0)
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator());
            for (int round = 0; round < 2_000 && !stop.get(); round++) {
                for (String shard : List.copyOf(iterators.keySet())) {
                    GetRecordsResponse r = kinesis.getRecords(b -> b.shardIterator(iterators.get(shard)));
                    r.records().stream().map(Record::data).map(d -> d.asString(StandardCharsets.UTF_8)).forEach(values::add);
                    if (r.nextShardIterator() != null) {
                        iterators.put(shard, r.nextShardIterator());
                        continue;
                    }
                    iterators.remove(shard);
                    finished.add(shard);
                    childrenAtEnd.put(shard, r.childShards().stream().map(ChildShard::shardId).toList());
                    for (ChildShard c : r.childShards()) {
                        parentsOf.put(c.shardId(), c.parentShards());
                        if (finished.containsAll(c.parentShards()) && !iterators.containsKey(c.shardId())) {
                            iterators.put(c.shardId(), kinesis.getShardIterator(b -> b.streamName("r").shardId(c.shardId())
                                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator());
                        }
                    }
                }
                sleep(100);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aConsumerFollowsOneKeyInOrderAcrossASplitAndAMerge() throws Exception {
        kinesis.createStream(b -> b.streamName("r").shardCount(1));
        StreamWaits.active(kinesis, "r");
        LineageConsumer consumer = new LineageConsumer();
        CompletableFuture<Void> reading = CompletableFuture.runAsync(consumer);
        AtomicInteger written = new AtomicInteger();
        int total = 300;
        CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < total; i++) {
                int v = i;
                kinesis.putRecord(b -> b.streamName("r").partitionKey("the-key").data(SdkBytes.fromUtf8String(Integer.toString(v))));
                written.incrementAndGet();
            }
        });
        awaitWritten(written, 100);
        Instant beforeSplit = Instant.now();
        kinesis.splitShard(b -> b.streamName("r").shardToSplit(S0).newStartingHashKey(MID));
        assertThat(kinesis.describeStreamSummary(b -> b.streamName("r")).streamDescriptionSummary().streamStatus())
                .isIn(StreamStatus.UPDATING, StreamStatus.ACTIVE);
        StreamWaits.active(kinesis, "r");
        awaitWritten(written, 200);
        kinesis.mergeShards(b -> b.streamName("r").shardToMerge("shardId-000000000001").adjacentShardToMerge("shardId-000000000002"));
        StreamWaits.active(kinesis, "r");
        producing.get(60, TimeUnit.SECONDS);
        for (int i = 0; i < 600 && consumer.values.size() < total; i++) {
            sleep(50);
        }
        consumer.stop.set(true);
        reading.get(30, TimeUnit.SECONDS);

        List<String> expected = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            expected.add(Integer.toString(i));
        }
        assertThat(consumer.values).containsExactlyElementsOf(expected);
        assertThat(consumer.childrenAtEnd.get(S0)).containsExactly("shardId-000000000001", "shardId-000000000002");
        assertThat(consumer.childrenAtEnd.get("shardId-000000000001")).containsExactly("shardId-000000000003");
        assertThat(consumer.childrenAtEnd.get("shardId-000000000002")).containsExactly("shardId-000000000003");

        List<Shard> all = kinesis.listShards(b -> b.streamName("r")).shards();
        assertThat(all).hasSize(4);
        assertThat(all.get(0).sequenceNumberRange().endingSequenceNumber()).isNotNull();
        assertThat(all.get(3).sequenceNumberRange().endingSequenceNumber()).isNull();
        assertThat(all.get(3).parentShardId()).isEqualTo("shardId-000000000001");
        assertThat(all.get(3).adjacentParentShardId()).isEqualTo("shardId-000000000002");
        assertThat(kinesis.listShards(b -> b.streamName("r").shardFilter(f -> f.type(ShardFilterType.AT_LATEST))).shards())
                .extracting(Shard::shardId).containsExactly("shardId-000000000003");
        assertThat(kinesis.listShards(b -> b.streamName("r").shardFilter(f -> f.type(ShardFilterType.AT_TIMESTAMP)
                .timestamp(beforeSplit))).shards()).extracting(Shard::shardId).containsExactly(S0);
        assertThat(kinesis.listShards(b -> b.streamName("r").shardFilter(f -> f.type(ShardFilterType.FROM_TIMESTAMP)
                .timestamp(Instant.now().plusSeconds(1)))).shards()).extracting(Shard::shardId).containsExactly("shardId-000000000003");
        assertThat(kinesis.listShards(b -> b.streamName("r").shardFilter(f -> f.type(ShardFilterType.AT_TRIM_HORIZON))).shards())
                .extracting(Shard::shardId).containsExactly(S0);
    }

    private static void awaitWritten(AtomicInteger written, int n) {
        for (int i = 0; i < 1_000 && written.get() < n; i++) {
            sleep(10);
        }
        assertThat(written.get()).isGreaterThanOrEqualTo(n);
    }

    @Test
    void updateShardCountScalesUniformlyAndUpdateStreamModeSwitchesToOnDemand() {
        kinesis.createStream(b -> b.streamName("r").shardCount(2));
        StreamWaits.active(kinesis, "r");
        var answer = kinesis.updateShardCount(b -> b.streamName("r").targetShardCount(4).scalingType("UNIFORM_SCALING"));
        assertThat(answer.currentShardCount()).isEqualTo(2);
        assertThat(answer.targetShardCount()).isEqualTo(4);
        StreamWaits.active(kinesis, "r");
        assertThat(kinesis.describeStreamSummary(b -> b.streamName("r")).streamDescriptionSummary().openShardCount()).isEqualTo(4);
        kinesis.updateStreamMode(b -> b.streamARN("arn:aws:kinesis:eu-west-1:123456789012:stream/r")
                .streamModeDetails(m -> m.streamMode("ON_DEMAND")));
        assertThat(kinesis.describeStreamSummary(b -> b.streamName("r")).streamDescriptionSummary().streamModeDetails()
                .streamModeAsString()).isEqualTo("ON_DEMAND");
    }

    @Test
    void subscribeToShardEndsAClosedParentWithItsChildShards() throws Exception {
        kinesis.createStream(b -> b.streamName("r").shardCount(1));
        StreamWaits.active(kinesis, "r");
        String arn = "arn:aws:kinesis:eu-west-1:123456789012:stream/r";
        String consumerArn = kinesis.registerStreamConsumer(b -> b.streamARN(arn).consumerName("efo")).consumer().consumerARN();
        for (int i = 0; i < 5; i++) {
            kinesis.putRecord(b -> b.streamName("r").partitionKey("k").data(SdkBytes.fromUtf8String("x")));
        }
        SdkSubscription live = SdkSubscription.open(async, consumerArn, S0, ShardIteratorType.TRIM_HORIZON);
        live.awaitRecords(5);
        kinesis.splitShard(b -> b.streamName("r").shardToSplit(S0).newStartingHashKey(MID));
        // Caught up when the shard closed: the subscription ends at once with the children.
        live.awaitCompletedByServer();
        assertThat(live.childShards).extracting(ChildShard::shardId).containsExactly("shardId-000000000001", "shardId-000000000002");
        assertThat(live.continuations.get(live.continuations.size() - 1)).isNull();
    }
}
