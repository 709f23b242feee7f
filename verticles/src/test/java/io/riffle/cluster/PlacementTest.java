package io.riffle.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PlacementTest {
    @Test
    void twelveShardsOnThreeEmptyNodesAreFourEachInTurn() {
        List<String> owners = Placement.owners(Map.of("c", 0, "a", 0, "b", 0), 12);

        assertThat(owners.subList(0, 3)).containsExactly("a", "b", "c");
        assertThat(counts(owners)).isEqualTo(Map.of("a", 4L, "b", 4L, "c", 4L));
    }

    @Test
    void theNodeWithFewestShardsTakesNewOnesCountingThoseJustPlaced() {
        assertThat(Placement.owners(Map.of("a", 5, "b", 0, "c", 2), 4)).containsExactly("b", "b", "b", "c");
    }

    @Test
    void aNodeThatJoinedLaterCatchesUpBeforeTheOthersGetMore() {
        Map<String, Integer> live = new LinkedHashMap<>();
        live.put("old-1", 4);
        live.put("old-2", 4);
        live.put("new", 0);

        assertThat(Placement.owners(live, 4)).containsOnly("new").hasSize(4);
        assertThat(counts(Placement.owners(live, 7))).isEqualTo(Map.of("new", 5L, "old-1", 1L, "old-2", 1L));
    }

    @Test
    void tiesGoToTheSmallestNodeIdWhateverTheMapOrder() {
        Map<String, Integer> reversed = new TreeMap<>(java.util.Comparator.reverseOrder());
        reversed.putAll(Map.of("n1", 1, "n2", 1, "n3", 1));

        assertThat(Placement.owners(reversed, 1)).containsExactly("n1");
        assertThat(Placement.owners(reversed, 3)).isEqualTo(Placement.owners(Map.of("n3", 1, "n1", 1, "n2", 1), 3));
    }

    @Test
    void placingNothingNeedsNoNodeButShardsNeedALiveOne() {
        assertThat(Placement.owners(Map.of(), 0)).isEmpty();
        assertThatThrownBy(() -> Placement.owners(Map.of(), 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("No live node");
        assertThatThrownBy(() -> Placement.owners(Map.of("a", -1), 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Placement.owners(Map.of("a", 0), -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void eachShardGetsTheReplicationFactorOnDistinctNodesLeaderFirstAndReplicasSpreadEvenly() {
        Map<String, Integer> none = Map.of("a", 0, "b", 0, "c", 0, "d", 0, "e", 0);
        List<List<String>> sets = Placement.replicas(none, Map.of(), 10, 3);

        assertThat(sets).hasSize(10).allSatisfy(set -> assertThat(set).hasSize(3).doesNotHaveDuplicates());
        assertThat(sets.stream().map(set -> set.get(0)).toList()).isEqualTo(Placement.owners(none, 10));
        // 30 replicas on 5 nodes: 6 each.
        assertThat(counts(sets.stream().flatMap(List::stream).toList())).containsOnlyKeys("a", "b", "c", "d", "e")
                .allSatisfy((node, count) -> assertThat(count).isEqualTo(6L));
        assertThat(Placement.replicas(Map.of("a", 0, "b", 0), Map.of(), 2, 1)).containsExactly(List.of("a"), List.of("b"));
    }

    @Test
    void replicasGoToDistinctZonesFirstEvenOverLessLoadedNodesOfAUsedZone() {
        Map<String, Integer> live = Map.of("a1", 0, "a2", 0, "a3", 0, "b1", 0, "c1", 0);
        Map<String, String> zones = Map.of("a1", "az-a", "a2", "az-a", "a3", "az-a", "b1", "az-b", "c1", "az-c");
        // b1 and c1 already hold many replicas: without zones the a-nodes would be picked.
        Map<String, Integer> held = Map.of("b1", 50, "c1", 50);

        for (List<String> set : Placement.replicas(live, held, zones, 6, 3)) {
            assertThat(set.stream().map(zones::get).distinct()).as("zones of %s", set).hasSize(3);
        }
        // With more replicas than zones, every zone first, then the least loaded.
        List<String> five = Placement.replicas(live, held, zones, 1, 5).get(0);
        assertThat(five.stream().map(zones::get).toList().subList(0, 3)).containsExactlyInAnyOrder("az-a", "az-b", "az-c");
        assertThat(five).containsExactlyInAnyOrder("a1", "a2", "a3", "b1", "c1");
    }

    @Test
    void nodesWithoutAZoneShareNoneAndTheNextReplicaAvoidsTheSetsZones() {
        Map<String, String> zones = Map.of("x", "z1", "y", "z1", "w", "");
        Map<String, Integer> candidates = Map.of("x", 0, "y", 0, "w", 9, "v", 5);

        assertThat(Placement.nextReplica(List.of("x"), candidates, zones)).contains("v");
        assertThat(Placement.nextReplica(List.of("x", "v"), candidates, zones)).contains("w");
        assertThat(Placement.nextReplica(List.of("x", "y", "v", "w"), candidates, zones)).isEmpty();
    }

    @Test
    void aReplicationFactorAboveTheLiveNodesIsRefused() {
        assertThatThrownBy(() -> Placement.replicas(Map.of("a", 0, "b", 0), Map.of(), 1, 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 replicas on 2 live nodes");
        assertThatThrownBy(() -> Placement.replicas(Map.of("a", 0), Map.of(), 1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static Map<String, Long> counts(List<String> owners) {
        return owners.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }
}
