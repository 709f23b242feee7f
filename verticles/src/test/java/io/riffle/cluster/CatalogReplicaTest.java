package io.riffle.cluster;

import static io.riffle.testing.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.bus.Addresses;
import io.riffle.model.HashKeyRange;
import io.riffle.model.SequenceNumber;
import io.riffle.model.ShardDescription;
import io.riffle.model.ShardId;
import io.riffle.model.ShardState;
import io.riffle.model.StreamDescription;
import io.riffle.model.StreamMode;
import io.riffle.model.StreamName;
import io.riffle.model.StreamStatus;
import io.riffle.shard.Codecs;
import io.riffle.stream.EngineConfig;
import io.riffle.stream.StreamJson;
import io.riffle.throttle.ThroughputLimits;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One node's catalog replica, sent snapshots as a catalog leader sends them: the log of a replica the catalog
 * moves off this node goes only once the leader tells the snapshot that moved it is committed.
 */
class CatalogReplicaTest {
    private static final String NODE = "n1";
    private static final String STREAM_ID = "0f0f0f0f-0000-0000-0000-000000000001";

    @TempDir
    Path dataDir;
    private Vertx vertx;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        Codecs.register(vertx.eventBus());
        await(vertx.deployVerticle(new CatalogReplica(EngineConfig.defaults(dataDir), NODE, "")));
    }

    @AfterEach
    void stop() {
        await(vertx.close());
    }

    /** A stream of one shard led by n2, with {@code replicas} (n2 first) at leader epoch {@code epoch}. */
    private static JsonObject record(List<String> replicas, long epoch) {
        ShardDescription shard = new ShardDescription(new ShardId(0), Optional.empty(), Optional.empty(),
                HashKeyRange.evenSplit(1).get(0), new SequenceNumber(0, 0), Optional.empty(), ShardState.OPEN);
        JsonObject description = StreamJson.toJson(new StreamDescription(StreamName.of("s"), StreamStatus.ACTIVE,
                StreamMode.PROVISIONED, 24, 1L, 1024, List.of(shard), List.of(), Map.of(), Set.of(), ThroughputLimits.OFF));
        description.remove("limits");
        JsonObject record = ReplicaSets.place(new JsonObject().put("description", description), List.of(0), List.of(replicas))
                .put("open", true).put("deleting", false).put(ReplicaSets.FACTOR, 2);
        record.getJsonObject("epochs").put("0", epoch);
        return record;
    }

    private JsonObject ask(JsonObject request) {
        return await(vertx.eventBus().<JsonObject>request(Addresses.catalogReplica(NODE), request)).body();
    }

    private void apply(long version, JsonObject record) {
        CatalogSnapshot snapshot = CatalogSnapshot.EMPTY.next(1, version, Set.of(NODE, "n2"), streams -> streams.put(STREAM_ID, record));
        assertThat(ask(new JsonObject().put("op", "apply").put("epoch", 1L).put("snapshot", snapshot.toJson())).getBoolean("ok")).isTrue();
    }

    private void committed(long version) {
        ask(new JsonObject().put("op", "committed").put("epoch", 1L).put("version", version));
    }

    private Path shardDir() {
        return dataDir.resolve("streams").resolve(STREAM_ID).resolve("shards").resolve("0");
    }

    @Test
    void aReplicaMovedOffKeepsItsLogUntilTheSnapshotThatMovedItIsCommitted() {
        apply(1, record(List.of("n2", NODE), 1));
        assertThat(shardDir()).isDirectory();

        apply(2, record(List.of("n2", "n3"), 2));
        // Stopped; but this change may not be on a majority (its leader cut off): a next leader may still count it.
        assertThat(shardDir()).isDirectory();
        committed(1);
        assertThat(shardDir()).as("a notice of an older snapshot").isDirectory();

        committed(2);
        assertThat(shardDir()).doesNotExist();
    }

    @Test
    void aReplicaPlacedHereAgainBeforeTheNoticeKeepsItsLog() {
        apply(1, record(List.of("n2", NODE), 1));
        apply(2, record(List.of("n2", "n3"), 2));
        apply(3, record(List.of("n2", "n3", NODE), 3));

        committed(3);

        assertThat(shardDir()).isDirectory();
    }
}
