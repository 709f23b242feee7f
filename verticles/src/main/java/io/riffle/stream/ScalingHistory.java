package io.riffle.stream;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.model.StreamName;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * A Kinesis rate limit of some change per stream and rolling 24 hours: at most {@link #MAX_PER_DAY}
 * UpdateShardCount scalings ({@link #scalings()}), at most 2 capacity mode switches ({@link #modeSwitches()}).
 * Kept in memory by the control plane (a restarted node forgets earlier changes, so it may allow more,
 * never fewer); not thread-safe, used on the control plane's context only.
 */
final class ScalingHistory {
    static final int MAX_PER_DAY = 10;
    private static final long DAY_MILLIS = 86_400_000L;
    private final Map<StreamName, Deque<Long>> scalings = new HashMap<>();
    private final int maxPerDay;
    private final String done;
    private final String operation;

    private ScalingHistory(int maxPerDay, String done, String operation) {
        this.maxPerDay = maxPerDay;
        this.done = done;
        this.operation = operation;
    }

    /** UpdateShardCount: 10 scalings per stream per rolling 24 hours. */
    static ScalingHistory scalings() {
        return new ScalingHistory(MAX_PER_DAY, "been scaled", "UpdateShardCount allows");
    }

    /** UpdateStreamMode: AWS lets a stream switch between capacity modes twice per rolling 24 hours. */
    static ScalingHistory modeSwitches() {
        return new ScalingHistory(2, "switched its capacity mode", "UpdateStreamMode allows");
    }

    /** Fails with LIMIT_EXCEEDED if {@code stream} changed the most times allowed in the 24 h before {@code nowMillis}. */
    void requireAllowed(StreamName stream, long nowMillis) {
        Deque<Long> times = scalings.getOrDefault(stream, new ArrayDeque<>());
        while (!times.isEmpty() && times.peekFirst() <= nowMillis - DAY_MILLIS) {
            times.pollFirst();
        }
        if (times.size() >= maxPerDay) {
            throw new RiffleException(ErrorCode.LIMIT_EXCEEDED, "Stream " + stream + " has already " + done + " "
                    + maxPerDay + " times in the last 24 hours; " + operation + " " + maxPerDay
                    + " per stream per rolling 24 hours.");
        }
    }

    void record(StreamName stream, long nowMillis) {
        scalings.computeIfAbsent(stream, k -> new ArrayDeque<>()).addLast(nowMillis);
    }

    void forget(StreamName stream) {
        scalings.remove(stream);
    }
}
