package io.riffle.load;

import io.riffle.client.RiffleClient;
import io.riffle.client.StreamInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Time to split and to merge a shard under load: producers put at {@code --rate} into a stream of
 * {@code --shards}; {@code --repeat} times the last open shard is split (native API, answered once the
 * children take writes and the stream is ACTIVE again) and its two children merged back. Reports the
 * median and the slowest of each, and how many records were refused meanwhile (none should be: puts
 * refused by a closing parent are routed again to its children).
 */
final class ReshardScenario {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private final LoadMain.LoadRun run;
    private final LoadOptions o;

    ReshardScenario(LoadMain.LoadRun run) {
        this.run = run;
        this.o = run.options;
    }

    String run() {
        run.createStreams(1);
        String stream = run.streams.get(0);
        RiffleClient admin = run.admin;
        List<RiffleClient> producers = new ArrayList<>();
        for (int p = 0; p < o.producers(); p++) {
            producers.add(run.client(run.base().withMaxAttempts(1)));
        }
        List<Long> splits = new ArrayList<>();
        List<Long> merges = new ArrayList<>();
        try (PacedPuts puts = new PacedPuts(producers, stream, new Records(o.keys(), o.recordSize()), o.rate(), o.maxRecords())) {
            LoadMain.LoadRun.sleep(o.warmupSeconds() * 1000L);
            for (int i = 0; i < o.repeat(); i++) {
                List<String> before = admin.describeStream(stream).block(TIMEOUT).openShardIds();
                String last = before.get(before.size() - 1);
                long t0 = System.nanoTime();
                StreamInfo split = admin.splitShard(stream, last, Optional.empty()).block(TIMEOUT);
                splits.add((System.nanoTime() - t0) / 1_000_000);
                List<String> children = split.shardIds().subList(split.shardIds().size() - 2, split.shardIds().size());
                LoadMain.LoadRun.sleep(500);
                long t1 = System.nanoTime();
                admin.mergeShards(stream, children.get(0), children.get(1)).block(TIMEOUT);
                merges.add((System.nanoTime() - t1) / 1_000_000);
                System.out.printf("round %d: split %d ms, merge %d ms, accepted %d, refused %d%n", i + 1,
                        splits.get(i), merges.get(i), puts.accepted.get(), puts.throttled.get());
                LoadMain.LoadRun.sleep(500);
            }
            LoadMain.LoadRun.sleep(1000);
            return String.format("rounds=%d split_ms_p50=%d split_ms_max=%d merge_ms_p50=%d merge_ms_max=%d accepted=%d refused=%d",
                    o.repeat(), median(splits), max(splits), median(merges), max(merges), puts.accepted.get(), puts.throttled.get());
        }
    }

    static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    static long max(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).max().orElse(0);
    }
}
