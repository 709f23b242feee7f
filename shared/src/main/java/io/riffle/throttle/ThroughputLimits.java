package io.riffle.throttle;

/**
 * Per-shard throughput limits. A value of 0 turns that limit off.
 *
 * @param writeBytesPerSecond  partition key plus data bytes written per second (Kinesis: 1 MiB)
 * @param writeRecordsPerSecond records written per second (Kinesis: 1000)
 * @param readBytesPerSecond   bytes returned per second to all polling readers together (Kinesis: 2 MiB)
 * @param readCallsPerSecond   polling read calls per second, all readers together (Kinesis: 5)
 * @param consumerBytesPerSecond bytes pushed per second to each enhanced fan-out consumer (Kinesis: 2 MiB)
 */
public record ThroughputLimits(long writeBytesPerSecond, long writeRecordsPerSecond, long readBytesPerSecond,
                               long readCallsPerSecond, long consumerBytesPerSecond) {
    public static final ThroughputLimits KINESIS = new ThroughputLimits(1 << 20, 1000, 2 << 20, 5, 2 << 20);
    public static final ThroughputLimits OFF = new ThroughputLimits(0, 0, 0, 0, 0);

    public ThroughputLimits {
        if (writeBytesPerSecond < 0 || writeRecordsPerSecond < 0 || readBytesPerSecond < 0
                || readCallsPerSecond < 0 || consumerBytesPerSecond < 0) {
            throw new IllegalArgumentException("Throughput limits must be 0 (off) or positive: " + this);
        }
    }
}
