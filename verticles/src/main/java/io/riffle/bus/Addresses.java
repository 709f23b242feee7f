package io.riffle.bus;

import io.riffle.model.ShardId;
import io.riffle.model.StreamName;

/**
 * Every event bus address Riffle uses, built in one place. Lower case, dot separated; commands end in a
 * verb, published events are in the past tense.
 */
public final class Addresses {
    private static final String PREFIX = "riffle.";

    private Addresses() {
    }

    /** Whether {@code address} is one of Riffle's (every address here, and the gateways' own, start alike). */
    public static boolean isRiffle(String address) {
        return address.startsWith(PREFIX);
    }

    /** The control plane: stream lifecycle, consumers, tags, retention. JSON messages with an "op". */
    public static String controlPlane() {
        return PREFIX + "control.command";
    }

    /** Append a batch to one shard (point-to-point, binary codec). */
    public static String shardAppend(StreamName stream, ShardId shard) {
        return shard(stream, shard) + ".append";
    }

    /** Read from one shard or resolve a position in it (point-to-point, binary codec). */
    public static String shardRead(StreamName stream, ShardId shard) {
        return shard(stream, shard) + ".read";
    }

    /** Resolve a starting position (iterator type) to an offset in one shard (JSON). */
    public static String shardResolve(StreamName stream, ShardId shard) {
        return shard(stream, shard) + ".resolve";
    }

    /** Change a running shard's settings: retention, record size limit, throughput limits (JSON). */
    public static String shardConfigure(StreamName stream, ShardId shard) {
        return shard(stream, shard) + ".configure";
    }

    /** Ask a running shard for what only it knows, such as its damaged records (JSON). */
    public static String shardStatus(StreamName stream, ShardId shard) {
        return shard(stream, shard) + ".status";
    }

    /**
     * Resharding asks an open shard to stop taking writes ({@code seal}, answered with its end offset once
     * queued appends are durable), then to report its end to readers ({@code close}) once the catalog is
     * durable, or to take writes again ({@code reopen}) if the reshard failed (JSON {@code phase}).
     */
    public static String shardSeal(StreamName stream, ShardId shard) {
        return shard(stream, shard) + ".seal";
    }

    /**
     * Published by a shard after each acknowledged batch, carrying the records (binary codec); an empty
     * batch when a reshard closed the shard.
     */
    public static String shardAppended(StreamName stream, ShardId shard) {
        return shard(stream, shard) + ".appended";
    }

    /**
     * Published by a shard when its writes start or stop failing (JSON, see
     * {@link io.riffle.stream.ShardWriteHealth}); the node's health check listens.
     */
    public static String shardHealthChanged() {
        return PREFIX + "shard.health.changed";
    }

    /** Published by the control plane when a stream's description changed (created, resharded, deleted). */
    public static String streamChanged() {
        return PREFIX + "stream.changed";
    }

    /**
     * A shard leader that was deposed by an election the catalog never committed (its replicas promised an
     * epoch that no leader holds) asks the catalog leader for a new election: {stream, shard, epoch}.
     * Registered by the catalog leader only.
     */
    public static String shardReelect() {
        return PREFIX + "catalog.reelect";
    }

    /**
     * Decommissioning a node: {nodeId}, answered with what is left to move; {nodeId, cancel: true} takes it back
     * (placeable again). Registered by the catalog leader only.
     */
    public static String decommission() {
        return PREFIX + "catalog.decommission";
    }

    /**
     * One node's replica of the cluster catalog (JSON with an "op": state, promise, apply); the catalog
     * leader is the only sender. Registered by that node alone, so the clustered bus routes it there.
     */
    public static String catalogReplica(String nodeId) {
        return PREFIX + "catalog.replica." + nodeId;
    }

    /**
     * The replica of a shard on node {@code nodeId}: the shard's leader sends it batches of its log
     * ({@code ShardRecords} with the epoch, commit point and leader-epoch history in headers). Registered by
     * that node's follower of the shard only.
     */
    public static String replicaAppend(String nodeId, StreamName stream, ShardId shard) {
        return PREFIX + "replica.append." + nodeId + "." + stream.value() + "." + shard.index();
    }

    /** A shard replica's state (last leader epoch and end offset), asked by the catalog leader to pick a new leader. */
    public static String replicaState(String nodeId, StreamName stream, ShardId shard) {
        return PREFIX + "replica.state." + nodeId + "." + stream.value() + "." + shard.index();
    }

    /** Whether messages to {@code address} stay on the sending node even on a clustered bus. */
    public static boolean isNodeLocal(String address) {
        return address.equals(shardHealthChanged());
    }

    private static String shard(StreamName stream, ShardId shard) {
        // Stream names are case-sensitive and may contain dots; the shard index is last, so the address
        // stays unambiguous.
        return PREFIX + "shard." + stream.value() + "." + shard.index();
    }
}
