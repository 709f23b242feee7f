package io.riffle.stream;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.model.StreamName;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Kinesis's rate limit on UpdateShardCount: at most {@link #MAX_PER_DAY} scalings of one stream per rolling
 * 24 hours. Kept in memory by the control plane (a restarted node forgets earlier scalings, so it may
 * allow more, never fewer); not thread-safe, used on the control plane's context only.
 */
final class ScalingHistory {
    static final int MAX_PER_DAY = 10;
    private static final long DAY_MILLIS = 86_400_000L;
    private final Map<StreamName, Deque<Long>> scalings = new HashMap<>();

    /** Fails with LIMIT_EXCEEDED if {@code stream} was scaled {@link #MAX_PER_DAY} times in the 24 h before {@code nowMillis}. */
    void requireAllowed(StreamName stream, long nowMillis) {
        Deque<Long> times = scalings.getOrDefault(stream, new ArrayDeque<>());
        while (!times.isEmpty() && times.peekFirst() <= nowMillis - DAY_MILLIS) {
            times.pollFirst();
        }
        if (times.size() >= MAX_PER_DAY) {
            throw new RiffleException(ErrorCode.LIMIT_EXCEEDED, "Stream " + stream + " has already been scaled "
                    + MAX_PER_DAY + " times in the last 24 hours; UpdateShardCount allows " + MAX_PER_DAY
                    + " scalings per stream per rolling 24 hours.");
        }
    }

    void record(StreamName stream, long nowMillis) {
        scalings.computeIfAbsent(stream, k -> new ArrayDeque<>()).addLast(nowMillis);
    }

    void forget(StreamName stream) {
        scalings.remove(stream);
    }
}
