package io.riffle.stream;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.throttle.TokenBucket;
import java.time.Clock;
import java.util.Map;

/**
 * Kinesis's call rates of the resharding operations, per account (a node is one account): SplitShard and
 * MergeShards 5 calls per second, UpdateShardCount 10. A call over the rate is LimitExceededException before
 * anything is looked at, as AWS throttles it. Only callers count: ON_DEMAND scaling is the service's own.
 * The rates are per second, so unlike the per-day limits ({@link ScalingHistory}) nothing needs to outlive a
 * restart. Used on the control plane's context only.
 */
final class ReshardCallRates {
    static final int SPLIT_MERGE_PER_SECOND = 5;
    static final int UPDATE_SHARD_COUNT_PER_SECOND = 10;

    private record Rate(String operation, int perSecond, TokenBucket bucket) {
    }

    /** By control plane op. */
    private final Map<String, Rate> rates;

    ReshardCallRates(Clock clock) {
        rates = Map.of(
                "split", new Rate("SplitShard", SPLIT_MERGE_PER_SECOND, new TokenBucket(SPLIT_MERGE_PER_SECOND, clock)),
                "merge", new Rate("MergeShards", SPLIT_MERGE_PER_SECOND, new TokenBucket(SPLIT_MERGE_PER_SECOND, clock)),
                "updateShardCount", new Rate("UpdateShardCount", UPDATE_SHARD_COUNT_PER_SECOND,
                        new TokenBucket(UPDATE_SHARD_COUNT_PER_SECOND, clock)));
    }

    /** Counts one call of control plane op {@code op}; LIMIT_EXCEEDED if its operation is over its rate. */
    void require(String op) {
        Rate rate = rates.get(op);
        if (rate != null && !rate.bucket().tryTake(1)) {
            throw new RiffleException(ErrorCode.LIMIT_EXCEEDED, "Rate exceeded for " + rate.operation() + ": at most "
                    + rate.perSecond() + " calls per second per account.");
        }
    }
}
