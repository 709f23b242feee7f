package io.riffle.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import io.riffle.security.Security;
import io.riffle.security.SecurityFixtures;
import io.riffle.security.SecurityOptions;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The AWS CLI v2 (Debian's {@code awscli}, always {@code /usr/bin/aws}: a pip-installed v1 elsewhere on PATH
 * encodes {@code --data} twice) against a test node. A machine without it fails this test: {@code .ci/run}
 * installs it.
 */
class AwsCliIT {
    private static final Path AWS = Path.of("/usr/bin/aws");
    @TempDir
    Path dataDir;
    @TempDir
    Path home;
    private KinesisTestNode node;
    /** The credentials the next CLI run signs with (each run gets them in its own environment). */
    private String keyId = "AKIDRIFFLECLI";
    private String secret = "riffle-cli-secret";

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    /** A node with {@code auth: sigv4} and the fixtures' principals; the CLI signs as their admin. */
    private void startSecured() {
        Path credentials = SecurityFixtures.write(home);
        node = KinesisTestNode.startSecured(dataDir, new Security(SecurityOptions.sigv4(credentials), SecurityFixtures.REGION,
                SecurityFixtures.ACCOUNT, Clock.systemUTC()));
        keyId = SecurityFixtures.ADMIN_KEY;
        secret = SecurityFixtures.ADMIN_SECRET;
    }

    /** One CLI run: its exit code, its stdout parsed as JSON (empty if none) and its stderr. */
    record Run(int exit, JsonNode out, String err) {
    }

    @Test
    void theAwsCliTrustsTheGeneratedCertificateOfTheTlsPort() throws Exception {
        node = KinesisTestNode.startTls(dataDir);
        String bundle = dataDir.resolve(TlsFrontDoor.SELF_SIGNED_DIR).resolve("cert.pem").toString();
        ok("kinesis", "create-stream", "--stream-name", "tls", "--shard-count", "1", "--ca-bundle", bundle);
        assertThat(ok("kinesis", "list-streams", "--ca-bundle", bundle).path("StreamNames").get(0).asText()).isEqualTo("tls");
    }

    private Run aws(String... args) throws IOException, InterruptedException {
        assertThat(Files.isExecutable(AWS)).as("the AWS CLI v2 at /usr/bin/aws (apt-get install awscli)").isTrue();
        List<String> cmd = new ArrayList<>(List.of(AWS.toString()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--endpoint-url", node.endpoint().toString(), "--no-cli-pager", "--output", "json"));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("AWS_"));
        env.put("AWS_ACCESS_KEY_ID", keyId);
        env.put("AWS_SECRET_ACCESS_KEY", secret);
        env.put("AWS_DEFAULT_REGION", "eu-west-1");
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.put("AWS_CONFIG_FILE", home.resolve("config").toString());
        env.put("AWS_SHARED_CREDENTIALS_FILE", home.resolve("credentials").toString());
        env.put("HOME", home.toString());
        Path out = home.resolve("out.json");
        Path err = home.resolve("err.txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("aws " + String.join(" ", args) + " finished").isTrue();
        String text = Files.readString(out, StandardCharsets.UTF_8);
        JsonNode json = text.isBlank() ? RawKinesis.JSON.createObjectNode() : RawKinesis.JSON.readTree(text);
        return new Run(p.exitValue(), json, Files.readString(err, StandardCharsets.UTF_8));
    }

    /**
     * Polls describe-stream-summary until it shows {@code status} (or fails with that error name), as
     * {@code aws kinesis wait stream-exists} does, but without its 10 s between polls.
     */
    private void awaitStatus(String stream, String status) throws IOException, InterruptedException {
        String seen = null;
        for (int i = 0; i < 50; i++) {
            Run r = aws("kinesis", "describe-stream-summary", "--stream-name", stream);
            seen = r.exit() == 0 ? r.out().path("StreamDescriptionSummary").path("StreamStatus").asText() : r.err();
            if (seen.equals(status) || r.exit() != 0 && seen.contains(status)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("Stream " + stream + " never showed " + status + "; last: " + seen);
    }

    private JsonNode ok(String... args) throws IOException, InterruptedException {
        Run r = aws(args);
        assertThat(r.exit()).as("aws " + String.join(" ", args) + ": " + r.err()).isZero();
        return r.out();
    }

    @Test
    void theAwsCliStartsAndStopsStreamEncryption() throws Exception {
        Path keyring = home.resolve("keyring.json");
        Files.writeString(keyring, KinesisEncryptionIT.keyring(true));
        io.riffle.log.crypto.Keyring keys = io.riffle.log.crypto.Keyring.load(keyring);
        node = KinesisTestNode.startWithKeyring(dataDir, () -> keys);
        ok("kinesis", "create-stream", "--stream-name", "sse", "--shard-count", "1");
        awaitStatus("sse", "ACTIVE");
        Run missing = aws("kinesis", "start-stream-encryption", "--stream-name", "sse", "--encryption-type", "KMS",
                "--key-id", "alias/missing");
        assertThat(missing.exit()).isNotZero();
        assertThat(missing.err()).contains("KMSNotFoundException");

        ok("kinesis", "start-stream-encryption", "--stream-name", "sse", "--encryption-type", "KMS", "--key-id", "alias/orders");
        awaitStatus("sse", "ACTIVE");
        JsonNode summary = ok("kinesis", "describe-stream-summary", "--stream-name", "sse").path("StreamDescriptionSummary");
        assertThat(summary.path("EncryptionType").asText()).isEqualTo("KMS");
        assertThat(summary.path("KeyId").asText()).isEqualTo("alias/orders");
        JsonNode put = ok("kinesis", "put-record", "--stream-name", "sse", "--partition-key", "pk", "--data", "c2VjcmV0");
        assertThat(put.path("EncryptionType").asText()).isEqualTo("KMS");
        String iterator = ok("kinesis", "get-shard-iterator", "--stream-name", "sse", "--shard-id", "shardId-000000000000",
                "--shard-iterator-type", "TRIM_HORIZON").path("ShardIterator").asText();
        JsonNode record = ok("kinesis", "get-records", "--shard-iterator", iterator).path("Records").get(0);
        assertThat(record.path("Data").asText()).isEqualTo("c2VjcmV0");
        assertThat(record.path("EncryptionType").asText()).isEqualTo("KMS");

        ok("kinesis", "stop-stream-encryption", "--stream-name", "sse", "--encryption-type", "KMS", "--key-id", "alias/orders");
        awaitStatus("sse", "ACTIVE");
        assertThat(ok("kinesis", "describe-stream-summary", "--stream-name", "sse").path("StreamDescriptionSummary")
                .path("EncryptionType").asText()).isEqualTo("NONE");
        assertThat(ok("kinesis", "put-record", "--stream-name", "sse", "--partition-key", "pk", "--data", "cGxhaW4=")
                .has("EncryptionType")).isFalse();
    }

    @ParameterizedTest(name = "auth {0}")
    @ValueSource(strings = {"off", "sigv4"})
    void theAwsCliRunsTheWholeStreamLifecycle(String auth) throws Exception {
        if (auth.equals("off")) {
            node = KinesisTestNode.start(dataDir);
        } else {
            startSecured();
        }
        ok("kinesis", "create-stream", "--stream-name", "cli", "--shard-count", "1");
        awaitStatus("cli", "ACTIVE");

        JsonNode put = ok("kinesis", "put-record", "--stream-name", "cli", "--partition-key", "pk", "--data", "aGVsbG8=");
        assertThat(put.path("ShardId").asText()).isEqualTo("shardId-000000000000");
        assertThat(put.path("SequenceNumber").asText()).matches("\\d+");

        JsonNode puts = ok("kinesis", "put-records", "--stream-name", "cli", "--records",
                "[{\"Data\":\"d29ybGQ=\",\"PartitionKey\":\"pk\"},{\"Data\":\"IQ==\",\"PartitionKey\":\"pk2\"}]");
        assertThat(puts.path("FailedRecordCount").asInt()).isZero();
        assertThat(puts.path("Records")).hasSize(2);

        String iterator = ok("kinesis", "get-shard-iterator", "--stream-name", "cli", "--shard-id", "shardId-000000000000",
                "--shard-iterator-type", "TRIM_HORIZON").path("ShardIterator").asText();
        assertThat(iterator).isNotBlank();
        JsonNode records = ok("kinesis", "get-records", "--shard-iterator", iterator);
        assertThat(records.path("Records")).hasSize(3);
        assertThat(records.path("Records").get(0).path("Data").asText()).isEqualTo("aGVsbG8=");
        assertThat(records.path("Records").get(0).path("SequenceNumber").asText()).isEqualTo(put.path("SequenceNumber").asText());
        assertThat(records.path("Records").get(1).path("Data").asText()).isEqualTo("d29ybGQ=");
        assertThat(records.path("Records").get(2).path("PartitionKey").asText()).isEqualTo("pk2");
        assertThat(records.path("NextShardIterator").asText()).isNotBlank();
        assertThat(records.path("MillisBehindLatest").isNumber()).isTrue();

        JsonNode shards = ok("kinesis", "list-shards", "--stream-name", "cli");
        assertThat(shards.path("Shards")).hasSize(1);
        assertThat(shards.path("Shards").get(0).path("HashKeyRange").path("EndingHashKey").asText())
                .isEqualTo("340282366920938463463374607431768211455");

        JsonNode summary = ok("kinesis", "describe-stream-summary", "--stream-name", "cli").path("StreamDescriptionSummary");
        assertThat(summary.path("OpenShardCount").asInt()).isEqualTo(1);
        assertThat(summary.path("StreamStatus").asText()).isEqualTo("ACTIVE");
        String arn = summary.path("StreamARN").asText();
        assertThat(arn).isEqualTo("arn:aws:kinesis:eu-west-1:123456789012:stream/cli");

        JsonNode consumer = ok("kinesis", "register-stream-consumer", "--stream-arn", arn, "--consumer-name", "cli-app")
                .path("Consumer");
        assertThat(consumer.path("ConsumerARN").asText()).startsWith(arn + "/consumer/cli-app:");
        assertThat(consumer.path("ConsumerStatus").asText()).isEqualTo("ACTIVE");

        Run refused = aws("kinesis", "delete-stream", "--stream-name", "cli");
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.err()).contains("ResourceInUseException");
        ok("kinesis", "delete-stream", "--stream-name", "cli", "--enforce-consumer-deletion");
        awaitStatus("cli", "ResourceNotFoundException");
    }

    @Test
    void theAwsCliReshardsWhileAConsumerReadsAndTheConsumerFindsTheChildren() throws Exception {
        node = KinesisTestNode.start(dataDir);
        ok("kinesis", "create-stream", "--stream-name", "rs", "--shard-count", "1");
        awaitStatus("rs", "ACTIVE");
        for (String data : List.of("YQ==", "Yg==", "Yw==")) {
            ok("kinesis", "put-record", "--stream-name", "rs", "--partition-key", "pk", "--data", data);
        }
        String iterator = ok("kinesis", "get-shard-iterator", "--stream-name", "rs", "--shard-id", "shardId-000000000000",
                "--shard-iterator-type", "TRIM_HORIZON").path("ShardIterator").asText();
        JsonNode first = ok("kinesis", "get-records", "--shard-iterator", iterator, "--limit", "2");
        assertThat(first.path("Records")).hasSize(2);

        ok("kinesis", "split-shard", "--stream-name", "rs", "--shard-to-split", "shardId-000000000000",
                "--new-starting-hash-key", "170141183460469231731687303715884105728");
        awaitStatus("rs", "ACTIVE");
        // The consumer goes on with its iterator: the rest of the parent, then its end and the children.
        JsonNode rest = ok("kinesis", "get-records", "--shard-iterator", first.path("NextShardIterator").asText());
        assertThat(rest.path("Records")).hasSize(1);
        assertThat(rest.path("Records").get(0).path("Data").asText()).isEqualTo("Yw==");
        assertThat(rest.has("NextShardIterator") && !rest.path("NextShardIterator").isNull()).isFalse();
        assertThat(rest.path("ChildShards")).hasSize(2);
        assertThat(rest.path("ChildShards").get(0).path("ParentShards").get(0).asText()).isEqualTo("shardId-000000000000");

        JsonNode put = ok("kinesis", "put-record", "--stream-name", "rs", "--partition-key", "pk", "--data", "ZA==");
        assertThat(put.path("ShardId").asText()).isIn("shardId-000000000001", "shardId-000000000002");
        ok("kinesis", "merge-shards", "--stream-name", "rs", "--shard-to-merge", "shardId-000000000001",
                "--adjacent-shard-to-merge", "shardId-000000000002");
        awaitStatus("rs", "ACTIVE");
        JsonNode scaled = ok("kinesis", "update-shard-count", "--stream-name", "rs", "--target-shard-count", "2",
                "--scaling-type", "UNIFORM_SCALING");
        assertThat(scaled.path("CurrentShardCount").asInt()).isEqualTo(1);
        assertThat(scaled.path("TargetShardCount").asInt()).isEqualTo(2);
        awaitStatus("rs", "ACTIVE");
        JsonNode open = ok("kinesis", "list-shards", "--stream-name", "rs", "--shard-filter", "Type=AT_LATEST");
        assertThat(open.path("Shards")).hasSize(2);
        assertThat(ok("kinesis", "list-shards", "--stream-name", "rs").path("Shards")).hasSize(6);

        Run tooFar = aws("kinesis", "update-shard-count", "--stream-name", "rs", "--target-shard-count", "5",
                "--scaling-type", "UNIFORM_SCALING");
        assertThat(tooFar.exit()).isNotZero();
        assertThat(tooFar.err()).contains("LimitExceededException").contains("double");
    }

    @Test
    void theAwsCliSignsForANodeWithAuthOnAndGetsAwsErrorsWhenItCannot() throws Exception {
        startSecured();
        ok("kinesis", "create-stream", "--stream-name", "signed", "--shard-count", "1");
        awaitStatus("signed", "ACTIVE");
        ok("kinesis", "put-record", "--stream-name", "signed", "--partition-key", "pk", "--data", "aGVsbG8=");

        keyId = SecurityFixtures.READER_KEY;
        secret = SecurityFixtures.READER_SECRET;
        assertThat(ok("kinesis", "list-streams").path("StreamNames").get(0).asText()).isEqualTo("signed");
        Run denied = aws("kinesis", "put-record", "--stream-name", "signed", "--partition-key", "pk", "--data", "aGVsbG8=");
        assertThat(denied.exit()).isNotZero();
        assertThat(denied.err()).contains("AccessDeniedException").contains("User: arn:aws:iam::123456789012:user/reader is "
                + "not authorized to perform: kinesis:PutRecord on resource: " + SecurityFixtures.streamArn("signed"));

        secret = "not-the-secret";
        assertThat(aws("kinesis", "list-streams").err()).contains("InvalidSignatureException");
        keyId = "AKIDUNKNOWN";
        assertThat(aws("kinesis", "list-streams").err()).contains("UnrecognizedClientException");
    }
}
