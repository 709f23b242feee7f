package io.riffle.kinesis;

import java.time.Duration;
import software.amazon.awssdk.core.waiters.WaiterOverrideConfiguration;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamRequest;

/**
 * The SDK's own stream waiters, as AWS users wait after CreateStream (which answers while the stream is
 * CREATING) and DeleteStream, polling every 20 ms instead of the default 10 s to keep tests fast.
 */
final class StreamWaits {
    private static final WaiterOverrideConfiguration QUICK = WaiterOverrideConfiguration.builder()
            .backoffStrategyV2(BackoffStrategy.fixedDelayWithoutJitter(Duration.ofMillis(20)))
            .maxAttempts(500).build();

    private StreamWaits() {
    }

    static void active(KinesisClient kinesis, String stream) {
        kinesis.waiter().waitUntilStreamExists(describe(stream), QUICK).matched().response().orElseThrow();
    }

    static void active(KinesisAsyncClient kinesis, String stream) {
        kinesis.waiter().waitUntilStreamExists(describe(stream), QUICK).join().matched().response().orElseThrow();
    }

    private static DescribeStreamRequest describe(String stream) {
        return DescribeStreamRequest.builder().streamName(stream).build();
    }

    static void gone(KinesisClient kinesis, String stream) {
        kinesis.waiter().waitUntilStreamNotExists(describe(stream), QUICK).matched().exception().orElseThrow();
    }
}
