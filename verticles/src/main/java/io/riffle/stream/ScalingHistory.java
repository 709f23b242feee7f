package io.riffle.stream;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.model.DailyChanges;
import io.riffle.model.StreamDescription;
import java.util.List;
import java.util.function.Function;

/**
 * A Kinesis rate limit of some change per stream and rolling 24 hours: at most {@link #MAX_PER_DAY}
 * UpdateShardCount scalings ({@link #scalings()}), at most 2 capacity mode switches ({@link #modeSwitches()}).
 * The times of the changes live in the stream's description ({@link DailyChanges}), so they are made durable
 * with the change they count and a restarted node still knows them; this class only decides.
 */
final class ScalingHistory {
    static final int MAX_PER_DAY = 10;
    private final int maxPerDay;
    private final String done;
    private final String operation;
    private final Function<DailyChanges, List<Long>> times;
    private final Recorder recorder;

    private interface Recorder {
        DailyChanges record(DailyChanges changes, long nowMillis);
    }

    private ScalingHistory(int maxPerDay, String done, String operation, Function<DailyChanges, List<Long>> times,
                           Recorder recorder) {
        this.maxPerDay = maxPerDay;
        this.done = done;
        this.operation = operation;
        this.times = times;
        this.recorder = recorder;
    }

    /** UpdateShardCount: 10 scalings per stream per rolling 24 hours. */
    static ScalingHistory scalings() {
        return new ScalingHistory(MAX_PER_DAY, "been scaled", "UpdateShardCount allows",
                DailyChanges::shardCountUpdates, DailyChanges::withShardCountUpdate);
    }

    /** UpdateStreamMode: AWS lets a stream switch between capacity modes twice per rolling 24 hours. */
    static ScalingHistory modeSwitches() {
        return new ScalingHistory(2, "switched its capacity mode", "UpdateStreamMode allows",
                DailyChanges::modeSwitches, DailyChanges::withModeSwitch);
    }

    /**
     * {@code d} counting one more change at {@code nowMillis}; fails with LIMIT_EXCEEDED if the stream made
     * the most allowed in the 24 h before. The count holds once the returned description is durable.
     */
    StreamDescription record(StreamDescription d, long nowMillis) {
        if (DailyChanges.lastDay(times.apply(d.dailyChanges()), nowMillis).size() >= maxPerDay) {
            throw new RiffleException(ErrorCode.LIMIT_EXCEEDED, "Stream " + d.name() + " has already " + done + " "
                    + maxPerDay + " times in the last 24 hours; " + operation + " " + maxPerDay
                    + " per stream per rolling 24 hours.");
        }
        return d.withDailyChanges(recorder.record(d.dailyChanges(), nowMillis));
    }
}
