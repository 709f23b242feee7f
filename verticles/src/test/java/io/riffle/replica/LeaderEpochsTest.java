package io.riffle.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaderEpochsTest {
    private static LeaderEpochs h(String wire) {
        return LeaderEpochs.decode(wire);
    }

    @Test
    void identicalLogsAgreeUpToTheShorterEnd() {
        assertThat(LeaderEpochs.divergence(h("1:0,2:40"), 60, h("1:0,2:40"), 50)).isEqualTo(50);
        assertThat(LeaderEpochs.divergence(h("1:0,2:40"), 45, h("1:0,2:40"), 50)).isEqualTo(45);
        assertThat(LeaderEpochs.divergence(LeaderEpochs.NONE, 0, LeaderEpochs.NONE, 0)).isEqualTo(0);
    }

    @Test
    void aFollowerWithAnotherLeadersTailIsCutWhereThatLeaderBegan() {
        // The follower led epoch 2 from offset 40 alone; the cluster went on at epoch 3 from the epoch-1 log.
        assertThat(LeaderEpochs.divergence(h("1:0,3:50"), 60, h("1:0,2:40"), 60)).isEqualTo(40);
        // It missed epoch 3 entirely and holds epoch-1 records beyond where epoch 3 began on the leader.
        assertThat(LeaderEpochs.divergence(h("1:0,3:50"), 70, h("1:0"), 55)).isEqualTo(50);
        // Behind, with nothing of its own: nothing to cut.
        assertThat(LeaderEpochs.divergence(h("1:0,3:50"), 70, h("1:0"), 30)).isEqualTo(30);
    }

    @Test
    void anEpochWithoutRecordsCutsNothing() {
        assertThat(LeaderEpochs.divergence(h("1:0,4:10"), 10, h("1:0,3:10"), 10)).isEqualTo(10);
    }

    @Test
    void aLeaderStartsItsEpochAtItsEnd() {
        LeaderEpochs led = h("1:0").with(2, 40);
        assertThat(led.encode()).isEqualTo("1:0,2:40");
        assertThat(led.with(2, 40)).isEqualTo(led);
        assertThat(led.lastEpoch()).isEqualTo(2);
        assertThatThrownBy(() -> led.with(1, 50)).isInstanceOf(IllegalArgumentException.class);
        // An epoch that wrote nothing is replaced by the next one starting at the same offset.
        assertThat(led.with(3, 40).encode()).isEqualTo("1:0,3:40");
    }

    @Test
    void upToDropsEpochsWithoutRecordsBelowTheEndThroughKeepsTheOneStartingThere() {
        LeaderEpochs e = h("1:0,2:40,5:60");
        assertThat(e.upTo(60).encode()).isEqualTo("1:0,2:40");
        assertThat(e.through(60).encode()).isEqualTo("1:0,2:40,5:60");
        assertThat(e.upTo(40).encode()).isEqualTo("1:0");
        assertThat(e.through(0).encode()).isEqualTo("1:0");
    }

    @Test
    void refusesHistoriesThatDoNotAscend() {
        assertThatThrownBy(() -> h("2:0,1:5")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h("1:10,2:5")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void survivesARoundTripThroughItsFile(@TempDir Path dir) throws IOException {
        assertThat(LeaderEpochs.read(dir)).isEqualTo(LeaderEpochs.NONE);
        h("1:0,3:17").write(dir);
        assertThat(LeaderEpochs.read(dir).encode()).isEqualTo("1:0,3:17");
        assertThat(Files.readString(dir.resolve(LeaderEpochs.FILE))).isEqualTo("v1 1 0 3 17\n");
        Files.writeString(dir.resolve(LeaderEpochs.FILE), "v9 1 0\n");
        assertThatThrownBy(() -> LeaderEpochs.read(dir)).isInstanceOf(IOException.class);
    }
}
