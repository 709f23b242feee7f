package io.riffle.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.riffle.throttle.ThroughputLimits;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's per-shard buckets, as Kinesis clients see them: per-record failures and throttling errors. */
class KinesisThrottlingTest {
    @TempDir
    Path dataDir;
    private KinesisTestNode node;
    private RawKinesis kinesis;

    @BeforeEach
    void start() {
        node = KinesisTestNode.start(dataDir, ThroughputLimits.KINESIS, Clock.systemUTC());
        kinesis = new RawKinesis(node.endpoint());
        kinesis.json("CreateStream", "{\"StreamName\":\"hot\",\"ShardCount\":1}");
        kinesis.awaitActive("hot");
    }

    @AfterEach
    void stop() {
        node.close();
    }

    @Test
    void recordsBeyondAShardsWriteLimitFailOneByOneInPutRecords() {
        StringBuilder records = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            records.append(i == 0 ? "" : ",").append("{\"PartitionKey\":\"k\",\"Data\":\"AA==\"}");
        }
        // 3000 records at once against 1000 records/s: some are refused, each with its own error.
        List<CompletableFuture<RawKinesis.Answer>> inFlight = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            inFlight.add(kinesis.jsonAsync("PutRecords", "{\"StreamName\":\"hot\",\"Records\":[" + records + "]}"));
        }
        List<JsonNode> answers = inFlight.stream().map(f -> f.join().body()).toList();
        int failed = answers.stream().mapToInt(a -> a.path("FailedRecordCount").asInt()).sum();
        assertThat(failed).isPositive();
        JsonNode refused = answers.stream().flatMap(a -> java.util.stream.StreamSupport.stream(a.path("Records").spliterator(), false))
                .filter(r -> r.has("ErrorCode")).findFirst().orElseThrow();
        assertThat(refused.path("ErrorCode").asText()).isEqualTo("ProvisionedThroughputExceededException");
        assertThat(refused.path("ErrorMessage").asText()).contains("hot");
        assertThat(refused.has("SequenceNumber")).isFalse();
    }

    @Test
    void pollingReadsBeyondFivePerSecondAreThrottled() {
        String iterator = kinesis.json("GetShardIterator",
                "{\"StreamName\":\"hot\",\"ShardId\":\"shardId-000000000000\",\"ShardIteratorType\":\"LATEST\"}")
                .body().path("ShardIterator").asText();
        List<CompletableFuture<RawKinesis.Answer>> inFlight = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            inFlight.add(kinesis.jsonAsync("GetRecords", "{\"ShardIterator\":\"" + iterator + "\"}"));
        }
        List<String> types = inFlight.stream().map(CompletableFuture::join)
                .map(a -> a.status() == 200 ? "ok" : a.status() + " " + a.type()).toList();
        assertThat(types).contains("ok", "400 ProvisionedThroughputExceededException");
    }
}
