package io.riffle.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FailoverTest {
    @Test
    void anElectionNeedsTheAnswersThatOverlapEveryCommitQuorum() {
        assertThat(Failover.voters(1)).isEqualTo(1);
        assertThat(Failover.voters(2)).isEqualTo(1);
        assertThat(Failover.voters(3)).isEqualTo(2);
        assertThat(Failover.voters(4)).isEqualTo(2);
        assertThat(Failover.voters(5)).isEqualTo(3);
    }

    @Test
    void theVotersAndEveryCommitQuorumOverlapAndTheRestCannotCommit() {
        for (int n = 1; n <= 6; n++) {
            int quorum = n / 2 + 1;
            // Any voters share a replica with any quorum: a committed record is among the answers.
            assertThat(Failover.voters(n) + quorum).as("n=%d", n).isGreaterThan(n);
            // The replicas that did not vote are too few to commit for the old leader.
            assertThat(n - Failover.voters(n)).as("n=%d", n).isLessThan(quorum);
        }
    }
}
