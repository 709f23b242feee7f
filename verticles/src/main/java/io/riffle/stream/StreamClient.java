package io.riffle.stream;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.model.ConsumerDescription;
import io.riffle.model.ConsumerName;
import io.riffle.model.ShardId;
import io.riffle.model.StreamDescription;
import io.riffle.model.StreamName;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one way other code (gateways, the Kinesis API) talks to the engine: every call is an event bus
 * request to the control plane or a shard verticle, so it works the same whether the shard is local or
 * on another node. Safe to use from any Vert.x context. Every returned future fails with a
 * {@link RiffleException} carrying the right {@link ErrorCode}.
 *
 * <p>WORK IN PROGRESS: the signatures are the contract; bodies land with the shard verticle.
 */
public final class StreamClient {
    private final Vertx vertx;

    public StreamClient(Vertx vertx) {
        this.vertx = vertx;
    }

    public Future<StreamDescription> create(CreateStream request) {
        return todo();
    }

    /** Fails with RESOURCE_NOT_FOUND naming the stream if it does not exist. */
    public Future<StreamDescription> describe(StreamName name) {
        return todo();
    }

    /** All stream names, sorted; callers page over them. */
    public Future<List<StreamName>> list() {
        return todo();
    }

    /**
     * Deletes a stream and its data. With consumers registered and {@code enforceConsumerDeletion}
     * false, fails with RESOURCE_IN_USE.
     */
    public Future<Void> delete(StreamName name, boolean enforceConsumerDeletion) {
        return todo();
    }

    /** Sets the retention period; the caller checks that it really increases or decreases. */
    public Future<StreamDescription> setRetention(StreamName name, int retentionHours) {
        return todo();
    }

    /** Adds or overwrites tags (at most 50 per stream in all). */
    public Future<StreamDescription> addTags(StreamName name, Map<String, String> tags) {
        return todo();
    }

    public Future<StreamDescription> removeTags(StreamName name, Set<String> keys) {
        return todo();
    }

    /** Sets the largest record size the stream takes, 1024..10240 KiB. */
    public Future<StreamDescription> setMaxRecordSize(StreamName name, int maxRecordSizeKiB) {
        return todo();
    }

    /** Registers an enhanced fan-out consumer (at most 20 per stream; RESOURCE_IN_USE if it exists). */
    public Future<ConsumerDescription> registerConsumer(StreamName name, ConsumerName consumer) {
        return todo();
    }

    public Future<Void> deregisterConsumer(StreamName name, ConsumerName consumer) {
        return todo();
    }

    /**
     * Puts records: routes each by hash key to its open shard, sends one append per shard, and answers
     * one outcome per entry in request order. Records over the stream's size limit, or over a shard's
     * throughput, are rejected individually; the others are written.
     */
    public Future<List<PutOutcome>> put(StreamName name, List<PutEntry> entries) {
        return todo();
    }

    /** Resolves a starting position to the offset of the next record to read. */
    public Future<Long> resolve(StreamName name, ShardId shard, ReadFrom from) {
        return todo();
    }

    /**
     * Reads up to {@code maxRecords} / {@code maxBytes} from {@code offset}. A polling read
     * ({@code sharedQuota} true) counts against the shard's shared 5 reads/s and 2 MiB/s and fails with
     * PROVISIONED_THROUGHPUT_EXCEEDED beyond them; enhanced fan-out reads pass false and are limited by
     * their subscription instead.
     */
    public Future<ReadBatch> read(StreamName name, ShardId shard, long offset, int maxRecords, int maxBytes,
                                  boolean sharedQuota) {
        return todo();
    }

    /**
     * Registers a handler for records acknowledged by one shard from now on (local or remote shard). The
     * caller unregisters the returned consumer when done.
     */
    public io.vertx.core.eventbus.MessageConsumer<ShardRecords> onAppended(StreamName name, ShardId shard,
                                                                          io.vertx.core.Handler<ShardRecords> handler) {
        return vertx.eventBus().<ShardRecords>consumer(io.riffle.bus.Addresses.shardAppended(name, shard),
                m -> handler.handle(m.body()));
    }

    private static <T> Future<T> todo() {
        return Future.failedFuture(new RiffleException(ErrorCode.SERVICE_UNAVAILABLE, "engine not wired yet"));
    }
}
