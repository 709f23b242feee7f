package io.riffle.fault;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short fault run: three child-JVM nodes, producers on the native and the Kinesis API, a GetRecords and a
 * WebSocket consumer, and one fault of each kind (kill -9, pause, partition, restart) over about 50 s. With
 * today's cluster (one owner per shard) a fault makes its node's shards unavailable but must lose, reorder or
 * invent nothing. Every fault hits the same node: faults on two nodes in a row can leave today's CP group
 * without a majority (see load-tests/RELIABILITY.md), and the run would then need a whole-cluster restart
 * (which it does, but that makes it too slow for every build). The report is kept in
 * target/fault-report.md, the nodes' logs in target/fault-logs.
 */
class FaultHarnessIT {
    @TempDir
    Path dir;

    @Test
    void faultsLoseNoAcknowledgedRecordReorderNoKeyAndInventNothing() throws Exception {
        FaultRun.Options options = FaultRun.Options.parse("--nodes", "3", "--shards", "6", "--duration", "48",
                "--nemesis", "kill,pause,partition,restart", "--hold", "6", "--quiet", "3", "--target", "1", "--seed", "10");
        FaultRun.Outcome out = FaultRun.run(options, dir);
        Files.writeString(Path.of("target", "fault-report.md"), out.markdown());
        System.out.println(out.markdown());

        Checker.Result r = out.result();
        assertThat(r.faults()).as(out.markdown()).extracting(History.Fault::kind)
                .startsWith("kill", "pause", "partition", "restart");
        assertThat(r.acknowledged()).as(out.markdown()).isPositive();
        assertThat(r.lost()).as(out.markdown()).isZero();
        assertThat(r.misplaced()).as(out.markdown()).isZero();
        assertThat(r.unacknowledgedReads()).as(out.markdown()).isZero();
        assertThat(r.orderViolations()).as(out.markdown()).isZero();
    }

    /** The nodes' logs outlive the temp dir, in target/fault-logs. */
    @AfterEach
    void keepLogs() throws java.io.IOException {
        Path logs = Files.createDirectories(Path.of("target", "fault-logs"));
        try (var files = Files.list(dir)) {
            for (Path log : files.filter(f -> f.toString().endsWith(".log")).toList()) {
                Files.copy(log, logs.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
