package io.riffle.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The failing time two real Hazelcast members share (each as a node's {@link CpMembership} would use it): a
 * node that counts from later inherits the earliest time, an outage that ended or a reset stops old time
 * from counting, and a node whose Hazelcast is gone keeps its own count.
 */
class CpOutageTest {
    private HazelcastInstance first;
    private HazelcastInstance second;

    @AfterEach
    void stop() {
        Hazelcast.shutdownAll();
    }

    private void startTwoMembers() throws Exception {
        int[] ports = ClusterIT.freePorts(2);
        String members = Arrays.stream(ports).mapToObj(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
        HazelcastInstance[] started = new HazelcastInstance[2];
        for (int i = 0; i < 2; i++) {
            ClusterConfig cluster = NodeConfig.load(new String[] {"--cluster", "true", "--cluster-name", "cp-outage-test",
                    "--cluster-port", String.valueOf(ports[i]), "--cluster-members", members}, Map.of()).cluster();
            started[i] = Hazelcast.newHazelcastInstance(ClusterBoot.hazelcastConfig(cluster));
        }
        first = started[0];
        second = started[1];
        assertThat(second.getCluster().getMembers()).hasSize(2);
    }

    @Test
    void theEarliestFailingTimeIsSharedUntilTheOutageEndsOrAResetAndWithoutHazelcastANodeKeepsItsOwn() throws Exception {
        startTwoMembers();
        CpOutage one = new CpOutage(first);
        CpOutage other = new CpOutage(second);

        // A node that began failing later (it restarted, say) counts from the other's earlier time.
        assertThat(one.failingSince(1_000)).isEqualTo(1_000);
        assertThat(other.failingSince(5_000)).isEqualTo(1_000);
        // Whichever began first wins, from either side.
        assertThat(other.failingSince(500)).isEqualTo(500);
        assertThat(one.failingSince(1_000)).isEqualTo(500);

        // Answered again: the shared time is gone, each counts from its own.
        one.ended();
        assertThat(other.failingSince(5_000)).isEqualTo(5_000);

        // After a reset at 7000, no failing time from before it counts, the shared one nor a node's own.
        one.reset(7_000);
        assertThat(other.failingSince(5_000)).isEqualTo(7_000);
        assertThat(one.failingSince(6_000)).isEqualTo(7_000);
        assertThat(one.failingSince(9_000)).isEqualTo(7_000);

        // Hazelcast stopped: the node's own count, at once.
        second.shutdown();
        assertThat(other.failingSince(42)).isEqualTo(42);
    }
}
