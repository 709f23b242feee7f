package io.riffle.shard;

/**
 * The shard's answer to an {@link AppendRequest}: per entry, in order, the offset it was written at, or
 * {@link #THROTTLED} when it did not fit the shard's write limits (nothing of it was written).
 *
 * @param retryAfterMillis when throttled entries may succeed again, as a hint for Retry-After
 * @param encrypted        the written entries are stored encrypted (the stream's KMS key sealed them)
 */
public record AppendReply(long[] offsets, long retryAfterMillis, boolean encrypted) {
    public static final long THROTTLED = -1;

    /** Nothing written encrypted. */
    public AppendReply(long[] offsets, long retryAfterMillis) {
        this(offsets, retryAfterMillis, false);
    }

    public int throttledCount() {
        int n = 0;
        for (long o : offsets) {
            if (o == THROTTLED) {
                n++;
            }
        }
        return n;
    }
}
