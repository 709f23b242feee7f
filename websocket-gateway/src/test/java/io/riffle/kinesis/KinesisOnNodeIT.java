package io.riffle.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.node.Node;
import io.riffle.node.NodeConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.IntStream;
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
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * The Kinesis API as a real node installs it ({@code Node.start(config)}): the AWS SDK's default clients
 * against the node's one port (its BodyHandler, h2c), with two gateway verticles sharing that port.
 */
class KinesisOnNodeIT {
    @TempDir
    Path dataDir;
    private Node node;
    private KinesisClient kinesis;
    private KinesisAsyncClient async;

    @BeforeEach
    void start() {
        System.setProperty("aws.disableEc2Metadata", "true");
        System.clearProperty("aws.cborEnabled");
        NodeConfig config = NodeConfig.load(new String[] {"--host=127.0.0.1", "--port=0", "--gateway-instances=2",
                "--data-dir=" + dataDir}, Map.of());
        node = KinesisTestNode.await(Node.start(config));
        URI endpoint = URI.create("http://127.0.0.1:" + node.port());
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDRIFFLENODE", "riffle-node-secret"));
        kinesis = KinesisClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1).credentialsProvider(credentials).build();
        async = KinesisAsyncClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1).credentialsProvider(credentials).build();
    }

    @AfterEach
    void stop() {
        kinesis.close();
        async.close();
        KinesisTestNode.await(node.stop());
    }

    @Test
    void stoppingTheNodeEndsSubscribeToShardStreamsCleanly() throws Exception {
        kinesis.createStream(b -> b.streamName("stop").shardCount(1));
        StreamWaits.active(kinesis, "stop");
        String consumer = kinesis.registerStreamConsumer(b -> b.streamARN("arn:aws:kinesis:us-east-1:000000000000:stream/stop")
                .consumerName("app")).consumer().consumerARN();
        SdkSubscription sub = SdkSubscription.open(async, consumer, "shardId-000000000000", ShardIteratorType.LATEST);
        var stopping = node.stop();
        sub.awaitCompletedByServer();
        KinesisTestNode.await(stopping);
        assertThat(sub.errors).isEmpty();
    }

    @Test
    void aNodeServesTheKinesisApiAndPushesRecordsToSubscribeToShard() throws Exception {
        kinesis.createStream(b -> b.streamName("node").shardCount(2));
        StreamWaits.active(kinesis, "node");
        String arn = kinesis.describeStreamSummary(b -> b.streamName("node")).streamDescriptionSummary().streamARN();
        assertThat(arn).isEqualTo("arn:aws:kinesis:us-east-1:000000000000:stream/node");
        String consumer = kinesis.registerStreamConsumer(b -> b.streamARN(arn).consumerName("app")).consumer().consumerARN();

        SdkSubscription sub = SdkSubscription.open(async, consumer, "shardId-000000000000", ShardIteratorType.LATEST);
        var put = kinesis.putRecords(b -> b.streamName("node").records(IntStream.range(0, 5).mapToObj(i ->
                PutRecordsRequestEntry.builder().partitionKey("k" + i).explicitHashKey("0")
                        .data(SdkBytes.fromUtf8String("n" + i)).build()).toList()));
        assertThat(put.failedRecordCount()).isZero();
        sub.awaitRecords(5);
        sub.cancel();
        assertThat(sub.errors).isEmpty();
        assertThat(sub.received).extracting(r -> r.data().asUtf8String()).containsExactly("n0", "n1", "n2", "n3", "n4");

        String it = kinesis.getShardIterator(b -> b.streamName("node").shardId("shardId-000000000000")
                .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
        assertThat(kinesis.getRecords(b -> b.shardIterator(it)).records()).hasSize(5);
        kinesis.deleteStream(b -> b.streamName("node").enforceConsumerDeletion(true));
    }
}
