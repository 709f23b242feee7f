package io.riffle.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcessCpuTest {
    @Test
    void readsUserPlusSystemTimeAfterACommandNameWithSpacesAndParentheses() {
        // fields 3..15 after the name: state, ppid, pgrp, session, tty, tpgid, flags, minflt, cminflt, majflt,
        // cmajflt, utime = 1234 ticks, stime = 66 ticks
        String stat = "4242 (java (my) node) S 1 4242 4242 0 -1 4194304 100 0 0 0 1234 66 0 0 20 0 40 0 9 0";
        assertThat(ProcessCpu.parse(stat)).isEqualTo(13.0);
    }

    @Test
    void thisProcessHasUsedSomeCpuAndAnUnknownPidReadsAsUnknown() {
        assertThat(ProcessCpu.seconds(ProcessHandle.current().pid())).isGreaterThan(0);
        assertThat(ProcessCpu.seconds(0)).isEqualTo(-1);
        assertThat(ProcessCpu.seconds(Long.MAX_VALUE)).isEqualTo(-1);
    }

    @Test
    void perMillionIsUnknownWithoutCpuOrRecords() {
        assertThat(ProcessCpu.perMillion(2.0, 4_000_000)).isEqualTo(0.5);
        assertThat(ProcessCpu.perMillion(-1, 4_000_000)).isEqualTo(-1);
        assertThat(ProcessCpu.perMillion(2.0, 0)).isEqualTo(-1);
    }

    @Test
    void theColdWindowIsTenSecondsUnlessSet() {
        assertThat(LoadOptions.parse(new String[0]).coldSeconds()).isEqualTo(10);
        assertThat(LoadOptions.parse(new String[] {"--cold", "0"}).coldSeconds()).isZero();
    }
}
