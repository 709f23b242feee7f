package io.riffle.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplicaSetsTest {
    private static JsonObject twoShardsMovingToD() {
        JsonObject record = ReplicaSets.place(new JsonObject(), List.of(0, 1), List.of(List.of("a", "b", "c"), List.of("b", "c", "a")));
        ReplicaSets.startMove(record, 0, new ReplicaSets.Move("d", "a"));
        return ReplicaSets.startMove(record, 1, new ReplicaSets.Move("d", "a"));
    }

    @Test
    void droppingAShardEndsItsMoveAndOnlyItsOwn() {
        JsonObject record = twoShardsMovingToD();

        ReplicaSets.drop(record, List.of(1));

        assertThat(ReplicaSets.shards(record)).containsExactly(0);
        assertThat(ReplicaSets.move(record, 1)).isEmpty();
        assertThat(record.getJsonObject("moves").fieldNames()).containsExactly("0");
        assertThat(ReplicaSets.move(record, 0)).contains(new ReplicaSets.Move("d", "a"));
        assertThat(ReplicaSets.learners(record, 0)).containsExactly("d");
    }

    /** Only a new leader raises the epoch; a membership step changes the placement, which changes are compared on. */
    @Test
    void aMovesMembershipStepsKeepTheEpochButChangeThePlacementAndTheHandOffRaisesIt() {
        JsonObject record = twoShardsMovingToD();
        ReplicaSets.ShardPlacement learning = ReplicaSets.placement(record, 0);

        ReplicaSets.reconfigure(record, 0, List.of("a", "b", "c", "d"));
        ReplicaSets.ShardPlacement grown = ReplicaSets.placement(record, 0);
        ReplicaSets.lead(record, 0, "d");
        ReplicaSets.ShardPlacement handedOff = ReplicaSets.placement(record, 0);
        ReplicaSets.endMove(ReplicaSets.reconfigure(record, 0, List.of("b", "c", "d")), 0);

        assertThat(learning.epoch()).isEqualTo(1);
        assertThat(grown.epoch()).isEqualTo(1);
        assertThat(grown).isNotEqualTo(learning);
        assertThat(handedOff.epoch()).isEqualTo(2);
        assertThat(ReplicaSets.placement(record, 0)).isEqualTo(new ReplicaSets.ShardPlacement("d", 2, List.of("b", "c", "d"), java.util.Optional.empty()));
        assertThat(ReplicaSets.epoch(record, 1)).isEqualTo(1);
    }

    @Test
    void droppingEveryShardLeavesNoMoveBehind() {
        JsonObject record = twoShardsMovingToD();

        ReplicaSets.drop(record, List.of(0, 1));

        assertThat(ReplicaSets.shards(record)).isEmpty();
        assertThat(record.getJsonObject("moves")).isEmpty();
        assertThat(record.getJsonObject("epochs")).isEmpty();
    }
}
