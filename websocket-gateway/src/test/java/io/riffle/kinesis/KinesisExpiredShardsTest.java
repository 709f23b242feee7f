package io.riffle.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.riffle.testing.MutableClock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Through the Kinesis API, with an injected clock: a parent whose records all expired is gone as in AWS, and
 * resharding calls over AWS's per-account rate are LimitExceededException.
 */
class KinesisExpiredShardsTest {
    private static final String PARENT = "shardId-000000000000";

    @TempDir
    Path dataDir;
    private final MutableClock clock = new MutableClock(System.currentTimeMillis());
    private KinesisTestNode node;
    private RawKinesis kinesis;

    @BeforeEach
    void start() {
        node = KinesisTestNode.startOnClock(dataDir, clock);
        kinesis = new RawKinesis(node.endpoint());
    }

    @AfterEach
    void stop() {
        node.close();
    }

    private List<String> listedShards() {
        List<String> ids = new ArrayList<>();
        kinesis.json("ListShards", "{\"StreamName\":\"s\",\"ShardFilter\":{\"Type\":\"FROM_TRIM_HORIZON\"}}")
                .body().path("Shards").forEach(s -> ids.add(s.path("ShardId").asText()));
        return ids;
    }

    @Test
    void aParentPastTheRetentionPeriodIsNotListedNorReadableAndItsChildrenStillNameIt() throws Exception {
        assertThat(kinesis.json("CreateStream", "{\"StreamName\":\"s\",\"ShardCount\":1}").status()).isEqualTo(200);
        kinesis.awaitActive("s");
        kinesis.json("PutRecord", "{\"StreamName\":\"s\",\"PartitionKey\":\"k\",\"Data\":\"AA==\"}");
        assertThat(kinesis.json("SplitShard", "{\"StreamName\":\"s\",\"ShardToSplit\":\"" + PARENT
                + "\",\"NewStartingHashKey\":\"170141183460469231731687303715884105728\"}").status()).isEqualTo(200);
        kinesis.awaitActive("s");
        assertThat(kinesis.json("ListShards", "{\"StreamName\":\"s\"}").body().path("Shards")).hasSize(3);

        clock.advance(24 * 3_600_000L + 1);
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (listedShards().contains(PARENT) || kinesis.json("DescribeStream", "{\"StreamName\":\"s\"}").body()
                .path("StreamDescription").path("Shards").size() != 2) {
            assertThat(System.nanoTime()).as("the parent left the stream within 15 s").isLessThan(deadline);
            Thread.sleep(50);
        }
        JsonNode shards = kinesis.json("ListShards", "{\"StreamName\":\"s\"}").body().path("Shards");
        assertThat(shards).hasSize(2);
        shards.forEach(s -> assertThat(s.path("ParentShardId").asText()).isEqualTo(PARENT));
        var iterator = kinesis.json("GetShardIterator", "{\"StreamName\":\"s\",\"ShardId\":\"" + PARENT
                + "\",\"ShardIteratorType\":\"TRIM_HORIZON\"}");
        assertThat(iterator.status()).isEqualTo(400);
        assertThat(iterator.type()).isEqualTo("ResourceNotFoundException");
    }

    /** SplitShard of shard {@code i} of six, a little above its starting hash key. */
    private RawKinesis.Answer splitShardOfSix(int i) {
        java.math.BigInteger key = io.riffle.model.HashKeyRange.evenSplit(6).get(i).start().add(java.math.BigInteger.TEN);
        return kinesis.json("SplitShard", "{\"StreamName\":\"s\",\"ShardToSplit\":\"shardId-00000000000" + i
                + "\",\"NewStartingHashKey\":\"" + key + "\"}");
    }

    @Test
    void aSixthSplitShardInOneSecondIsALimitExceededException() {
        assertThat(kinesis.json("CreateStream", "{\"StreamName\":\"s\",\"ShardCount\":6}").status()).isEqualTo(200);
        kinesis.awaitActive("s");
        // The engine's clock stands still: all six calls fall in one second.
        for (int i = 0; i < 5; i++) {
            assertThat(splitShardOfSix(i).status()).isEqualTo(200);
            kinesis.awaitActive("s");
        }
        var refused = splitShardOfSix(5);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.type()).isEqualTo("LimitExceededException");
        assertThat(refused.body().path("message").asText()).isEqualTo("Rate exceeded for SplitShard: at most 5 calls per second per account.");
        clock.advance(1_000);
        assertThat(splitShardOfSix(5).status()).isEqualTo(200);
        // Let the split finish before the node stops (a stop in the middle of a reshard can wait past close's timeout).
        kinesis.awaitActive("s");
    }
}
