package io.riffle.model;

import java.util.ArrayList;
import java.util.List;

/**
 * When a stream last made the changes Kinesis allows only so many times per rolling 24 hours: UpdateShardCount
 * scalings and capacity mode switches (epoch milliseconds, oldest first). Kept with the stream's metadata,
 * so a restarted node still counts the changes made before it stopped.
 */
public record DailyChanges(List<Long> shardCountUpdates, List<Long> modeSwitches) {
    public static final long DAY_MILLIS = 86_400_000L;
    public static final DailyChanges NONE = new DailyChanges(List.of(), List.of());

    public DailyChanges {
        shardCountUpdates = List.copyOf(shardCountUpdates);
        modeSwitches = List.copyOf(modeSwitches);
    }

    /** The times of {@code times} within the 24 hours before {@code nowMillis}. */
    public static List<Long> lastDay(List<Long> times, long nowMillis) {
        return times.stream().filter(t -> t > nowMillis - DAY_MILLIS).toList();
    }

    public DailyChanges withShardCountUpdate(long nowMillis) {
        return new DailyChanges(appended(shardCountUpdates, nowMillis), modeSwitches);
    }

    public DailyChanges withModeSwitch(long nowMillis) {
        return new DailyChanges(shardCountUpdates, appended(modeSwitches, nowMillis));
    }

    /** The last day's times and {@code nowMillis}: older ones no longer count, so they are not kept. */
    private static List<Long> appended(List<Long> times, long nowMillis) {
        List<Long> kept = new ArrayList<>(lastDay(times, nowMillis));
        kept.add(nowMillis);
        return kept;
    }
}
