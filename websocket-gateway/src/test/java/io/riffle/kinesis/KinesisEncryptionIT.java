package io.riffle.kinesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.node.Node;
import io.riffle.node.NodeConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
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
import software.amazon.awssdk.services.kinesis.model.EncryptionType;
import software.amazon.awssdk.services.kinesis.model.InvalidArgumentException;
import software.amazon.awssdk.services.kinesis.model.KmsDisabledException;
import software.amazon.awssdk.services.kinesis.model.KmsNotFoundException;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StreamDescriptionSummary;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * Server-side encryption through the AWS SDK v2 on a real node with a keyring file: Start/StopStreamEncryption,
 * records written before, during and after it, a restart, the data directory grepped for plaintext, and
 * AWS's KMS errors for missing and disabled keys.
 */
class KinesisEncryptionIT {
    static final String KEY_ARN = "arn:aws:kms:us-east-1:000000000000:key/0e1f0000-0000-4000-8000-0000000000aa";
    static final String OFF_ARN = "arn:aws:kms:us-east-1:000000000000:key/0e1f0000-0000-4000-8000-0000000000ff";
    private static final String SEALED = "SEALED-CARD-4111-1111-1111-1111";

    @TempDir
    Path tmp;
    private Path dataDir;
    private Path keyringFile;
    private NodeConfig config;
    private Node node;
    private KinesisClient kinesis;
    private KinesisAsyncClient async;

    static String keyring(boolean enabled) {
        byte[] m1 = new byte[32];
        Arrays.fill(m1, (byte) 5);
        byte[] m2 = new byte[32];
        Arrays.fill(m2, (byte) 6);
        return "{\"keys\":[{\"keyId\":\"" + KEY_ARN + "\",\"aliases\":[\"alias/orders\"],\"material\":\""
                + Base64.getEncoder().encodeToString(m1) + "\",\"enabled\":" + enabled + "},"
                + "{\"keyId\":\"" + OFF_ARN + "\",\"material\":\"" + Base64.getEncoder().encodeToString(m2) + "\",\"enabled\":false}]}";
    }

    @BeforeEach
    void start() throws IOException {
        System.setProperty("aws.disableEc2Metadata", "true");
        System.clearProperty("aws.cborEnabled");
        dataDir = tmp.resolve("data");
        keyringFile = tmp.resolve("keyring.json");
        Files.writeString(keyringFile, keyring(true));
        // A transition long enough to see UPDATING, short enough for the test.
        config = NodeConfig.load(new String[] {"--host=127.0.0.1", "--port=0", "--gateway-instances=1",
                "--data-dir=" + dataDir, "--keyring-file=" + keyringFile, "--stream-transition-millis=1500"}, Map.of());
        startNode();
    }

    private void startNode() {
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

    private void restart() {
        stop();
        startNode();
    }

    private StreamDescriptionSummary summary(String stream) {
        return kinesis.describeStreamSummary(b -> b.streamName(stream)).streamDescriptionSummary();
    }

    private List<Record> readAll(String stream) {
        String it = kinesis.getShardIterator(b -> b.streamName(stream).shardId("shardId-000000000000")
                .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
        return kinesis.getRecords(b -> b.shardIterator(it)).records();
    }

    private void put(String stream, String data) {
        kinesis.putRecord(b -> b.streamName(stream).partitionKey("pk-" + data).data(SdkBytes.fromUtf8String(data)));
    }

    @Test
    void recordsWrittenAfterStartAreEncryptedReadBackPlainSurviveARestartAndNeverReachTheDiskInClear() throws Exception {
        kinesis.createStream(b -> b.streamName("cards").shardCount(1));
        StreamWaits.active(kinesis, "cards");
        assertThat(summary("cards").encryptionType()).isEqualTo(EncryptionType.NONE);
        assertThat(summary("cards").keyId()).isNull();
        put("cards", "PLAIN-BEFORE-0");
        put("cards", "PLAIN-BEFORE-1");

        kinesis.startStreamEncryption(b -> b.streamName("cards").encryptionType(EncryptionType.KMS).keyId("alias/orders"));
        assertThat(summary("cards").streamStatus()).isEqualTo(StreamStatus.UPDATING);
        StreamWaits.active(kinesis, "cards");
        StreamDescriptionSummary s = summary("cards");
        assertThat(s.encryptionType()).isEqualTo(EncryptionType.KMS);
        assertThat(s.keyId()).isEqualTo("alias/orders");
        var d = kinesis.describeStream(b -> b.streamName("cards")).streamDescription();
        assertThat(d.encryptionType()).isEqualTo(EncryptionType.KMS);
        assertThat(d.keyId()).isEqualTo("alias/orders");

        var one = kinesis.putRecord(b -> b.streamName("cards").partitionKey("pk-" + SEALED + "-0")
                .data(SdkBytes.fromUtf8String(SEALED + "-0")));
        assertThat(one.encryptionType()).isEqualTo(EncryptionType.KMS);
        var many = kinesis.putRecords(b -> b.streamName("cards").records(IntStream.range(1, 4).mapToObj(i ->
                PutRecordsRequestEntry.builder().partitionKey("pk-" + SEALED + "-" + i)
                        .data(SdkBytes.fromUtf8String(SEALED + "-" + i)).build()).toList()));
        assertThat(many.failedRecordCount()).isZero();
        assertThat(many.encryptionType()).isEqualTo(EncryptionType.KMS);

        assertEncryptedAfterTwoPlain(readAll("cards"), 4);
        String consumer = kinesis.registerStreamConsumer(b -> b.streamARN(s.streamARN()).consumerName("app")).consumer().consumerARN();
        SdkSubscription sub = SdkSubscription.open(async, consumer, "shardId-000000000000", ShardIteratorType.TRIM_HORIZON);
        sub.awaitRecords(6);
        sub.cancel();
        assertEncryptedAfterTwoPlain(sub.received, 4);

        restart();
        assertThat(summary("cards").keyId()).isEqualTo("alias/orders");
        assertEncryptedAfterTwoPlain(readAll("cards"), 4);
        put("cards", SEALED + "-4");
        assertEncryptedAfterTwoPlain(readAll("cards"), 5);

        KinesisTestNode.await(node.stop()); // a clean stop: everything written is on disk
        assertDataDirHasNoPlaintextOf(SEALED);
        startNode();

        kinesis.stopStreamEncryption(b -> b.streamName("cards").encryptionType(EncryptionType.KMS).keyId("alias/orders"));
        StreamWaits.active(kinesis, "cards");
        assertThat(summary("cards").encryptionType()).isEqualTo(EncryptionType.NONE);
        assertThat(summary("cards").keyId()).isNull();
        var after = kinesis.putRecord(b -> b.streamName("cards").partitionKey("pk-after").data(SdkBytes.fromUtf8String("PLAIN-AFTER")));
        assertThat(after.encryptionType()).isNull();
        List<Record> all = readAll("cards");
        assertEncryptedAfterTwoPlain(all.subList(0, 7), 5);
        assertThat(all.get(7).data().asUtf8String()).isEqualTo("PLAIN-AFTER");
        assertThat(all.get(7).encryptionType()).isNull();
    }

    private static void assertEncryptedAfterTwoPlain(List<Record> records, int sealed) {
        assertThat(records).hasSize(2 + sealed);
        for (int i = 0; i < 2; i++) {
            assertThat(records.get(i).data().asUtf8String()).isEqualTo("PLAIN-BEFORE-" + i);
            assertThat(records.get(i).encryptionType()).isNull();
        }
        for (int i = 0; i < sealed; i++) {
            Record r = records.get(2 + i);
            assertThat(r.data().asUtf8String()).isEqualTo(SEALED + "-" + i);
            assertThat(r.partitionKey()).isEqualTo("pk-" + SEALED + "-" + i);
            assertThat(r.encryptionType()).isEqualTo(EncryptionType.KMS);
        }
    }

    /** Every file of the data directory, byte by byte: the sealed records' data and keys are nowhere, the plain ones are. */
    private void assertDataDirHasNoPlaintextOf(String secret) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dataDir)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        assertThat(files).anyMatch(f -> f.getFileName().toString().endsWith(".key"));
        boolean plainSeen = false;
        for (Path f : files) {
            String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
            assertThat(content).as(f.toString()).doesNotContain(secret).doesNotContain("SEALED");
            plainSeen |= content.contains("PLAIN-BEFORE-0");
        }
        assertThat(plainSeen).as("the records written before StartStreamEncryption are on disk in clear (the grep works)").isTrue();
    }

    @Test
    void missingAndDisabledKeysGetAwsKmsErrorsOnStartPutAndRead() throws Exception {
        kinesis.createStream(b -> b.streamName("keys").shardCount(1));
        StreamWaits.active(kinesis, "keys");
        assertThatThrownBy(() -> kinesis.startStreamEncryption(b -> b.streamName("keys").encryptionType(EncryptionType.KMS)
                .keyId("alias/nope"))).isInstanceOf(KmsNotFoundException.class);
        assertThatThrownBy(() -> kinesis.startStreamEncryption(b -> b.streamName("keys").encryptionType(EncryptionType.KMS)
                .keyId(OFF_ARN))).isInstanceOf(KmsDisabledException.class).hasMessageContaining("is disabled");
        assertThatThrownBy(() -> kinesis.startStreamEncryption(b -> b.streamName("keys").encryptionType(EncryptionType.NONE)
                .keyId(KEY_ARN))).isInstanceOf(InvalidArgumentException.class);
        assertThat(summary("keys").encryptionType()).isEqualTo(EncryptionType.NONE);

        // The bare key id is a KeyId too, as with AWS KMS.
        kinesis.startStreamEncryption(b -> b.streamName("keys").encryptionType(EncryptionType.KMS).keyId("0e1f0000-0000-4000-8000-0000000000aa"));
        StreamWaits.active(kinesis, "keys");
        put("keys", "S1");

        Files.writeString(keyringFile, keyring(false));
        awaitPutFails();
        assertThatThrownBy(() -> put("keys", "S2")).isInstanceOf(KmsDisabledException.class);
        assertThatThrownBy(() -> kinesis.putRecords(b -> b.streamName("keys").records(PutRecordsRequestEntry.builder()
                .partitionKey("k").data(SdkBytes.fromUtf8String("S2")).build()))).isInstanceOf(KmsDisabledException.class);
        assertThatThrownBy(() -> readAll("keys")).isInstanceOf(KmsDisabledException.class);

        Files.writeString(keyringFile, keyring(true));
        List<Record> back = awaitReadable("keys");
        assertThat(back).extracting(r -> r.data().asUtf8String()).containsExactly("S1");
        put("keys", "S3");
        assertThat(readAll("keys")).extracting(r -> r.data().asUtf8String()).filteredOn(t -> !t.startsWith("probe-"))
                .containsExactly("S1", "S3");
    }

    /** The node re-reads the keyring file every second: puts fail once it has (bounded wait). */
    private void awaitPutFails() throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            try {
                put("keys", "probe-" + i);
            } catch (KmsDisabledException e) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the disabled key never took effect");
    }

    private List<Record> awaitReadable(String stream) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            try {
                return readAll(stream).stream().filter(r -> !r.data().asUtf8String().startsWith("probe-")).toList();
            } catch (KmsDisabledException e) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("the re-enabled key never took effect");
    }
}
