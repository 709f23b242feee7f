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

    private static Map<String, Long> counts(List<String> owners) {
        return owners.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }
}
