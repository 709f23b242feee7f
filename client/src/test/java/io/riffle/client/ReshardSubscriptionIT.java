package io.riffle.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;

/**
 * A subscription follows the lineage by itself: one key's records put across a split and a merge arrive
 * complete and in order, each parent's before its children's.
 */
@Timeout(120)
class ReshardSubscriptionIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dataDir;
    private TestNode node;
    private RiffleClient client;

    @AfterEach
    void tearDown() {
        if (client != null) {
            client.close();
        }
        if (node != null) {
            node.close();
        }
    }

    private void put(String key, int from, int to) {
        for (int i = from; i < to; i++) {
            client.put("rs", key, Integer.toString(i).getBytes(StandardCharsets.UTF_8)).block(WAIT);
        }
    }

    private static List<String> values(List<Record> records, String key) {
        return records.stream().filter(r -> r.partitionKey().equals(key))
                .map(r -> new String(r.data(), StandardCharsets.UTF_8)).toList();
    }

    private static List<String> range(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Integer.toString(i));
        }
        return out;
    }

    @Test
    void aSubscriptionFollowsOneKeyInOrderAcrossASplitAndAMerge() throws Exception {
        node = TestNode.start(dataDir, "--throttling", "false");
        client = RiffleClient.create(RiffleClientOptions.local(node.port()).withMaxAttempts(1000));
        client.createStream(StreamSpec.of("rs", 1)).block(WAIT);
        client.registerConsumer("rs", "app").block(WAIT);
        List<Record> received = new CopyOnWriteArrayList<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        Disposable sub = client.subscribe("rs", "app", StartPosition.TRIM_HORIZON).subscribe(received::add, errors::add);
        try {
            put("a", 0, 50);
            put("b", 0, 50);
            StreamInfo split = client.splitShard("rs", "shardId-000000000000", Optional.empty()).block(WAIT);
            assertThat(split.shardIds()).contains("shardId-000000000001", "shardId-000000000002");
            put("a", 50, 100);
            put("b", 50, 100);
            client.mergeShards("rs", "shardId-000000000001", "shardId-000000000002").block(WAIT);
            put("a", 100, 150);
            put("b", 100, 150);
            for (int i = 0; i < 600 && received.size() < 300 && errors.isEmpty(); i++) {
                Thread.sleep(50);
            }
        } finally {
            sub.dispose();
        }
        assertThat(errors).isEmpty();
        assertThat(values(received, "a")).containsExactlyElementsOf(range(150));
        assertThat(values(received, "b")).containsExactlyElementsOf(range(150));
        // Parent before child: every record of shard 0 comes before any of its descendants'.
        int lastOfParent = -1;
        int firstOfMerged = received.size();
        for (int i = 0; i < received.size(); i++) {
            String shard = received.get(i).shardId();
            if (shard.equals("shardId-000000000000")) {
                lastOfParent = i;
            } else if (shard.equals("shardId-000000000003")) {
                firstOfMerged = Math.min(firstOfMerged, i);
            }
        }
        assertThat(lastOfParent).isEqualTo(99);
        assertThat(firstOfMerged).isEqualTo(200);
    }

    @Test
    void shardCountAndModeChangeThroughTheNativeApiWithKinesissErrors() {
        node = TestNode.start(dataDir, "--throttling", "false");
        client = RiffleClient.create(RiffleClientOptions.local(node.port()).withMaxAttempts(1));
        client.createStream(StreamSpec.of("rs", 2)).block(WAIT);
        StreamInfo scaled = client.updateShardCount("rs", 4).block(WAIT);
        assertThat(scaled.status()).isEqualTo("ACTIVE");
        assertThat(scaled.openShardCount()).isEqualTo(4);
        assertThat(scaled.shardIds()).hasSize(6);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.updateShardCount("rs", 9).block(WAIT))
                .isInstanceOfSatisfying(io.riffle.error.RiffleException.class,
                        e -> assertThat(e.code()).isEqualTo(io.riffle.error.ErrorCode.LIMIT_EXCEEDED));
        assertThat(client.setStreamMode("rs", "ON_DEMAND").block(WAIT).openShardCount()).isEqualTo(4);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.splitShard("rs", "shardId-000000000002",
                        Optional.empty()).block(WAIT))
                .isInstanceOfSatisfying(io.riffle.error.RiffleException.class,
                        e -> assertThat(e.code()).isEqualTo(io.riffle.error.ErrorCode.VALIDATION));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.mergeShards("rs", "shardId-000000000000",
                        "shardId-000000000001").block(WAIT))
                .isInstanceOfSatisfying(io.riffle.error.RiffleException.class,
                        e -> assertThat(e.code()).isEqualTo(io.riffle.error.ErrorCode.VALIDATION));
    }

    @Test
    void aSubscriptionResumedAfterARestartGoesOnFromTheClosedParentToItsChildrenWithoutGapOrDuplicate() throws Exception {
        node = TestNode.start(dataDir, "--throttling", "false");
        client = RiffleClient.create(RiffleClientOptions.local(node.port()).withMaxAttempts(1000));
        client.createStream(StreamSpec.of("rs", 1)).block(WAIT);
        client.registerConsumer("rs", "app").block(WAIT);
        List<Record> received = new CopyOnWriteArrayList<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        Disposable sub = client.subscribe("rs", "app", StartPosition.TRIM_HORIZON).subscribe(received::add, errors::add);
        try {
            put("a", 0, 40);
            client.splitShard("rs", "shardId-000000000000", Optional.empty()).block(WAIT);
            put("a", 40, 80);
            for (int i = 0; i < 600 && received.size() < 80 && errors.isEmpty(); i++) {
                Thread.sleep(50);
            }
            // The client resumes with a position in the closed parent and one in the child "a" went to.
            node.restart();
            put("a", 80, 120);
            for (int i = 0; i < 600 && received.size() < 120 && errors.isEmpty(); i++) {
                Thread.sleep(50);
            }
        } finally {
            sub.dispose();
        }
        assertThat(errors).isEmpty();
        assertThat(values(received, "a")).containsExactlyElementsOf(range(120));
    }
}
