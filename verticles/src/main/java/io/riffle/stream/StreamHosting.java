package io.riffle.stream;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.model.ShardDescription;
import io.riffle.model.ShardId;
import io.riffle.model.StreamDescription;
import io.riffle.shard.ShardSettings;
import io.riffle.throttle.ThroughputLimits;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * Where the {@link ControlPlaneVerticle} keeps its streams durable and runs their shards: on this node
 * alone ({@link LocalHosting}), or across a cluster (the replicated catalog of {@code io.riffle.cluster},
 * where every node runs the shards the catalog places on it). The control plane decides what changes; a
 * hosting only makes each change durable and runs or stops shards, answering once that is done.
 *
 * <p>A stream is known to its hosting by its directory, {@code <dataDir>/streams/<id>}, chosen by
 * {@link #create}; in a cluster every node keeps that stream's shards under the same relative path.
 * Every method is called on the control plane's context, one change of a stream at a time.
 */
public interface StreamHosting {
    /** A stream the hosting holds durably. */
    record Stored(Path dir, StreamDescription description, Optional<ThroughputLimits> ownLimits) {
    }

    /**
     * Every stream held durably, with {@code nodeDefaults} as limits where a stream has none of its own;
     * creations and deletions cut short are finished first. Called once, at the control plane's start.
     */
    Future<List<Stored>> load(ThroughputLimits nodeDefaults);

    /** Makes a new stream durable and returns its directory; on failure nothing of it is left. */
    Future<Path> create(StreamDescription description, Optional<ThroughputLimits> ownLimits);

    /**
     * As {@link #create(StreamDescription, Optional)}, with {@code replicationFactor} replicas per shard (empty:
     * the hosting's default). A single node holds one replica of each shard and refuses more.
     */
    default Future<Path> create(StreamDescription description, Optional<ThroughputLimits> ownLimits,
                                Optional<Integer> replicationFactor) {
        if (replicationFactor.isPresent() && replicationFactor.get() != 1) {
            return Future.failedFuture(io.riffle.error.RiffleException.invalidArgument("Replication factor "
                    + replicationFactor.get() + " needs as many nodes; this standalone node holds one replica of each shard"));
        }
        return create(description, ownLimits);
    }

    /** Replicas per shard of the stream in {@code dir}. */
    default int replicationFactor(Path dir) {
        return 1;
    }

    /** Replaces a stream's durable description. */
    Future<Void> write(Path dir, StreamDescription description, Optional<ThroughputLimits> ownLimits);

    /**
     * Makes a reshard's description durable, as {@link #write}, fenced on the leader epochs the parents were
     * sealed at ({@code sealedEpochs}, by shard; empty when shards have no replicas): if any parent has a
     * new leader since (a failover, whose leader was never sealed), nothing is written and it fails with
     * {@link LeaderMoved}. In a cluster this also places the new shards and answers once they run.
     */
    Future<Void> writeResharded(Path dir, StreamDescription after, Optional<ThroughputLimits> ownLimits,
                                Map<ShardId, Long> sealedEpochs);

    /** A reshard's parent has a new leader since it was sealed: nothing was written; seal again and retry. */
    final class LeaderMoved extends RiffleException {
        public LeaderMoved(String message) {
            super(ErrorCode.SERVICE_UNAVAILABLE, message);
        }
    }

    /** Makes a stream's deletion durable: from here it never comes back, even if its removal is cut short. */
    Future<Void> markDeleting(Path dir);

    /** Removes the stream and its files, and nothing else. */
    Future<Void> remove(Path dir);

    /**
     * Starts {@code shards} of the stream (all of them, or the new shards of a reshard) with {@code settings}
     * and answers once every one takes appends; {@code opened} hears of each shard this node opens, with
     * the bytes its recovery verified.
     */
    Future<Void> openShards(Path dir, StreamDescription description, List<ShardDescription> shards,
                            ShardSettings settings, LongConsumer opened);

    /** Stops the stream's shards (in-flight appends finish, logs close); answers once all have stopped. */
    Future<Void> closeShards(Path dir);

    /** Stops some of the stream's shards (a reshard's new shards, when it rolls back). */
    Future<Void> closeShards(Path dir, List<ShardId> shards);

    /**
     * Removes the logs of shards that are not, or no longer, part of the durable stream: a reshard's leftovers,
     * or closed shards whose records all expired (after {@link #closeShards(Path, List)} stopped them).
     */
    Future<Void> removeShards(Path dir, List<ShardId> shards);
}
