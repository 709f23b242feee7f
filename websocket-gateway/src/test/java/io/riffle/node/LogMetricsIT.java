package io.riffle.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The write path's histograms and the log worker pools are on {@code /metrics}. */
@Timeout(60)
class LogMetricsIT {
    @TempDir
    Path dataDir;

    @Test
    void putsShowInTheWritePathHistogramsAndTheLogPools() {
        try (RunningNode node = RunningNode.start(dataDir, "--log-write-threads", "3")) {
            node.createStream("measured", 1);
            for (int i = 0; i < 3; i++) {
                assertThat(node.postRaw("/v1/streams/measured/records?partitionKey=k", "application/octet-stream",
                        Buffer.buffer("abc")).statusCode()).isEqualTo(200);
            }
            String metrics = node.get("/metrics").bodyAsString();
            assertThat(value(metrics, "riffle_shard_group_commit_records_sum")).isEqualTo(3);
            assertThat(value(metrics, "riffle_shard_group_commit_records_count")).isEqualTo(3);
            assertThat(value(metrics, "riffle_shard_group_commit_bytes_sum")).isEqualTo(3 * (1 + 3));
            assertThat(value(metrics, "riffle_log_append_seconds_count")).isEqualTo(3);
            assertThat(metrics).contains("riffle_log_append_seconds_bucket{le=");
            assertThat(value(metrics, "vertx_pool_ratio{pool_name=\"riffle-log-write\",pool_type=\"worker\"}")).isNotNegative();
        }
    }

    /** The value of one series; fails when the series is missing. */
    private static double value(String metrics, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + "(?:\\{[^}]*\\})? (\\S+)$").matcher(metrics);
        assertThat(m.find()).as(series + " in /metrics").isTrue();
        return Double.parseDouble(m.group(1));
    }
}
