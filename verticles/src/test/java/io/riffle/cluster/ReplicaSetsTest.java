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

    @Test
    void droppingEveryShardLeavesNoMoveBehind() {
        JsonObject record = twoShardsMovingToD();

        ReplicaSets.drop(record, List.of(0, 1));

        assertThat(ReplicaSets.shards(record)).isEmpty();
        assertThat(record.getJsonObject("moves")).isEmpty();
        assertThat(record.getJsonObject("epochs")).isEmpty();
    }
}
