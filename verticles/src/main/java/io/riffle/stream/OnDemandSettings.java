package io.riffle.stream;

/**
 * How the node scales ON_DEMAND streams (see {@link OnDemandScaler}).
 *
 * @param scaleUpPercent         a shard whose write rate (records or bytes) over a window exceeds this share
 *                               of its write limit, or that throttled a write, is split (1..100)
 * @param scaleDownPercent       two adjacent shards both below this share over every window for
 *                               {@code scaleDownAfterMillis} are merged (0..99; 0 never merges)
 * @param windowMillis           the window over which write rates are measured ("sustained")
 * @param coolDownMillis         after a scaling, the stream is not scaled again for this long
 * @param scaleDownAfterMillis   how long two neighbours must stay cold before they merge
 * @param minShards              an ON_DEMAND stream never merges below this many open shards (AWS starts
 *                               on-demand streams with 4)
 */
public record OnDemandSettings(int scaleUpPercent, int scaleDownPercent, long windowMillis, long coolDownMillis,
                               long scaleDownAfterMillis, int minShards) {
    public static final OnDemandSettings DEFAULTS = new OnDemandSettings(80, 20, 5_000, 30_000, 600_000, 4);

    public OnDemandSettings {
        if (scaleUpPercent < 1 || scaleUpPercent > 100) {
            throw new IllegalArgumentException("onDemandScaleUpPercent must be within 1..100: " + scaleUpPercent);
        }
        if (scaleDownPercent < 0 || scaleDownPercent >= scaleUpPercent) {
            throw new IllegalArgumentException("onDemandScaleDownPercent must be within 0.." + (scaleUpPercent - 1)
                    + " (below onDemandScaleUpPercent): " + scaleDownPercent);
        }
        if (windowMillis < 100 || coolDownMillis < 0 || scaleDownAfterMillis < 0 || minShards < 1) {
            throw new IllegalArgumentException("On-demand window must be at least 100 ms, cool-downs not negative and"
                    + " the minimum shard count at least 1: " + windowMillis + ", " + coolDownMillis + ", "
                    + scaleDownAfterMillis + ", " + minShards);
        }
    }

    /** How often the control plane looks at ON_DEMAND streams: a fifth of the window. */
    public long checkMillis() {
        return Math.max(20, windowMillis / 5);
    }
}
