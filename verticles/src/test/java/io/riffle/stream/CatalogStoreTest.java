package io.riffle.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.model.HashKeyRange;
import io.riffle.model.SequenceNumber;
import io.riffle.model.ShardDescription;
import io.riffle.model.ShardId;
import io.riffle.model.ShardState;
import io.riffle.model.StreamDescription;
import io.riffle.model.StreamMode;
import io.riffle.model.StreamName;
import io.riffle.model.StreamStatus;
import io.riffle.throttle.ThroughputLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The catalog's files without an event loop: directories, markers, versions. */
class CatalogStoreTest {
    @TempDir
    Path dataDir;

    private static StreamDescription stream(String name) {
        ShardDescription shard = new ShardDescription(new ShardId(0), Optional.empty(), Optional.empty(),
                HashKeyRange.evenSplit(1).get(0), new SequenceNumber(0, 0), Optional.empty(), ShardState.OPEN);
        return new StreamDescription(StreamName.of(name), StreamStatus.CREATING, StreamMode.PROVISIONED, 24, 1L, 1024,
                List.of(shard), List.of(), Map.of("team", "a"), Set.of(), ThroughputLimits.KINESIS);
    }

    @Test
    void eachCreationGetsAFreshDirectoryWithDurableMetadataAndNoMarker() throws IOException {
        CatalogStore store = new CatalogStore(dataDir);
        Path first = store.create(stream(".."), Optional.empty());
        Path second = store.create(stream(".."), Optional.of(ThroughputLimits.OFF));
        assertThat(first).isNotEqualTo(second).hasParent(dataDir.resolve("streams"));
        assertThat(first.resolve(CatalogStore.CREATING_MARKER)).doesNotExist();
        assertThat(first.resolve("stream.json")).content().contains("\"formatVersion\" : 1").contains("\"name\" : \"..\"")
                .contains("\"status\" : \"ACTIVE\"").doesNotContain("ownLimits");
        assertThat(second.resolve("stream.json")).content().contains("ownLimits");
    }

    @Test
    void removeDeletesOneDirectoryAndNothingBesideIt() throws IOException {
        CatalogStore store = new CatalogStore(dataDir);
        Path kept = store.create(stream("kept"), Optional.empty());
        Path gone = store.create(stream("gone"), Optional.empty());
        Files.createDirectories(CatalogStore.shardDir(gone, new ShardId(0)));
        Files.writeString(CatalogStore.shardDir(gone, new ShardId(0)).resolve("00000000000000000000.log"), "x");
        store.remove(gone);
        assertThat(gone).doesNotExist();
        assertThat(kept.resolve("stream.json")).exists();
        assertThat(store.load(ThroughputLimits.KINESIS)).extracting(s -> s.description().name().value()).containsExactly("kept");
    }

    @Test
    void loadRemovesShardLogsTheCatalogDoesNotHaveAndLeavesOtherDirectoriesAlone() throws IOException {
        CatalogStore store = new CatalogStore(dataDir);
        Path dir = store.create(stream("orders"), Optional.empty());
        for (int index : new int[] {0, 3}) {
            Files.createDirectories(CatalogStore.shardDir(dir, new ShardId(index)));
            Files.writeString(CatalogStore.shardDir(dir, new ShardId(index)).resolve("00000000000000000000.log"), "x");
        }
        Path notAShard = Files.createDirectories(dir.resolve("shards").resolve("03"));
        assertThat(store.load(ThroughputLimits.KINESIS)).hasSize(1);
        // Shard 3 is not in the catalog: an expired shard whose removal, or a reshard that, was cut short.
        assertThat(CatalogStore.shardDir(dir, new ShardId(3))).doesNotExist();
        assertThat(CatalogStore.shardDir(dir, new ShardId(0)).resolve("00000000000000000000.log")).exists();
        assertThat(notAShard).exists();
    }

    @Test
    void recentRateLimitedChangesAreKeptInTheMetadata() throws IOException {
        CatalogStore store = new CatalogStore(dataDir);
        io.riffle.model.DailyChanges changes = new io.riffle.model.DailyChanges(List.of(5L, 7L), List.of(6L));
        store.create(stream("orders").withDailyChanges(changes), Optional.empty());
        assertThat(store.load(ThroughputLimits.KINESIS).get(0).description().dailyChanges()).isEqualTo(changes);
    }

    @Test
    void twoDirectoriesClaimingOneStreamStopTheLoadAndBothAreKept() throws IOException {
        CatalogStore store = new CatalogStore(dataDir);
        Path a = store.create(stream("twin"), Optional.empty());
        Path b = store.create(stream("twin"), Optional.empty());
        assertThatThrownBy(() -> store.load(ThroughputLimits.KINESIS)).isInstanceOf(IOException.class)
                .hasMessageContaining("both hold stream twin");
        assertThat(a.resolve("stream.json")).exists();
        assertThat(b.resolve("stream.json")).exists();
    }

    @Test
    void loadedStreamsAreActiveWithTheNodesLimitsUnlessTheyHaveTheirOwn() throws IOException {
        CatalogStore store = new CatalogStore(dataDir);
        store.create(stream("follows"), Optional.empty());
        store.create(stream("own"), Optional.of(ThroughputLimits.OFF));
        List<StreamHosting.Stored> loaded = store.load(ThroughputLimits.KINESIS);
        assertThat(loaded).allMatch(s -> s.description().status() == StreamStatus.ACTIVE);
        assertThat(loaded).filteredOn(s -> s.description().name().value().equals("own"))
                .singleElement().satisfies(s -> {
                    assertThat(s.ownLimits()).contains(ThroughputLimits.OFF);
                    assertThat(s.description().limits()).isEqualTo(ThroughputLimits.OFF);
                });
        assertThat(loaded).filteredOn(s -> s.description().name().value().equals("follows"))
                .singleElement().satisfies(s -> assertThat(s.description().limits()).isEqualTo(ThroughputLimits.KINESIS));
    }
}
