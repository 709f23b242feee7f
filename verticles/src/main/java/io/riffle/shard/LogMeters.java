package io.riffle.shard;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * Node-wide histograms of the write path, shared by every shard (per-shard histograms would cost dozens of
 * series per shard). Registering is idempotent, so each shard verticle asks for them; none removes them.
 *
 * @param append       one group-commit batch written to its log: write and, under PER_BATCH, its fsync
 * @param flush        one interval fsync (fsync INTERVAL)
 * @param batchRecords records per group-commit batch
 * @param batchBytes   partition key and data bytes per group-commit batch
 */
record LogMeters(Timer append, Timer flush, DistributionSummary batchRecords, DistributionSummary batchBytes) {
    static LogMeters of(MeterRegistry registry) {
        return new LogMeters(
                timer("riffle.log.append.seconds", "Write (and fsync under PER_BATCH) of one group-commit batch", registry),
                timer("riffle.log.flush.seconds", "One interval fsync of a shard log", registry),
                DistributionSummary.builder("riffle.shard.group.commit.records").description("Records per group-commit batch")
                        .publishPercentileHistogram().minimumExpectedValue(1.0).maximumExpectedValue(100_000.0)
                        .register(registry),
                DistributionSummary.builder("riffle.shard.group.commit.bytes").baseUnit("bytes")
                        .description("Partition key and data bytes per group-commit batch")
                        .publishPercentileHistogram().minimumExpectedValue(64.0).maximumExpectedValue(64.0 * (1 << 20))
                        .register(registry));
    }

    private static Timer timer(String name, String help, MeterRegistry registry) {
        return Timer.builder(name).description(help).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
    }
}
