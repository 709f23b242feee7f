package io.riffle.gateway.subscription;

import java.time.Clock;

/**
 * How a {@link ShardSubscription} paces and bounds itself.
 *
 * @param bytesPerSecond    the per-consumer-per-shard push limit (Kinesis: 2 MiB/s); 0 turns it off
 * @param heartbeatMillis   an event (possibly without records) goes out at least this often while the sink
 *                          has demand; Kinesis and the WebSocket API promise at most 5 s
 * @param maxBatchRecords   most records in one event
 * @param maxBatchBytes     most record bytes (partition key plus data) in one event; a single larger
 *                          record still goes out alone
 * @param maxBufferedBytes  most bytes of live records held while the sink is not asking for more; beyond
 *                          it live records are dropped from memory and read back from the log later, so
 *                          memory per subscription stays bounded and nothing is lost
 * @param maxDurationMillis the subscription ends with {@link SubscriptionEnd.Expired} after this long
 *                          (Kinesis SubscribeToShard: 5 minutes); 0 means never
 * @param clock             time source for the token bucket, lag and heartbeats
 */
public record SubscriptionOptions(long bytesPerSecond, long heartbeatMillis, int maxBatchRecords, int maxBatchBytes,
                                  long maxBufferedBytes, long maxDurationMillis, Clock clock) {
    public SubscriptionOptions {
        if (bytesPerSecond < 0 || heartbeatMillis < 1 || maxBatchRecords < 1 || maxBatchBytes < 1
                || maxBufferedBytes < 0 || maxDurationMillis < 0) {
            throw new IllegalArgumentException("Invalid subscription options: " + bytesPerSecond + " B/s, heartbeat "
                    + heartbeatMillis + " ms, batch " + maxBatchRecords + " records / " + maxBatchBytes
                    + " B, buffer " + maxBufferedBytes + " B, duration " + maxDurationMillis + " ms");
        }
    }

    public SubscriptionOptions withMaxBatchBytes(int bytes) {
        return new SubscriptionOptions(bytesPerSecond, heartbeatMillis, maxBatchRecords, bytes, maxBufferedBytes,
                maxDurationMillis, clock);
    }

    /** The same options with another push limit (a stream's own consumer limit); 0 turns it off. */
    public SubscriptionOptions withBytesPerSecond(long rate) {
        return new SubscriptionOptions(rate, heartbeatMillis, maxBatchRecords, maxBatchBytes, maxBufferedBytes,
                maxDurationMillis, clock);
    }

    public SubscriptionOptions withMaxDurationMillis(long millis) {
        return new SubscriptionOptions(bytesPerSecond, heartbeatMillis, maxBatchRecords, maxBatchBytes, maxBufferedBytes,
                millis, clock);
    }

    /** Kinesis enhanced fan-out defaults: 2 MiB/s, a heartbeat every 3 s, 1 MiB batches and buffer, no end. */
    public static SubscriptionOptions defaults() {
        return new SubscriptionOptions(2L << 20, 3000, 1000, 1 << 20, 1 << 20, 0, Clock.systemUTC());
    }
}
