package io.riffle.kinesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.security.Security;
import io.riffle.security.SecurityFixtures;
import io.riffle.security.SecurityOptions;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.Consumer;
import software.amazon.awssdk.services.kinesis.model.ConsumerStatus;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.InvalidArgumentException;
import software.amazon.awssdk.services.kinesis.model.KinesisException;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.MetricsName;
import software.amazon.awssdk.services.kinesis.model.PutRecordResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ResourceInUseException;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.ShardFilterType;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StreamDescription;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * Every supported operation through the AWS SDK for Java v2, sync and async clients, built with default
 * settings apart from endpoint, region and static credentials. Subclasses choose the body encoding: CBOR
 * (the SDK's default) or JSON ({@code aws.cborEnabled=false}, read when a client is built).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class KinesisSdkScenario {
    private static final String SHARD0 = "shardId-000000000000";
    private static final String SHARD1 = "shardId-000000000001";
    private static final BigInteger MAX_HASH = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

    KinesisTestNode node;
    KinesisClient kinesis;
    KinesisAsyncClient async;

    /** Whether the clients send CBOR (the SDK's default) or JSON. */
    abstract boolean cbor();

    /**
     * Whether the node runs with {@code auth: sigv4} (the fixtures' principals; the clients sign as their
     * admin) instead of {@code off}.
     */
    boolean signed() {
        return false;
    }

    @BeforeAll
    void start(@TempDir Path dataDir, @TempDir Path etc) {
        System.setProperty("aws.disableEc2Metadata", "true");
        if (cbor()) {
            System.clearProperty("aws.cborEnabled");
        } else {
            System.setProperty("aws.cborEnabled", "false");
        }
        var credentials = signed()
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(SecurityFixtures.ADMIN_KEY, SecurityFixtures.ADMIN_SECRET))
                : StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDRIFFLETEST", "riffle-test-secret"));
        node = signed()
                ? KinesisTestNode.startSecured(dataDir, new Security(SecurityOptions.sigv4(SecurityFixtures.write(etc)),
                        SecurityFixtures.REGION, SecurityFixtures.ACCOUNT, Clock.systemUTC()))
                : KinesisTestNode.start(dataDir);
        URI endpoint = node.endpoint();
        kinesis = KinesisClient.builder().endpointOverride(endpoint).region(Region.EU_WEST_1)
                .credentialsProvider(credentials).build();
        async = KinesisAsyncClient.builder().endpointOverride(endpoint).region(Region.EU_WEST_1)
                .credentialsProvider(credentials).build();
    }

    @AfterAll
    void stop() {
        kinesis.close();
        async.close();
        node.close();
        System.clearProperty("aws.cborEnabled");
    }

    String arn(String stream) {
        return "arn:aws:kinesis:eu-west-1:123456789012:stream/" + stream;
    }

    void create(String stream, int shards) {
        kinesis.createStream(b -> b.streamName(stream).shardCount(shards));
        StreamWaits.active(kinesis, stream);
    }

    @Test
    void theClientsSendTheChosenEncoding() {
        kinesis.listStreams(b -> b.limit(1));
        String expected = cbor() ? "application/x-amz-cbor-1.1" : "application/x-amz-json-1.1";
        assertThat(node.requestsSeen).anyMatch(s -> s.startsWith("ListStreams " + expected));
        assertThat(node.requestsSeen).noneMatch(s -> !s.startsWith("SubscribeToShard") && !s.contains(expected));
    }

    @Test
    void streamsAreCreatedDescribedListedPagedAndDeleted() {
        List<String> names = List.of("life-a", "life-b", "life-c");
        names.forEach(n -> create(n, 2));
        StreamDescription d = kinesis.describeStream(b -> b.streamName("life-a")).streamDescription();
        assertThat(d.streamARN()).isEqualTo(arn("life-a"));
        assertThat(d.streamStatus()).isEqualTo(StreamStatus.ACTIVE);
        assertThat(d.shards()).extracting(s -> s.shardId()).containsExactly(SHARD0, SHARD1);
        assertThat(d.shards().get(1).hashKeyRange().endingHashKey()).isEqualTo(MAX_HASH.toString());
        assertThat(d.retentionPeriodHours()).isEqualTo(24);
        assertThat(d.streamCreationTimestamp()).isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(1));
        assertThat(kinesis.describeStream(b -> b.streamName("life-a").limit(1)).streamDescription().hasMoreShards()).isTrue();
        var summary = kinesis.describeStreamSummary(b -> b.streamARN(arn("life-b"))).streamDescriptionSummary();
        assertThat(summary.openShardCount()).isEqualTo(2);
        assertThat(summary.consumerCount()).isZero();
        assertThat(summary.streamName()).isEqualTo("life-b");

        List<String> listed = new ArrayList<>();
        var page = kinesis.listStreams(b -> b.limit(1));
        listed.addAll(page.streamNames());
        while (page.hasMoreStreams()) {
            String token = page.nextToken();
            page = kinesis.listStreams(b -> b.nextToken(token).limit(1));
            listed.addAll(page.streamNames());
        }
        assertThat(listed).containsSubsequence(names);
        assertThat(kinesis.listStreams().streamSummaries()).anyMatch(s -> s.streamARN().equals(arn("life-c")));

        names.forEach(n -> kinesis.deleteStream(b -> b.streamName(n)));
        names.forEach(n -> StreamWaits.gone(kinesis, n));
        assertThatThrownBy(() -> kinesis.describeStream(b -> b.streamName("life-b"))).isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void recordsArePutAndReadWithEveryIteratorType() {
        String s = "records";
        create(s, 2);
        Instant before = Instant.now().minusSeconds(5);
        PutRecordResponse first = kinesis.putRecord(b -> b.streamName(s).partitionKey("pk").explicitHashKey("0")
                .data(SdkBytes.fromUtf8String("first")));
        assertThat(first.shardId()).isEqualTo(SHARD0);
        PutRecordResponse other = kinesis.putRecord(b -> b.streamARN(arn(s)).partitionKey("pk").explicitHashKey(MAX_HASH.toString())
                .sequenceNumberForOrdering(first.sequenceNumber()).data(SdkBytes.fromUtf8String("other shard")));
        assertThat(other.shardId()).isEqualTo(SHARD1);
        PutRecordsResponse batch = kinesis.putRecords(b -> b.streamName(s).records(IntStream.range(0, 10)
                .mapToObj(i -> PutRecordsRequestEntry.builder().partitionKey("k" + i).explicitHashKey("1")
                        .data(SdkBytes.fromUtf8String("r" + i)).build()).toList()));
        assertThat(batch.failedRecordCount()).isZero();
        assertThat(batch.records()).hasSize(10).allMatch(r -> r.shardId().equals(SHARD0) && r.sequenceNumber() != null);

        List<Record> all = readAll(s, kinesis.getShardIterator(b -> b.streamName(s).shardId(SHARD0)
                .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator(), 3);
        assertThat(all).extracting(r -> r.data().asUtf8String())
                .containsExactly("first", "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9");
        assertThat(all.get(0).sequenceNumber()).isEqualTo(first.sequenceNumber());
        assertThat(all.get(0).partitionKey()).isEqualTo("pk");
        assertThat(all.get(0).approximateArrivalTimestamp()).isBetween(before, Instant.now().plusSeconds(1));

        assertThat(firstData(s, b -> b.shardIteratorType(ShardIteratorType.AT_SEQUENCE_NUMBER)
                .startingSequenceNumber(first.sequenceNumber()))).isEqualTo("first");
        assertThat(firstData(s, b -> b.shardIteratorType(ShardIteratorType.AFTER_SEQUENCE_NUMBER)
                .startingSequenceNumber(first.sequenceNumber()))).isEqualTo("r0");
        assertThat(firstData(s, b -> b.shardIteratorType(ShardIteratorType.AT_TIMESTAMP).timestamp(before))).isEqualTo("first");

        String latest = kinesis.getShardIterator(b -> b.streamName(s).shardId(SHARD0)
                .shardIteratorType(ShardIteratorType.LATEST)).shardIterator();
        GetRecordsResponse empty = kinesis.getRecords(b -> b.shardIterator(latest));
        assertThat(empty.records()).isEmpty();
        assertThat(empty.millisBehindLatest()).isZero();
        kinesis.putRecord(b -> b.streamName(s).partitionKey("pk").explicitHashKey("0").data(SdkBytes.fromUtf8String("late")));
        assertThat(kinesis.getRecords(b -> b.shardIterator(empty.nextShardIterator()).streamARN(arn(s))).records())
                .extracting(r -> r.data().asUtf8String()).containsExactly("late");
    }

    private String firstData(String s, java.util.function.Consumer<software.amazon.awssdk.services.kinesis.model.GetShardIteratorRequest.Builder> how) {
        String it = kinesis.getShardIterator(b -> {
            b.streamName(s).shardId(SHARD0);
            how.accept(b);
        }).shardIterator();
        return kinesis.getRecords(b -> b.shardIterator(it).limit(1)).records().get(0).data().asUtf8String();
    }

    private List<Record> readAll(String stream, String iterator, int limit) {
        List<Record> out = new ArrayList<>();
        String it = iterator;
        for (int i = 0; i < 100; i++) {
            String current = it;
            GetRecordsResponse r = kinesis.getRecords(b -> b.shardIterator(current).limit(limit));
            assertThat(r.records().size()).isLessThanOrEqualTo(limit);
            out.addAll(r.records());
            if (r.records().isEmpty()) {
                break;
            }
            it = r.nextShardIterator();
        }
        return out;
    }

    @Test
    void shardsAreListedWithPagingAndFilters() {
        String s = "shards";
        create(s, 2);
        ListShardsResponse first = kinesis.listShards(b -> b.streamName(s).maxResults(1));
        assertThat(first.shards()).extracting(x -> x.shardId()).containsExactly(SHARD0);
        ListShardsResponse second = kinesis.listShards(b -> b.nextToken(first.nextToken()));
        assertThat(second.shards()).extracting(x -> x.shardId()).containsExactly(SHARD1);
        assertThat(second.nextToken()).isNull();
        assertThat(kinesis.listShards(b -> b.streamARN(arn(s)).shardFilter(f -> f.type(ShardFilterType.AFTER_SHARD_ID).shardId(SHARD0)))
                .shards()).extracting(x -> x.shardId()).containsExactly(SHARD1);
        assertThat(kinesis.listShards(b -> b.streamName(s).shardFilter(f -> f.type(ShardFilterType.AT_LATEST))).shards()).hasSize(2);
        assertThat(kinesis.listShards(b -> b.streamName(s).exclusiveStartShardId(SHARD0)).shards()).hasSize(1);
    }

    @Test
    void retentionTagsLimitsMonitoringAndRecordSizeAreManaged() {
        String s = "managed";
        create(s, 1);
        kinesis.increaseStreamRetentionPeriod(b -> b.streamName(s).retentionPeriodHours(48));
        assertThat(kinesis.describeStreamSummary(b -> b.streamName(s)).streamDescriptionSummary().retentionPeriodHours()).isEqualTo(48);
        kinesis.decreaseStreamRetentionPeriod(b -> b.streamARN(arn(s)).retentionPeriodHours(24));
        assertThat(kinesis.describeStream(b -> b.streamName(s)).streamDescription().retentionPeriodHours()).isEqualTo(24);

        kinesis.addTagsToStream(b -> b.streamName(s).tags(java.util.Map.of("env", "test", "team", "riffle")));
        var tags = kinesis.listTagsForStream(b -> b.streamName(s).limit(1));
        assertThat(tags.tags()).extracting(t -> t.key()).containsExactly("env");
        assertThat(tags.hasMoreTags()).isTrue();
        kinesis.removeTagsFromStream(b -> b.streamName(s).tagKeys("env"));
        kinesis.tagResource(b -> b.resourceARN(arn(s)).tags(java.util.Map.of("x", "y")));
        assertThat(kinesis.listTagsForResource(b -> b.resourceARN(arn(s))).tags()).extracting(t -> t.key() + "=" + t.value())
                .containsExactly("team=riffle", "x=y");
        kinesis.untagResource(b -> b.resourceARN(arn(s)).tagKeys("x"));
        assertThat(kinesis.listTagsForStream(b -> b.streamName(s)).tags()).extracting(t -> t.key()).containsExactly("team");

        var limits = kinesis.describeLimits();
        assertThat(limits.shardLimit()).isEqualTo(1000);
        assertThat(limits.openShardCount()).isGreaterThanOrEqualTo(1);

        var enabled = kinesis.enableEnhancedMonitoring(b -> b.streamName(s).shardLevelMetrics(MetricsName.ALL));
        assertThat(enabled.desiredShardLevelMetrics()).contains(MetricsName.INCOMING_BYTES, MetricsName.ITERATOR_AGE_MILLISECONDS);
        var disabled = kinesis.disableEnhancedMonitoring(b -> b.streamName(s).shardLevelMetrics(MetricsName.INCOMING_BYTES));
        assertThat(disabled.currentShardLevelMetrics()).contains(MetricsName.INCOMING_BYTES);
        assertThat(disabled.desiredShardLevelMetrics()).doesNotContain(MetricsName.INCOMING_BYTES).contains(MetricsName.OUTGOING_BYTES);
        assertThat(kinesis.describeStream(b -> b.streamName(s)).streamDescription().enhancedMonitoring().get(0).shardLevelMetrics())
                .doesNotContain(MetricsName.INCOMING_BYTES).contains(MetricsName.OUTGOING_RECORDS);

        byte[] big = new byte[1024 * 1024 + 512 * 1024];
        KinesisException tooBig = (KinesisException) org.assertj.core.api.Assertions.catchThrowable(() ->
                kinesis.putRecord(b -> b.streamName(s).partitionKey("k").data(SdkBytes.fromByteArray(big))));
        assertThat(tooBig.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
        kinesis.updateMaxRecordSize(b -> b.streamARN(arn(s)).maxRecordSizeInKiB(2048));
        assertThat(kinesis.describeStreamSummary(b -> b.streamName(s)).streamDescriptionSummary().maxRecordSizeInKiB()).isEqualTo(2048);
        assertThat(kinesis.putRecord(b -> b.streamName(s).partitionKey("k").data(SdkBytes.fromByteArray(big))).sequenceNumber()).isNotBlank();

        assertThatThrownBy(() -> kinesis.splitShard(b -> b.streamName(s).shardToSplit(SHARD0).newStartingHashKey("1")))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("is not both greater than one plus the shard's StartingHashKey");
    }

    @Test
    void consumersAreRegisteredDescribedListedAndDeregistered() {
        String s = "consumers";
        create(s, 1);
        Consumer c = kinesis.registerStreamConsumer(b -> b.streamARN(arn(s)).consumerName("app")).consumer();
        assertThat(c.consumerARN()).matches("arn:aws:kinesis:eu-west-1:123456789012:stream/consumers/consumer/app:\\d+");
        assertThat(c.consumerStatus()).isEqualTo(ConsumerStatus.ACTIVE);
        var byArn = kinesis.describeStreamConsumer(b -> b.consumerARN(c.consumerARN())).consumerDescription();
        assertThat(byArn.streamARN()).isEqualTo(arn(s));
        assertThat(byArn.consumerCreationTimestamp()).isEqualTo(c.consumerCreationTimestamp());
        assertThat(kinesis.describeStreamConsumer(b -> b.streamARN(arn(s)).consumerName("app")).consumerDescription().consumerARN())
                .isEqualTo(c.consumerARN());
        kinesis.registerStreamConsumer(b -> b.streamARN(arn(s)).consumerName("other"));
        var page = kinesis.listStreamConsumers(b -> b.streamARN(arn(s)).maxResults(1));
        assertThat(page.consumers()).extracting(Consumer::consumerName).containsExactly("app");
        assertThat(kinesis.listStreamConsumers(b -> b.streamARN(arn(s)).nextToken(page.nextToken())).consumers())
                .extracting(Consumer::consumerName).containsExactly("other");
        assertThatThrownBy(() -> kinesis.registerStreamConsumer(b -> b.streamARN(arn(s)).consumerName("app")))
                .isInstanceOf(ResourceInUseException.class);
        assertThatThrownBy(() -> kinesis.deleteStream(b -> b.streamName(s))).isInstanceOf(ResourceInUseException.class);
        kinesis.deregisterStreamConsumer(b -> b.consumerARN(c.consumerARN()));
        assertThatThrownBy(() -> kinesis.describeStreamConsumer(b -> b.consumerARN(c.consumerARN())))
                .isInstanceOf(ResourceNotFoundException.class);
        kinesis.deleteStream(b -> b.streamName(s).enforceConsumerDeletion(true));
        StreamWaits.gone(kinesis, s);
        assertThatThrownBy(() -> kinesis.describeStream(b -> b.streamName(s))).isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void theAsyncClientPutsAndReadsOverHttp2() throws Exception {
        String s = "async";
        async.createStream(b -> b.streamName(s).shardCount(1)).get(10, TimeUnit.SECONDS);
        StreamWaits.active(async, s);
        var put = async.putRecords(b -> b.streamName(s).records(PutRecordsRequestEntry.builder().partitionKey("a")
                .data(SdkBytes.fromUtf8String("via h2")).build())).get(10, TimeUnit.SECONDS);
        assertThat(put.failedRecordCount()).isZero();
        String it = async.getShardIterator(b -> b.streamName(s).shardId(SHARD0).shardIteratorType(ShardIteratorType.TRIM_HORIZON))
                .get(10, TimeUnit.SECONDS).shardIterator();
        assertThat(async.getRecords(b -> b.shardIterator(it)).get(10, TimeUnit.SECONDS).records())
                .extracting(r -> r.data().asUtf8String()).containsExactly("via h2");
        assertThat(node.requestsSeen).anyMatch(x -> x.startsWith("GetRecords ") && x.endsWith("HTTP_2"));
    }

    @Test
    void subscribeToShardCatchesUpThenPushesRecordsPutDuringTheSubscription() throws Exception {
        String s = "push";
        create(s, 1);
        String consumerArn = kinesis.registerStreamConsumer(b -> b.streamARN(arn(s)).consumerName("pusher")).consumer().consumerARN();
        for (int i = 0; i < 3; i++) {
            int n = i;
            kinesis.putRecord(b -> b.streamName(s).partitionKey("k").data(SdkBytes.fromUtf8String("before" + n)));
        }
        SdkSubscription sub = SdkSubscription.open(async, consumerArn, SHARD0, ShardIteratorType.TRIM_HORIZON);
        List<Record> received = sub.received;
        sub.awaitRecords(3);
        kinesis.putRecords(b -> b.streamName(s).records(IntStream.range(0, 3).mapToObj(i -> PutRecordsRequestEntry.builder()
                .partitionKey("k").data(SdkBytes.fromUtf8String("during" + i)).build()).toList()));
        kinesis.putRecord(b -> b.streamName(s).partitionKey("k").data(SdkBytes.fromUtf8String("during3")));
        sub.awaitRecords(7);
        node.awaitSubscribers(1);
        sub.cancel();
        node.awaitSubscriptionsReleased();
        assertThat(sub.errors).isEmpty();
        assertThat(received).extracting(r -> r.data().asUtf8String())
                .containsExactly("before0", "before1", "before2", "during0", "during1", "during2", "during3");
        assertThat(received.stream().map(r -> new BigInteger(r.sequenceNumber())).toList()).isSorted().doesNotHaveDuplicates();
        assertThat(sub.continuations.get(sub.continuations.size() - 1)).isEqualTo(received.get(6).sequenceNumber());
        assertThat(node.requestsSeen).anyMatch(x -> x.startsWith("SubscribeToShard ") && x.endsWith("HTTP_2"));
    }
}
