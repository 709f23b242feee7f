package io.riffle.node;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Since when the CP group has not answered, as the nodes share it in a Hazelcast map (an AP structure: it
 * answers while the CP group does not). A node's own count of failing rounds begins with its process, so
 * without this a master that restarted, or that took over from one that died, waited the whole reset delay
 * again (RELIABILITY.md, seed 24: the reset came 2.5 minutes after the CP group broke, because the node that
 * made it had been restarted).
 *
 * <p>Two entries, each with a time to live so that what a dead node wrote goes away by itself: the earliest
 * failing time any node shared ({@value #SINCE}), which a node removes when its probes are answered again,
 * and the time of the last reset ({@value #RESET}): failing time from before a reset never counts again, or
 * a node still counting from before it would make the new CP group look broken for long already.
 *
 * <p>Every call is bounded by {@value #CALL_SECONDS} s and a failure leaves the node with its own count: the
 * map may lose entries when members die (it keeps one backup), which only makes a reset wait longer.
 */
final class CpOutage {
    static final String MAP = "riffle-cp-outage";
    private static final String SINCE = "since";
    private static final String RESET = "reset";
    /** Rewritten by every failing round (1 s apart); gone a minute after the last node that failed stopped. */
    private static final long SINCE_TTL_SECONDS = 60;
    /** Longer than any node's rounds take to notice the new group answers (a round's probes take 10 s at most). */
    private static final long RESET_TTL_SECONDS = 300;
    private static final long CALL_SECONDS = 2;

    private final IMap<String, Long> map;

    CpOutage(HazelcastInstance hazelcast) {
        this.map = hazelcast.getMap(MAP);
    }

    /**
     * A round of this node's failed, and its rounds have been failing since {@code mine} (epoch millis):
     * the time to count from, the earliest any node shared but never before the last reset, shared in turn.
     * Blocking, bounded; {@code mine} if the map does not answer.
     */
    long failingSince(long mine) {
        try {
            Long shared = get(map.getAsync(SINCE));
            Long reset = get(map.getAsync(RESET));
            long since = Math.max(shared == null ? mine : Math.min(shared, mine), reset == null ? Long.MIN_VALUE : reset);
            get(map.setAsync(SINCE, since, SINCE_TTL_SECONDS, TimeUnit.SECONDS));
            return since;
        } catch (Exception e) {
            return mine;
        }
    }

    /** This node's probes are answered again after rounds that failed: the outage it shared is over. */
    void ended() {
        try {
            get(map.removeAsync(SINCE));
        } catch (Exception e) {
            // The entry expires by itself.
        }
    }

    /** This node reset the CP Subsystem at {@code atMillis}: failing time before it no longer counts. */
    void reset(long atMillis) {
        try {
            get(map.setAsync(RESET, atMillis, RESET_TTL_SECONDS, TimeUnit.SECONDS));
            get(map.removeAsync(SINCE));
        } catch (Exception e) {
            // Then the others count from their own rounds; those after the reset begin anew once the new group answers.
        }
    }

    private static <T> T get(CompletionStage<T> call) throws Exception {
        return call.toCompletableFuture().get(CALL_SECONDS, TimeUnit.SECONDS);
    }
}
