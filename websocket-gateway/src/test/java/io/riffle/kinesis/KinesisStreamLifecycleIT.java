package io.riffle.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.node.RunningNode;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streams through the Kinesis API on a real node: names a file system would misread, restarts, and the
 * CREATING / ACTIVE / DELETING states Kinesis clients wait on.
 */
@Timeout(120)
class KinesisStreamLifecycleIT {
    private static final List<String> AWKWARD = List.of(".", "..", "...", "-", "_", ".".repeat(128));

    @TempDir
    Path dataDir;

    private static RawKinesis kinesis(RunningNode node) {
        return new RawKinesis(URI.create("http://127.0.0.1:" + node.port()));
    }

    private static String stream(String name) {
        return "{\"StreamName\":\"" + name + "\"}";
    }

    private static RawKinesis.Answer put(RawKinesis k, String name, String base64) {
        return k.json("PutRecord", "{\"StreamName\":\"" + name + "\",\"PartitionKey\":\"k\",\"Data\":\"" + base64 + "\"}");
    }

    private static List<String> records(RawKinesis k, String name) {
        String it = k.json("GetShardIterator", "{\"StreamName\":\"" + name
                + "\",\"ShardId\":\"shardId-000000000000\",\"ShardIteratorType\":\"TRIM_HORIZON\"}").body().path("ShardIterator").asText();
        var answer = k.json("GetRecords", "{\"ShardIterator\":\"" + it + "\"}");
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
        return answer.body().path("Records").findValuesAsText("Data");
    }

    private static void create(RawKinesis k, String name) {
        var created = k.json("CreateStream", "{\"StreamName\":\"" + name + "\",\"ShardCount\":1}");
        assertThat(created.status()).as(created.body().toString()).isEqualTo(200);
    }

    @Test
    void everyValidNameLivesThroughCreatePutRestartAndDeleteWithoutTouchingOtherStreams() {
        try (RunningNode node = RunningNode.start(dataDir)) {
            RawKinesis k = kinesis(node);
            create(k, "orders");
            k.awaitActive("orders");
            assertThat(put(k, "orders", "a2VwdA==").status()).isEqualTo(200);
            for (String name : AWKWARD) {
                create(k, name);
                k.awaitActive(name);
                assertThat(put(k, name, "AA==").status()).isEqualTo(200);
            }
            node.restart();
            k = kinesis(node);
            for (String name : AWKWARD) {
                assertThat(records(k, name)).as(name).containsExactly("AA==");
                assertThat(k.json("DeleteStream", stream(name)).status()).isEqualTo(200);
                k.awaitStatus(name, "ResourceNotFoundException");
            }
            node.restart();
            k = kinesis(node);
            var names = k.json("ListStreams", "{}").body().path("StreamNames");
            assertThat(names).hasSize(1);
            assertThat(names.get(0).asText()).isEqualTo("orders");
            assertThat(records(k, "orders")).containsExactly("a2VwdA==");
        }
    }

    @Test
    void kinesisClientsSeeCreatingThenActiveThenDeleting() {
        // A transition far longer than the test, so each state is there when the test looks.
        try (RunningNode node = RunningNode.start(dataDir, "--stream-transition-millis", "60000")) {
            RawKinesis k = kinesis(node);
            create(k, "..");
            k.awaitStatus("..", "CREATING");
            assertThat(k.json("DescribeStream", stream("..")).body().path("StreamDescription").path("Shards")).isEmpty();
            assertThat(put(k, "..", "AA==").type()).isEqualTo("ResourceNotFoundException");
            assertThat(k.json("AddTagsToStream", "{\"StreamName\":\"..\",\"Tags\":{\"a\":\"b\"}}").type())
                    .isEqualTo("ResourceInUseException");

            // An answered CreateStream is durable; a restarted node has the stream, ACTIVE at once.
            node.restart();
            k = kinesis(node);
            k.awaitStatus("..", "ACTIVE");
            assertThat(k.json("DescribeStream", stream("..")).body().path("StreamDescription").path("Shards")).hasSize(1);
            assertThat(put(k, "..", "AA==").status()).isEqualTo(200);

            assertThat(k.json("DeleteStream", stream("..")).status()).isEqualTo(200);
            k.awaitStatus("..", "DELETING");
            assertThat(put(k, "..", "AA==").type()).isEqualTo("ResourceNotFoundException");
            node.restart();
            k = kinesis(node);
            k.awaitStatus("..", "ResourceNotFoundException");
        }
    }
}
