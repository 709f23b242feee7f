package io.riffle.gateway.subscription;

import io.riffle.error.RiffleException;

/** Why a {@link ShardSubscription} ended. The sink hears it exactly once, as its last call. */
public sealed interface SubscriptionEnd {
    /** The shard is closed (split or merged) and every record of it was delivered. */
    record EndOfShard() implements SubscriptionEnd {
    }

    /** A newer subscription for the same stream, consumer and shard took over (on any gateway or node). */
    record TakenOver() implements SubscriptionEnd {
    }

    /** The subscription lasted {@link SubscriptionOptions#maxDurationMillis()}. */
    record Expired() implements SubscriptionEnd {
    }

    /** {@link ShardSubscription#cancel()} was called (the client went away, or the node is stopping). */
    record Cancelled() implements SubscriptionEnd {
    }

    /** The engine refused a read (stream deleted, shard unknown, ...). */
    record Failed(RiffleException error) implements SubscriptionEnd {
    }
}
