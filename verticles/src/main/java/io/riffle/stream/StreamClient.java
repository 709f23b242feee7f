package io.riffle.stream;

import io.riffle.bus.Addresses;
import io.riffle.bus.Failures;
import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.model.ConsumerDescription;
import io.riffle.model.ConsumerName;
import io.riffle.model.ShardDescription;
import io.riffle.model.ShardId;
import io.riffle.model.StreamDescription;
import io.riffle.model.StreamName;
import io.riffle.model.StreamStatus;
import io.riffle.shard.AppendReply;
import io.riffle.shard.AppendRequest;
import io.riffle.shard.Codecs;
import io.riffle.shard.ReadRequest;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one way other code (gateways, the Kinesis API) talks to the engine: every call is an event bus
 * request to the control plane or a shard verticle, so it works the same whether the shard is local or
 * on another node. Safe to use from any Vert.x context. Every returned future fails with a
 * {@link RiffleException} carrying the right {@link ErrorCode}.
 *
 * <p>Puts are routed here, by hash key, with a cache of each stream's open shards. The cache is dropped
 * when the control plane publishes a change of the stream, and when a shard turns out not to be running.
 * Call {@link #close()} when done with a client to stop listening for those changes.
 */
public final class StreamClient implements AutoCloseable {
    /** How long {@link #describe} waits for each shard's status. */
    static final long STATUS_TIMEOUT_MILLIS = 2_000;
    /**
     * Reads and position lookups give up after 5 s with a retryable SERVICE_UNAVAILABLE (Vert.x waits 30 s):
     * a request sent to a node killed a moment ago, before the cluster's view drops it, is answered fast.
     */
    static final DeliveryOptions READS = new DeliveryOptions().setSendTimeout(5_000);
    /**
     * Appends are bounded too: the clustered event bus drops, unanswered, a message that reaches a node just
     * after the shard's handler left it (a leader moving, or restarting in a new role), and the sender hears of
     * it only by its timeout, answered as a retryable "did not answer in time" (the put may or may not be stored).
     */
    static final DeliveryOptions APPENDS = new DeliveryOptions().setSendTimeout(10_000);
    /** How often, and how far apart, a put refused by a shard a reshard just closed is routed again (5 s in all). */
    private static final int CLOSED_SHARD_RETRIES = 250;
    /**
     * How long a shard call that finds no leader (failover in progress) or a new leader still catching its
     * replicas up is retried inside the node before the caller hears the retryable 503, and how often.
     */
    static final long FAILOVER_PATIENCE_MILLIS = 3_000;
    private static final long FAILOVER_RETRY_MILLIS = 100;
    private static final long CLOSED_SHARD_RETRY_MILLIS = 20;
    private final Vertx vertx;
    private final Map<StreamName, Routes> routes = new ConcurrentHashMap<>();
    private final MessageConsumer<String> changes;
    private final RequestTargets targets;
    /** Requests on their way to a known node, failed at once when it leaves the view (see {@link #tracked}). */
    private final Set<InFlight<?>> inFlight = ConcurrentHashMap.newKeySet();

    /** A client of a standalone node, or one that does not know where requests go (each waits for its timeout). */
    public StreamClient(Vertx vertx) {
        this(vertx, RequestTargets.NONE);
    }

    /**
     * A client that knows from {@code targets} which node serves each request: a request to a node that has
     * left the member view fails (or, if it changes nothing, is retried) at once instead of at its timeout.
     */
    public StreamClient(Vertx vertx, RequestTargets targets) {
        this.vertx = vertx;
        this.targets = targets;
        Codecs.register(vertx.eventBus());
        this.changes = vertx.eventBus().consumer(Addresses.streamChanged(), m -> routes.remove(StreamName.of(m.body())));
        targets.onChange(this::abandonStale);
    }

    @Override
    public void close() {
        changes.unregister();
    }

    /**
     * Creates a stream and answers once it is ACTIVE (its shards take puts and reads), as the native API
     * promises. Fails with RESOURCE_IN_USE if the name is taken, LIMIT_EXCEEDED beyond the node's shards.
     */
    public Future<StreamDescription> create(CreateStream request) {
        return describing(control("create", request.name(), createBody(request).put("await", true)));
    }

    /**
     * Creates a stream and answers as soon as it is durable, still CREATING, as Kinesis's CreateStream does:
     * it becomes ACTIVE shortly after (the caller polls describe); until then data calls find no shard.
     */
    public Future<StreamDescription> beginCreate(CreateStream request) {
        return describing(control("create", request.name(), createBody(request).put("await", false)));
    }

    private static JsonObject createBody(CreateStream request) {
        JsonObject body = new JsonObject().put("shardCount", request.shardCount())
                .put("retentionHours", request.retentionHours()).put("mode", request.mode().name())
                .put("tags", new JsonObject(new LinkedHashMap<>(request.tags())));
        request.limits().ifPresent(l -> body.put("limits", StreamJson.toJson(l)));
        request.maxRecordSizeKiB().ifPresent(k -> body.put("maxRecordSizeKiB", k));
        request.replicationFactor().ifPresent(f -> body.put("replicationFactor", f));
        return body;
    }

    /**
     * The stream as the control plane knows it: one request, for every caller that needs the catalog
     * (GetRecords, consumers, subscriptions). Fails with RESOURCE_NOT_FOUND naming the stream if it does
     * not exist.
     */
    public Future<StreamDescription> describe(StreamName name) {
        // A read of the control plane's memory: bounded like shard reads, so a catalog leader that died a
        // moment ago costs a retryable answer within seconds, not the event bus's 30 s default.
        return describing(control("describe", name, new JsonObject(), READS));
    }

    /**
     * As {@link #describe}, with each shard's damaged records as the shard itself reports them (one request
     * per shard; a shard that does not answer within {@link #STATUS_TIMEOUT_MILLIS} shows none). For the
     * stream description an operator reads, not for paths that only need the catalog.
     */
    public Future<StreamDescription> describeWithShardStatus(StreamName name) {
        return describe(name).compose(d -> Future.all(d.shards().stream().map(s -> withStatus(name, s)).toList())
                .map(all -> d.withShards(all.list())));
    }

    private Future<ShardDescription> withStatus(StreamName name, ShardDescription shard) {
        return vertx.eventBus().<JsonObject>request(Addresses.shardStatus(name, shard.shardId()), new JsonObject(),
                        new DeliveryOptions().setSendTimeout(STATUS_TIMEOUT_MILLIS))
                .map(m -> shard.withDamaged(StreamJson.damagedFromJson(m.body().getJsonArray("damaged"))))
                .otherwise(shard);
    }

    /** All stream names, sorted; callers page over them. */
    public Future<List<StreamName>> list() {
        return this.<JsonArray>control("list", null, new JsonObject())
                .map(names -> names.stream().map(n -> StreamName.of((String) n)).toList());
    }

    /** Replicas per shard of the stream (1 on a standalone node). */
    public Future<Integer> replicationFactor(StreamName name) {
        return this.<JsonObject>control("replicationFactor", name, new JsonObject(), READS)
                .map(j -> j.getInteger("replicationFactor"));
    }

    /** This node's shard limit and usage, for DescribeLimits. */
    public Future<NodeLimits> limits() {
        return this.<JsonObject>control("limits", null, new JsonObject())
                .map(j -> new NodeLimits(j.getInteger("maxShards"), j.getInteger("openShards"), j.getInteger("onDemandStreams"),
                        StreamJson.limitsFromJson(j.getJsonObject("defaultShardLimits"))));
    }

    /**
     * Deletes a stream and its data, answering once it is gone (the name is free again). With consumers
     * registered and {@code enforceConsumerDeletion} false, fails with RESOURCE_IN_USE; a stream that is
     * not ACTIVE is RESOURCE_IN_USE too.
     */
    public Future<Void> delete(StreamName name, boolean enforceConsumerDeletion) {
        return delete(name, enforceConsumerDeletion, true);
    }

    /**
     * Deletes a stream as Kinesis's DeleteStream does: answers once its shards have stopped, while describe
     * still shows it DELETING; it disappears shortly after.
     */
    public Future<Void> beginDelete(StreamName name, boolean enforceConsumerDeletion) {
        return delete(name, enforceConsumerDeletion, false);
    }

    private Future<Void> delete(StreamName name, boolean enforceConsumerDeletion, boolean await) {
        return control("delete", name, new JsonObject().put("enforceConsumerDeletion", enforceConsumerDeletion)
                .put("await", await)).mapEmpty();
    }

    /** Sets the retention period; the caller checks that it really increases or decreases. */
    public Future<StreamDescription> setRetention(StreamName name, int retentionHours) {
        return describing(control("setRetention", name, new JsonObject().put("retentionHours", retentionHours)));
    }

    /** Adds or overwrites tags (at most 50 per stream in all; LIMIT_EXCEEDED beyond). */
    public Future<StreamDescription> addTags(StreamName name, Map<String, String> tags) {
        return describing(control("addTags", name, new JsonObject().put("tags", new JsonObject(new LinkedHashMap<>(tags)))));
    }

    public Future<StreamDescription> removeTags(StreamName name, Set<String> keys) {
        return describing(control("removeTags", name, new JsonObject().put("keys", new JsonArray(List.copyOf(keys)))));
    }

    /**
     * Sets (or, with an empty {@code policy}, removes) the resource policy of {@code resourceArn}, the stream's
     * or one of its consumers' ARN; kept with the stream in the catalog. The caller validates the policy.
     */
    public Future<StreamDescription> setResourcePolicy(StreamName name, String resourceArn, Optional<String> policy) {
        return describing(control("setResourcePolicy", name, new JsonObject().put("resource", resourceArn)
                .put("policy", policy.orElse(null))));
    }

    /**
     * StartStreamEncryption (a KeyId) or StopStreamEncryption (empty): the stream is UPDATING for a moment
     * and its shards seal the records appended from the answer on (or stop sealing). KMS errors
     * (KMSNotFoundException, KMSDisabledException) when the keyring has no enabled key of that name.
     */
    public Future<StreamDescription> setEncryption(StreamName name, Optional<String> keyId) {
        return describing(control("setEncryption", name, new JsonObject().put("keyId", keyId.orElse(null))));
    }

    /** Sets the largest record size the stream takes, 1024..10240 KiB. */
    public Future<StreamDescription> setMaxRecordSize(StreamName name, int maxRecordSizeKiB) {
        return describing(control("setMaxRecordSize", name, new JsonObject().put("maxRecordSizeKiB", maxRecordSizeKiB)));
    }

    /**
     * Sets the enhanced monitoring metrics enabled on the stream (Kinesis's ShardLevelMetrics names; the
     * caller validates them and computes the new set from Enable/Disable requests).
     */
    public Future<StreamDescription> setShardLevelMetrics(StreamName name, Set<String> metrics) {
        return describing(control("setShardLevelMetrics", name, new JsonObject().put("metrics", new JsonArray(List.copyOf(metrics)))));
    }

    /**
     * Registers an enhanced fan-out consumer (at most the node's maxConsumersPerStream, Kinesis's 20 by
     * default: LIMIT_EXCEEDED beyond; RESOURCE_IN_USE if it exists).
     */
    public Future<ConsumerDescription> registerConsumer(StreamName name, ConsumerName consumer) {
        return this.<JsonObject>control("registerConsumer", name, new JsonObject().put("consumer", consumer.value()))
                .map(j -> new ConsumerDescription(ConsumerName.of(j.getString("name")), j.getLong("createdMillis")));
    }

    public Future<Void> deregisterConsumer(StreamName name, ConsumerName consumer) {
        return control("deregisterConsumer", name, new JsonObject().put("consumer", consumer.value())).mapEmpty();
    }

    /**
     * Puts records: routes each by hash key to its open shard, sends one append per shard, and answers
     * one outcome per entry in request order. A record over the stream's size limit fails the whole put
     * with PAYLOAD_TOO_LARGE (nothing is written). Within one shard, the first record over the shard's
     * throughput and every later record of the request for that shard are rejected with
     * PROVISIONED_THROUGHPUT_EXCEEDED, the earlier ones written: so retrying the rejected records in order
     * never reorders a partition key.
     */
    public Future<List<PutOutcome>> put(StreamName name, List<PutEntry> entries) {
        PutOutcome[] outcomes = new PutOutcome[entries.size()];
        List<Integer> all = java.util.stream.IntStream.range(0, entries.size()).boxed().toList();
        return put(name, entries, all, outcomes, 0).map(v -> Arrays.asList(outcomes));
    }

    /** Routes and sends the entries at {@code indices}; {@code attempt} counts retries after a reshard. */
    private Future<Void> put(StreamName name, List<PutEntry> entries, List<Integer> indices, PutOutcome[] outcomes,
                             int attempt) {
        return routes(name).compose(r -> {
            for (int i : indices) {
                PutEntry e = entries.get(i);
                if (e.data().length > r.maxRecordBytes) {
                    return Future.failedFuture(new RiffleException(ErrorCode.PAYLOAD_TOO_LARGE, "Record of "
                            + e.data().length + " bytes exceeds the " + r.maxRecordBytes + " byte limit of stream " + name));
                }
            }
            Map<ShardId, List<Integer>> byShard = new LinkedHashMap<>();
            for (int i : indices) {
                byShard.computeIfAbsent(r.shardFor(entries.get(i)), k -> new ArrayList<>()).add(i);
            }
            List<Future<Void>> sends = new ArrayList<>(byShard.size());
            byShard.forEach((shard, group) -> sends.add(append(name, shard, entries, group, outcomes, attempt)));
            return Future.all(sends).mapEmpty();
        });
    }

    private Future<Void> append(StreamName name, ShardId shard, List<PutEntry> entries, List<Integer> indices,
                                PutOutcome[] outcomes, int attempt) {
        List<AppendRequest.Entry> batch = new ArrayList<>(indices.size());
        for (int i : indices) {
            batch.add(new AppendRequest.Entry(entries.get(i).partitionKey(), entries.get(i).data()));
        }
        return this.<AppendReply>toShard(name, shard, Addresses.shardAppend(name, shard), new AppendRequest(batch), APPENDS, false)
                .map(reply -> {
                    long[] offsets = reply.body().offsets();
                    for (int k = 0; k < offsets.length; k++) {
                        outcomes[indices.get(k)] = offsets[k] == AppendReply.THROTTLED
                                ? new PutOutcome.Rejected(ErrorCode.PROVISIONED_THROUGHPUT_EXCEEDED, "Rate exceeded for shard "
                                        + shard + " in stream " + name + ".", reply.body().retryAfterMillis())
                                : new PutOutcome.Accepted(shard, new io.riffle.model.SequenceNumber(shard.index(), offsets[k]),
                                        reply.body().encrypted());
                    }
                    return (Void) null;
                })
                .recover(err -> {
                    if (Failures.isNoHandlers(err) && attempt < FAILOVER_PATIENCE_MILLIS / FAILOVER_RETRY_MILLIS) {
                        // Never delivered, so nothing was written: wait for the shard's next leader and send again.
                        return later(FAILOVER_RETRY_MILLIS).compose(v -> append(name, shard, entries, indices, outcomes, attempt + 1));
                    }
                    Future<RiffleException> why = Failures.isNoHandlers(err) ? unserved(name, shard)
                            : Future.succeededFuture(Failures.toRiffle(err, "Shard " + shard + " of stream " + name));
                    return why.compose(e -> {
                        if (e.code() == ErrorCode.PAYLOAD_TOO_LARGE || e.code().isKms()) {
                            // As AWS: a KMS problem of the stream's key fails the whole PutRecords, not record by record.
                            return Future.failedFuture(e);
                        }
                        if (e.code() == ErrorCode.RESOURCE_IN_USE && attempt < CLOSED_SHARD_RETRIES) {
                            // A reshard closed the shard (nothing of this batch was written): its children take
                            // writes once the new catalog is durable, a few milliseconds later. Route again.
                            routes.remove(name);
                            return later(CLOSED_SHARD_RETRY_MILLIS).compose(v -> put(name, entries, indices, outcomes, attempt + 1));
                        }
                        for (int i : indices) {
                            outcomes[i] = new PutOutcome.Rejected(e.code(), e.getMessage(), 0);
                        }
                        return Future.succeededFuture();
                    });
                });
    }

    private Future<Void> later(long millis) {
        io.vertx.core.Promise<Void> p = io.vertx.core.Promise.promise();
        vertx.setTimer(millis, t -> p.complete());
        return p.future();
    }

    /**
     * SplitShard: {@code shard} closes and two children take its hash key range, the second from
     * {@code newStartingHashKey}. With {@code await} answers the ACTIVE description once the children take
     * writes, else the UPDATING one at once. Fails with RESOURCE_IN_USE unless the stream is ACTIVE,
     * INVALID_ARGUMENT for a closed shard or a key outside it, VALIDATION on an ON_DEMAND stream.
     */
    public Future<StreamDescription> split(StreamName name, ShardId shard, BigInteger newStartingHashKey, boolean await) {
        return describing(control("split", name, new JsonObject().put("shard", shard.toString())
                .put("newStartingHashKey", newStartingHashKey.toString()).put("await", await)));
    }

    /** MergeShards: two adjacent open shards close and one child takes both ranges (see {@link #split}). */
    public Future<StreamDescription> merge(StreamName name, ShardId shard, ShardId adjacentShard, boolean await) {
        return describing(control("merge", name, new JsonObject().put("shard", shard.toString())
                .put("adjacentShard", adjacentShard.toString()).put("await", await)));
    }

    /**
     * UpdateShardCount with UNIFORM_SCALING: the open shards are replaced by {@code target} shards over even
     * ranges. LIMIT_EXCEEDED beyond double or below half the open count, or after 10 scalings in 24 hours.
     */
    public Future<StreamDescription> updateShardCount(StreamName name, int target, boolean await) {
        return describing(control("updateShardCount", name, new JsonObject().put("targetShardCount", target)
                .put("await", await)));
    }

    /** UpdateStreamMode: PROVISIONED or ON_DEMAND; the shards stay as they are. */
    public Future<StreamDescription> setMode(StreamName name, io.riffle.model.StreamMode mode) {
        return describing(control("setMode", name, new JsonObject().put("mode", mode.name())));
    }

    /** Resolves a starting position to the offset of the next record to read. */
    public Future<Long> resolve(StreamName name, ShardId shard, ReadFrom from) {
        JsonObject body;
        if (from instanceof ReadFrom.AtOffset a) {
            body = new JsonObject().put("type", "AT_SEQUENCE_NUMBER").put("value", a.offset());
        } else if (from instanceof ReadFrom.AfterOffset a) {
            body = new JsonObject().put("type", "AFTER_SEQUENCE_NUMBER").put("value", a.offset());
        } else if (from instanceof ReadFrom.AtTimestamp a) {
            body = new JsonObject().put("type", "AT_TIMESTAMP").put("value", a.epochMillis());
        } else {
            body = new JsonObject().put("type", from instanceof ReadFrom.Latest ? "LATEST" : "TRIM_HORIZON");
        }
        return patiently(() -> this.<Long>toShard(name, shard, Addresses.shardResolve(name, shard), body, READS, true)
                .map(m -> m.body())
                .recover(err -> shardFailure(err, name, shard)), System.nanoTime());
    }

    /**
     * Reads up to {@code maxRecords} / {@code maxBytes} from {@code offset}. A polling read
     * ({@code sharedQuota} true) counts against the shard's shared 5 reads/s and 2 MiB/s and fails with
     * PROVISIONED_THROUGHPUT_EXCEEDED beyond them; enhanced fan-out reads pass false and are limited by
     * their subscription instead.
     */
    public Future<ReadBatch> read(StreamName name, ShardId shard, long offset, int maxRecords, int maxBytes,
                                  boolean sharedQuota) {
        return patiently(() -> this.<ReadBatch>toShard(name, shard, Addresses.shardRead(name, shard),
                        new ReadRequest(offset, maxRecords, maxBytes, sharedQuota), READS, true)
                .map(m -> m.body())
                .recover(err -> shardFailure(err, name, shard)), System.nanoTime());
    }

    /**
     * Runs {@code call}, again every {@value #FAILOVER_RETRY_MILLIS} ms while it answers SERVICE_UNAVAILABLE
     * quickly (a shard between two leaders), for up to {@value #FAILOVER_PATIENCE_MILLIS} ms from
     * {@code startNanos}: callers see a failover as a slower answer, not an error. Only for calls that change
     * nothing, so a repeat is harmless.
     */
    private <T> Future<T> patiently(java.util.function.Supplier<Future<T>> call, long startNanos) {
        return call.get().recover(err -> {
            boolean unavailable = err instanceof RiffleException e && e.code() == ErrorCode.SERVICE_UNAVAILABLE;
            long elapsedMillis = (System.nanoTime() - startNanos) / 1_000_000;
            if (unavailable && elapsedMillis + FAILOVER_RETRY_MILLIS < FAILOVER_PATIENCE_MILLIS) {
                return later(FAILOVER_RETRY_MILLIS).compose(v -> patiently(call, startNanos));
            }
            return Future.failedFuture(err);
        });
    }

    /**
     * Registers a handler for records acknowledged by one shard from now on (local or remote shard). The
     * caller unregisters the returned consumer when done; wait for its {@code completion()} before
     * relying on it.
     */
    public MessageConsumer<ShardRecords> onAppended(StreamName name, ShardId shard, Handler<ShardRecords> handler) {
        return vertx.eventBus().<ShardRecords>consumer(Addresses.shardAppended(name, shard), m -> handler.handle(m.body()));
    }

    private <T> Future<T> shardFailure(Throwable err, StreamName name, ShardId shard) {
        if (Failures.isNoHandlers(err)) {
            return unserved(name, shard).compose(Future::failedFuture);
        }
        return Future.failedFuture(Failures.toRiffle(err, "Shard " + shard + " of stream " + name));
    }

    /**
     * Why no node serves a shard: its stream is gone or not ACTIVE (not found, as before), or the stream
     * has it and its node is down, starting or stopping (SERVICE_UNAVAILABLE: retry, the shard comes back
     * with its node). Never a missing handler taken for a deleted stream, which clients would not retry.
     */
    private Future<RiffleException> unserved(StreamName name, ShardId shard) {
        routes.remove(name);
        return describe(name).<RiffleException>map(d -> d.status() == StreamStatus.ACTIVE
                        && d.shards().stream().anyMatch(s -> s.shardId().equals(shard))
                        ? new RiffleException(ErrorCode.SERVICE_UNAVAILABLE, "Shard " + shard + " of stream " + name
                                + " is not available right now (its node is down, starting or stopping); retry")
                        : RiffleException.notFound("Shard " + shard + " in stream " + name + " was not found."))
                .recover(err -> Future.succeededFuture(RiffleException.of(err)));
    }

    private <T> Future<T> control(String op, StreamName name, JsonObject body) {
        return control(op, name, body, new DeliveryOptions());
    }

    private <T> Future<T> control(String op, StreamName name, JsonObject body, DeliveryOptions options) {
        body.put("op", op);
        if (name != null) {
            body.put("stream", name.value());
        }
        // A new catalog leader sends this node its catalog before it starts the control plane, so while the last
        // leader's node is gone nobody serves it yet: "not running on any node now; retry" at once.
        return this.<T>toNode(targets.controlPlane(), "The control plane", () -> false, "retry", Addresses.controlPlane(), body, options)
                .map(m -> m.body())
                .recover(err -> Future.failedFuture(Failures.toRiffle(err, "The control plane")));
    }

    /**
     * A request to a shard's leader. If the catalog names a leader whose node is not in the view, nothing is
     * sent: the answer is the event bus's NO_HANDLERS (undelivered, so never written), as once the node's
     * registrations are gone. If its node leaves the view before answering, the request fails at once with
     * a retryable SERVICE_UNAVAILABLE: for an append, "may or may not be stored" (it may have been written and
     * even replicated). With {@code changesNothing} (a read), the same happens as soon as the catalog names
     * another leader, and the caller's retry goes to the new one.
     */
    private <T> Future<io.vertx.core.eventbus.Message<T>> toShard(StreamName name, ShardId shard, String address, Object body,
                                                                  DeliveryOptions options, boolean changesNothing) {
        Optional<String> leader = targets.shardLeader(name, shard);
        return toNode(leader, "Shard " + shard + " of stream " + name,
                changesNothing ? () -> !targets.shardLeader(name, shard).equals(leader) : () -> false,
                changesNothing ? "retry" : "the put may or may not be stored, retry it", address, body, options);
    }

    /**
     * A request to {@code address}, which {@code target} serves when known (else simply sent): not sent if that
     * node is not in the view (NO_HANDLERS), else {@link #tracked}, failing with "{@code what}: its node ... left
     * the cluster before answering; {@code advice}" if it leaves the view or {@code moved} says so.
     */
    private <T> Future<io.vertx.core.eventbus.Message<T>> toNode(Optional<String> target, String what,
                                                                 java.util.function.BooleanSupplier moved, String advice,
                                                                 String address, Object body, DeliveryOptions options) {
        if (target.isEmpty()) {
            return vertx.eventBus().request(address, body, options);
        }
        String node = target.get();
        if (!targets.isLive(node)) {
            return Future.failedFuture(new io.vertx.core.eventbus.ReplyException(io.vertx.core.eventbus.ReplyFailure.NO_HANDLERS,
                    what + ": its node " + node + " left the cluster"));
        }
        return tracked(node, moved, () -> new RiffleException(ErrorCode.SERVICE_UNAVAILABLE, what + ": its node " + node
                + " left the cluster or stopped serving it before answering; " + advice), () -> vertx.eventBus().request(address, body, options));
    }

    /**
     * A request to {@code node}, registered until answered, so that {@link #abandonStale} can fail it with
     * {@code gone} once the node leaves the view or {@code moved} says its target changed.
     */
    private <T> Future<io.vertx.core.eventbus.Message<T>> tracked(String node, java.util.function.BooleanSupplier moved,
                                                                  java.util.function.Supplier<RiffleException> gone,
                                                                  java.util.function.Supplier<Future<io.vertx.core.eventbus.Message<T>>> send) {
        InFlight<T> request = new InFlight<>(node, moved, gone, vertx.getOrCreateContext(), io.vertx.core.Promise.promise());
        inFlight.add(request);
        send.get().onComplete(ar -> {
            inFlight.remove(request);
            if (ar.succeeded()) {
                request.answer.tryComplete(ar.result());
            } else {
                request.answer.tryFail(ar.cause());
            }
        });
        // The view may have changed after the caller looked and before the request was registered.
        abandonIfStale(request);
        return request.answer.future();
    }

    /** Fails, on their callers' contexts, the requests in flight to a node that left the view or a target that moved. */
    private void abandonStale() {
        inFlight.forEach(this::abandonIfStale);
    }

    private void abandonIfStale(InFlight<?> request) {
        if ((!targets.isLive(request.node) || request.moved.getAsBoolean()) && inFlight.remove(request)) {
            request.context.runOnContext(v -> request.answer.tryFail(request.gone.get()));
        }
    }

    /** A request sent to {@code node}, completed by its answer or by {@link #abandonIfStale}, whichever comes first. */
    private record InFlight<T>(String node, java.util.function.BooleanSupplier moved, java.util.function.Supplier<RiffleException> gone,
                               io.vertx.core.Context context, io.vertx.core.Promise<io.vertx.core.eventbus.Message<T>> answer) {
    }

    private static Future<StreamDescription> describing(Future<JsonObject> json) {
        return json.map(StreamJson::fromJson);
    }

    private Future<Routes> routes(StreamName name) {
        Routes cached = routes.get(name);
        if (cached != null) {
            return Future.succeededFuture(cached);
        }
        return describe(name).map(d -> {
            if (d.status() == StreamStatus.CREATING || d.status() == StreamStatus.DELETING) {
                // As Kinesis: records for a stream that is not ACTIVE are refused whole, not one by one.
                throw RiffleException.notFound("Stream " + name + " was not found.");
            }
            Routes r = new Routes(d);
            routes.put(name, r);
            return r;
        });
    }

    /** A stream's open shards sorted by hash range, for binary search by hash key. */
    private static final class Routes {
        final HashRanges open;
        final int maxRecordBytes;

        Routes(StreamDescription d) {
            this.open = new HashRanges(d.openShards().stream()
                    .sorted(Comparator.comparing(s -> s.hashKeyRange().start())).toList());
            this.maxRecordBytes = d.maxRecordSizeKiB() * 1024;
        }

        ShardId shardFor(PutEntry e) {
            ShardDescription s = open.find(e);
            if (s == null) {
                throw new RiffleException(ErrorCode.INTERNAL_FAILURE, "No open shard covers hash key " + e.hashKey());
            }
            return s.shardId();
        }
    }
}
