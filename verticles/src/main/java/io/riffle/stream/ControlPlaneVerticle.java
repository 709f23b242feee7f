package io.riffle.stream;

import io.riffle.bus.Addresses;
import io.riffle.bus.Failures;
import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.log.crypto.KmsException;
import io.riffle.model.ConsumerDescription;
import io.riffle.model.ConsumerName;
import io.riffle.model.HashKeyRange;
import io.riffle.model.Limits;
import io.riffle.model.SequenceNumber;
import io.riffle.model.ShardDescription;
import io.riffle.model.ShardId;
import io.riffle.model.ShardState;
import io.riffle.model.StreamDescription;
import io.riffle.model.StreamMode;
import io.riffle.model.StreamName;
import io.riffle.model.StreamStatus;
import io.riffle.shard.ShardSettings;
import io.riffle.shard.ShardVerticle;
import io.riffle.throttle.ThroughputLimits;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's stream catalog: the only owner of stream metadata. Creates, changes and deletes streams,
 * has its {@link StreamHosting} run one {@link ShardVerticle} per shard and keep every stream's
 * description durable (this node's {@link CatalogStore}, or the cluster's replicated catalog), so a
 * restarted node has every stream it acknowledged.
 *
 * <p>Stream states follow Kinesis: a created stream is CREATING (durable, shards not open yet, so data
 * calls find no shard) for {@link EngineConfig#transitionMillis()}, then its shards open and it is ACTIVE;
 * a deleted one is DELETING (shards closed, files being removed) for at least as long before it
 * disappears. Each create and delete either answers at once or once the change is complete
 * ({@code await}), as the caller asks.
 *
 * <p>Resharding (split, merge, uniform scaling, and ON_DEMAND streams scaling by themselves) is planned by
 * {@link Resharding} and carried out by {@link ReshardSteps}; the stream is UPDATING meanwhile.
 *
 * <p>Requests are JSON objects with an {@code op} on {@link Addresses#controlPlane()}; {@link StreamClient}
 * is the only sender. Changes of one stream run one after the other, so a failed change rolls back only
 * itself.
 */
public final class ControlPlaneVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(ControlPlaneVerticle.class);

    private final EngineConfig config;
    private final StreamHosting hosting;
    private final Map<StreamName, Entry> streams = new TreeMap<>();
    private MessageConsumer<JsonObject> consumer;
    /** Timers of streams between two states, cancelled at stop. */
    private final Set<Long> transitions = new java.util.HashSet<>();
    private final ScalingHistory scalings = ScalingHistory.scalings();
    private final ScalingHistory modeSwitches = ScalingHistory.modeSwitches();
    private final ReshardCallRates callRates;
    private final OnDemandScaling onDemand;
    private long onDemandTimer = -1;
    /** Reshards whose steps run now; {@link #quiesce} waits for them. */
    private final Set<Future<Void>> reshards = new java.util.HashSet<>();
    /** Set by {@link #quiesce}: the node stops, no change starts any more. */
    private boolean quiescing;

    public ControlPlaneVerticle(EngineConfig config, StreamHosting hosting) {
        this.config = config;
        this.hosting = hosting;
        this.onDemand = new OnDemandScaling(config.onDemand(), config.metrics());
        this.callRates = new ReshardCallRates(config.clock());
    }

    @Override
    public Future<?> start() {
        return hosting.load(config.defaultLimits())
                .compose(loaded -> {
                    List<Future<?>> deployments = new ArrayList<>();
                    RecoveryProgress progress = new RecoveryProgress(
                            loaded.stream().mapToInt(s -> s.description().shards().size()).sum());
                    for (StreamHosting.Stored s : loaded) {
                        Entry e = new Entry(s.description(), s.ownLimits(), config.defaultLimits(), s.dir());
                        streams.put(e.description.name(), e);
                        deployments.add(deployShards(e, progress));
                    }
                    return Future.all(deployments);
                })
                .compose(v -> {
                    consumer = vertx.eventBus().consumer(Addresses.controlPlane(), this::handle);
                    onDemandTimer = vertx.setPeriodic(config.onDemand().checkMillis(), t -> {
                        scaleOnDemandStreams();
                        removeExpiredShards();
                    });
                    LOG.info("Control plane started with {} streams from {}", streams.size(), config.dataDir());
                    return consumer.completion();
                });
    }

    /**
     * Called before the node undeploys this verticle: refuses every request from now on and answers once the
     * reshards already running have finished (stood or rolled back). Vert.x undeploys the shard verticles,
     * this deployment's children, before it stops this one; a reshard still running then would deploy
     * children into a deployment being undeployed and, rolling back, remove new shards' directories while
     * they close.
     */
    public Future<Void> quiesce() {
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> {
            quiescing = true;
            vertx.cancelTimer(onDemandTimer);
            List<Future<Void>> running = List.copyOf(reshards);
            if (!running.isEmpty()) {
                LOG.info("Stopping once {} running reshards finish", running.size());
            }
            Future.join(running).<Void>mapEmpty().onComplete(ar -> done.complete());
        });
        return done.future();
    }

    @Override
    public Future<?> stop() {
        // Shard verticles are children of this deployment: Vert.x undeployed them before this stop. No stream
        // changes state any more; whoever waits for one hears that the node stops.
        transitions.forEach(vertx::cancelTimer);
        vertx.cancelTimer(onDemandTimer);
        streams.values().forEach(e -> e.settled.tryFail(new RiffleException(ErrorCode.SERVICE_UNAVAILABLE,
                "The node stopped before stream " + e.description.name() + " became " + e.target)));
        return consumer == null ? Future.succeededFuture() : consumer.unregister();
    }

    private void handle(Message<JsonObject> message) {
        JsonObject body = message.body();
        Future<?> result;
        try {
            if (quiescing) {
                throw new RiffleException(ErrorCode.SERVICE_UNAVAILABLE, "The node is stopping; retry on another node or once it is back");
            }
            callRates.require(body.getString("op"));
            result = switch (body.getString("op")) {
                case "create" -> create(body);
                case "describe" -> Future.succeededFuture(StreamJson.toJson(find(body).description));
                case "replicationFactor" -> Future.succeededFuture(new JsonObject()
                        .put("replicationFactor", hosting.replicationFactor(find(body).dir)));
                case "limits" -> Future.succeededFuture(new JsonObject().put("maxShards", config.maxShards())
                        .put("openShards", openShardCount())
                        .put("onDemandStreams", streams.values().stream().filter(e -> e.description.mode() == StreamMode.ON_DEMAND).count())
                        .put("defaultShardLimits", StreamJson.toJson(config.defaultLimits())));
                case "list" -> Future.succeededFuture(new JsonArray(streams.keySet().stream().map(StreamName::value).toList()));
                case "delete" -> delete(find(body), body.getBoolean("enforceConsumerDeletion", false), body.getBoolean("await", true));
                case "setRetention" -> update(find(body), d -> StreamChanges.withRetention(d, body.getInteger("retentionHours")));
                case "addTags" -> update(find(body), d -> d.withTags(StreamChanges.addTags(d.tags(), body.getJsonObject("tags"))));
                case "removeTags" -> update(find(body), d -> d.withTags(StreamChanges.removeTags(d.tags(), body.getJsonArray("keys"))));
                case "setResourcePolicy" -> update(find(body), d -> d.withResourcePolicy(body.getString("resource"), body.getString("policy")));
                case "setEncryption" -> setEncryption(find(body), Optional.ofNullable(body.getString("keyId")));
                case "setMaxRecordSize" -> update(find(body), d -> StreamChanges.withMaxRecordSize(d, body.getInteger("maxRecordSizeKiB")));
                case "setShardLevelMetrics" -> update(find(body), d -> d.withShardLevelMetrics(
                        body.getJsonArray("metrics").stream().map(String::valueOf).collect(Collectors.toSet())));
                case "registerConsumer" -> registerConsumer(find(body), ConsumerName.of(body.getString("consumer")));
                case "deregisterConsumer" -> deregisterConsumer(find(body), ConsumerName.of(body.getString("consumer")));
                case "split" -> reshard(find(body), d -> Resharding.split(Resharding.requireProvisioned(d, "SplitShard"),
                        ShardId.of(body.getString("shard")), new BigInteger(body.getString("newStartingHashKey")), now()), body);
                case "merge" -> reshard(find(body), d -> Resharding.merge(Resharding.requireProvisioned(d, "MergeShards"),
                        ShardId.of(body.getString("shard")), ShardId.of(body.getString("adjacentShard")), now()), body);
                case "updateShardCount" -> reshard(find(body), d -> uniformScaling(d, body.getInteger("targetShardCount")), body);
                case "setMode" -> update(find(body), d -> switchMode(d, StreamMode.valueOf(body.getString("mode"))));
                default -> Future.failedFuture(RiffleException.invalidArgument("Unknown control plane op " + body.getString("op")));
            };
        } catch (RuntimeException e) {
            result = Future.failedFuture(e);
        }
        result.onSuccess(message::reply).onFailure(err -> Failures.fail(message, err));
    }

    /** The stream a request names, in whatever state (describe shows CREATING and DELETING too). */
    private Entry find(JsonObject body) {
        StreamName name = StreamName.of(body.getString("stream"));
        Entry e = streams.get(name);
        if (e == null) {
            throw RiffleException.notFound("Stream " + name + " was not found.");
        }
        return e;
    }

    /** Fails unless the stream is ACTIVE: changes of a stream being created or deleted are refused, as Kinesis does. */
    private static void requireActive(Entry e) {
        StreamStatus status = e.description.status();
        if (status != StreamStatus.ACTIVE) {
            throw RiffleException.inUse("Stream " + e.description.name() + " is not ACTIVE, instead in state " + status + ".");
        }
    }

    private Future<JsonObject> create(JsonObject body) {
        StreamName name = StreamName.of(body.getString("stream"));
        int shardCount = body.getInteger("shardCount");
        if (streams.containsKey(name)) {
            throw RiffleException.inUse("Stream " + name + " already exists");
        }
        onDemand.forget(name);
        int used = openShardCount();
        if (used + shardCount > config.maxShards()) {
            throw new RiffleException(ErrorCode.LIMIT_EXCEEDED, "Creating stream " + name + " with " + shardCount
                    + " shards would exceed this node's limit of " + config.maxShards() + " open shards (" + used + " in use)");
        }
        Map<String, String> tags = new LinkedHashMap<>(StreamChanges.addTags(Map.of(), body.getJsonObject("tags", new JsonObject())));
        List<HashKeyRange> ranges = HashKeyRange.evenSplit(shardCount);
        List<ShardDescription> shards = new ArrayList<>(shardCount);
        for (int i = 0; i < shardCount; i++) {
            ShardId id = new ShardId(i);
            shards.add(new ShardDescription(id, Optional.empty(), Optional.empty(), ranges.get(i),
                    new SequenceNumber(i, 0), Optional.empty(), ShardState.OPEN));
        }
        StreamDescription description = new StreamDescription(name, StreamStatus.CREATING,
                StreamMode.valueOf(body.getString("mode", StreamMode.PROVISIONED.name())),
                body.getInteger("retentionHours"), config.clock().millis(),
                body.getInteger("maxRecordSizeKiB", Limits.DEFAULT_MAX_RECORD_BYTES / 1024), shards, List.of(), tags, Set.of(),
                config.defaultLimits());
        Optional<ThroughputLimits> limits = Optional.ofNullable(body.getJsonObject("limits")).map(StreamJson::limitsFromJson);
        Entry entry = new Entry(description, limits, config.defaultLimits(), null);
        streams.put(name, entry);
        Future<JsonObject> durable = hosting.create(entry.description, entry.limits,
                        Optional.ofNullable(body.getInteger("replicationFactor")))
                .map(dir -> {
                    entry.dir = dir;
                    return StreamJson.toJson(entry.description);
                });
        durable.compose(v -> afterTransition())
                .compose(v -> deployShards(entry))
                .onSuccess(v -> {
                    entry.description = entry.description.withStatus(StreamStatus.ACTIVE);
                    LOG.info("Created stream {} with {} shards in {}", name, shardCount, entry.dir);
                    changed(name);
                    entry.settled.tryComplete();
                })
                .onFailure(err -> {
                    LOG.error("Creating stream {} failed: {}", name, err.toString());
                    undeployShards(entry).transform(ar -> removeFiles(entry)).onComplete(removed -> {
                        streams.remove(name, entry);
                        changed(name);
                        entry.settled.tryFail(err);
                    });
                });
        return body.getBoolean("await", true)
                ? entry.settled.future().map(v -> StreamJson.toJson(entry.description))
                : durable;
    }

    private int openShardCount() {
        return streams.values().stream().mapToInt(e -> e.description.openShards().size()).sum();
    }

    private Future<Void> delete(Entry entry, boolean enforceConsumerDeletion, boolean await) {
        return entry.serially(() -> {
            StreamName name = entry.description.name();
            requireActive(entry);
            if (!entry.description.consumers().isEmpty() && !enforceConsumerDeletion) {
                throw RiffleException.inUse("Stream " + name + " has " + entry.description.consumers().size()
                        + " registered consumers; deregister them or set EnforceConsumerDeletion");
            }
            entry.description = entry.description.withStatus(StreamStatus.DELETING);
            entry.target = StreamStatus.DELETING;
            entry.settled = Promise.promise();
            changed(name);
            // Once answered, a delete is durable: the marker is on disk before the reply.
            Future<Void> stopped = undeployShards(entry).compose(v -> hosting.markDeleting(entry.dir));
            stopped.compose(v -> removeFiles(entry))
                    .transform(ar -> afterTransition())
                    .onComplete(ar -> {
                        streams.remove(name, entry);
                        changed(name);
                        LOG.info("Deleted stream {}", name);
                        entry.settled.tryComplete();
                    });
            return await ? entry.settled.future() : stopped;
        });
    }

    /**
     * Applies {@code change} to the stream's description as it is when this change's turn comes, makes it
     * durable and tells the shards if it concerns them. If it cannot be made durable, the description goes
     * back to what it was before this change only. Once durable the change stands, in memory as on disk:
     * a shard that cannot apply it at once (deleting expired segments failed) fails the answer, keeps the
     * new setting and retries the deletion with its periodic retention check.
     */
    private Future<JsonObject> update(Entry entry, UnaryOperator<StreamDescription> change) {
        requireActive(entry);
        return entry.serially(() -> {
            requireActive(entry);
            StreamDescription before = entry.description;
            StreamDescription after = change.apply(before);
            entry.description = after;
            // Only retention, record size and limits concern running shards; tags and consumers do not.
            boolean shardsAffected = !settingsOf(before).equals(settingsOf(after));
            return persist(entry)
                    .onFailure(err -> {
                        if (entry.description == after) {
                            entry.description = before;
                        }
                    })
                    .compose(v -> {
                        changed(entry.description.name());
                        return shardsAffected ? configureShards(entry) : Future.succeededFuture();
                    })
                    .map(v -> StreamJson.toJson(entry.description));
        });
    }

    /**
     * Start/StopStreamEncryption: the key must be in the keyring and enabled (else AWS's KMS error). Once the
     * change is durable and every shard seals (or stops sealing) new appends, the answer goes out with the
     * stream UPDATING, as Kinesis's does; it turns ACTIVE after the transition time, refusing other changes
     * meanwhile. A change to what is in force already answers at once.
     */
    private Future<JsonObject> setEncryption(Entry entry, Optional<String> keyId) {
        requireActive(entry);
        return entry.serially(() -> {
            requireActive(entry);
            StreamDescription before = entry.description;
            if (keyId.isPresent()) {
                try {
                    config.keyring().get().usable(keyId.get());
                } catch (KmsException e) {
                    throw new RiffleException(ErrorCode.ofKms(e.errorType()), e.getMessage());
                }
            }
            if (before.encryptionKeyId().equals(keyId)) {
                return Future.succeededFuture(StreamJson.toJson(before));
            }
            StreamDescription after = before.withEncryptionKeyId(keyId);
            StreamName name = before.name();
            return persist(entry, after)
                    .compose(v -> {
                        entry.description = after.withStatus(StreamStatus.UPDATING);
                        changed(name);
                        LOG.info("Stream {}: encryption {}", name, keyId.map(k -> "started with key " + k).orElse("stopped"));
                        // A shard that did not hear of it fails the answer; the stream still turns ACTIVE.
                        return configureShards(entry).transform(ar -> {
                            afterTransition().onComplete(t -> {
                                entry.description = entry.description.withStatus(StreamStatus.ACTIVE);
                                changed(name);
                            });
                            return ar.succeeded() ? Future.succeededFuture(StreamJson.toJson(entry.description))
                                    : Future.failedFuture(ar.cause());
                        });
                    });
        });
    }

    private Future<JsonObject> registerConsumer(Entry entry, ConsumerName consumer) {
        long createdMillis = config.clock().millis();
        return update(entry, d -> {
            if (d.consumers().stream().anyMatch(c -> c.name().equals(consumer))) {
                throw RiffleException.inUse("Consumer " + consumer + " of stream " + d.name() + " already exists");
            }
            if (d.consumers().size() >= config.maxConsumersPerStream()) {
                throw new RiffleException(ErrorCode.LIMIT_EXCEEDED, "Stream " + d.name() + " already has "
                        + config.maxConsumersPerStream() + " consumers, the most a stream can have");
            }
            List<ConsumerDescription> consumers = new ArrayList<>(d.consumers());
            consumers.add(new ConsumerDescription(consumer, createdMillis));
            return d.withConsumers(consumers);
        }).map(v -> new JsonObject().put("name", consumer.value()).put("createdMillis", createdMillis));
    }

    private Future<JsonObject> deregisterConsumer(Entry entry, ConsumerName consumer) {
        return update(entry, d -> {
            List<ConsumerDescription> rest = d.consumers().stream().filter(c -> !c.name().equals(consumer)).toList();
            if (rest.size() == d.consumers().size()) {
                throw RiffleException.notFound("Consumer " + consumer + " of stream " + d.name() + " was not found");
            }
            return d.withConsumers(rest);
        });
    }

    private long now() {
        return config.clock().millis();
    }

    /** UpdateStreamMode: twice a day at most; the shards stay as they are. */
    private StreamDescription switchMode(StreamDescription d, StreamMode mode) {
        if (d.mode() == mode) {
            return d;
        }
        return modeSwitches.record(d, now()).withMode(mode);
    }

    /** UpdateShardCount: Kinesis's limits on the target and on the number of scalings a day. */
    private Resharding.Plan uniformScaling(StreamDescription d, int target) {
        // The plan's description counts this scaling; it stands only if the reshard does (an empty plan is not kept).
        return Resharding.uniform(scalings.record(Resharding.requireProvisioned(d, "UpdateShardCount"), now()), target, now());
    }

    /**
     * Carries out a reshard planned by {@code planner} over the stream as it is when its turn comes: the
     * stream is UPDATING (so a second reshard or other change is ResourceInUse) until the new shards take
     * writes and the transition time has passed. Answers at once with the UPDATING description unless the
     * request asks to {@code await} (the default) the ACTIVE one. See {@link ReshardSteps} for the order of
     * the steps and why no acknowledged record can be lost.
     */
    private Future<JsonObject> reshard(Entry entry, java.util.function.Function<StreamDescription, Resharding.Plan> planner,
                                       JsonObject body) {
        requireActive(entry);
        return entry.serially(() -> {
            requireActive(entry);
            StreamDescription before = entry.description;
            Resharding.Plan plan = planner.apply(before);
            int openAfter = openShardCount() - before.openShards().size() + plan.openShardsAfter();
            if (openAfter > config.maxShards()) {
                throw new RiffleException(ErrorCode.LIMIT_EXCEEDED, "Resharding stream " + before.name() + " to "
                        + plan.openShardsAfter() + " open shards would exceed this node's limit of " + config.maxShards()
                        + " open shards");
            }
            if (plan.sealed().isEmpty()) {
                return Future.succeededFuture(StreamJson.toJson(before));
            }
            entry.description = before.withStatus(StreamStatus.UPDATING);
            changed(before.name());
            ReshardSteps steps = new ReshardSteps(vertx, before.name(), plan, config.clock(), entry.dir, hosting);
            Future<Void> running = steps.run(
                            created -> deployShards(entry, created, null),
                            // Nobody sees the children (describe, routing) before the catalog holding them is durable.
                            (after, sealedEpochs) -> hosting.writeResharded(entry.dir, after, entry.limits, sealedEpochs).onSuccess(v -> {
                                entry.description = after.withStatus(StreamStatus.UPDATING);
                                changed(before.name());
                            }));
            reshards.add(running);
            running.onComplete(ar -> reshards.remove(running));
            Future<JsonObject> done = running.transform(ar -> afterTransition().compose(v -> {
                        entry.description = entry.description.withStatus(StreamStatus.ACTIVE);
                        changed(before.name());
                        return ar.succeeded() ? Future.succeededFuture(StreamJson.toJson(entry.description))
                                : Future.failedFuture(ar.cause());
                    }));
            return body.getBoolean("await", true) ? done : Future.succeededFuture(StreamJson.toJson(entry.description));
        });
    }

    /** ON_DEMAND streams scale by themselves: each ACTIVE one splits hot shards or merges cold ones ({@link OnDemandScaler}). */
    private void scaleOnDemandStreams() {
        for (Entry entry : streams.values()) {
            StreamDescription d = entry.description;
            if (d.mode() == StreamMode.ON_DEMAND && d.status() == StreamStatus.ACTIVE) {
                // Decided on the totals only if the stream did not change while its shards answered.
                OnDemandScaling.totals(vertx, d).onSuccess(totals -> {
                    if (entry.description == d && !quiescing) {
                        onDemand.next(d, totals, now()).ifPresent(planner -> reshard(entry, planner, new JsonObject().put("await", false))
                                .onFailure(err -> LOG.warn("ON_DEMAND scaling of stream {} did not start: {}", d.name(), err.toString())));
                    }
                });
            }
        }
    }

    /** Closed shards whose records all expired leave their streams ({@link Resharding#expired}); checked with ON_DEMAND scaling. */
    private void removeExpiredShards() {
        long now = now();
        for (Entry entry : streams.values()) {
            StreamDescription d = entry.description;
            if (d.status() == StreamStatus.ACTIVE && !Resharding.expired(d, now).isEmpty()) {
                removeExpired(entry).onFailure(err -> LOG.warn("Removing the expired shards of stream {} failed, retrying at"
                        + " the next check: {}", d.name(), err.toString()));
            }
        }
    }

    /**
     * Drops the stream's expired shards as Kinesis does: the description without them is durable first (from
     * then on nothing lists or reads them; children keep them as ParentShardId), then their verticles stop and
     * their files go. A removal cut short leaves shard directories that the next load removes.
     */
    private Future<Void> removeExpired(Entry entry) {
        return entry.serially(() -> {
            StreamDescription before = entry.description;
            // Not while a reshard runs: its plan was made over the shards as they were, and it persists them.
            List<ShardId> expired = before.status() == StreamStatus.ACTIVE ? Resharding.expired(before, now()) : List.of();
            if (expired.isEmpty()) {
                return Future.<Void>succeededFuture();
            }
            StreamDescription after = before.withShards(before.shards().stream()
                    .filter(s -> !expired.contains(s.shardId())).toList());
            return persist(entry, after).compose(v -> {
                entry.description = after;
                changed(after.name());
                LOG.info("Stream {}: removed shards {}, closed before its retention period began", after.name(), expired);
                return hosting.closeShards(entry.dir, expired);
            }).compose(v -> hosting.removeShards(entry.dir, expired));
        });
    }

    /** Completes after the configured transition time; never once the verticle stops (no shard opens after that). */
    private Future<Void> afterTransition() {
        Promise<Void> elapsed = Promise.promise();
        long id = vertx.setTimer(Math.max(1, config.transitionMillis()), t -> {
            transitions.remove(t);
            elapsed.complete();
        });
        transitions.add(id);
        return elapsed.future();
    }

    private Future<Void> deployShards(Entry entry) {
        return deployShards(entry, null);
    }

    /** Starts the stream's shards; {@code progress}, when not null, hears of each one opened. */
    private Future<Void> deployShards(Entry entry, RecoveryProgress progress) {
        return deployShards(entry, entry.description.shards(), progress);
    }

    /** Starts some of the stream's shards; {@code progress}, when not null, hears of each one opened. */
    private Future<Void> deployShards(Entry entry, List<ShardDescription> shards, RecoveryProgress progress) {
        return hosting.openShards(entry.dir, entry.description, shards, settingsOf(entry.description),
                progress == null ? verified -> { } : progress::shardOpened);
    }

    private Future<Void> undeployShards(Entry entry) {
        return entry.dir == null ? Future.succeededFuture() : hosting.closeShards(entry.dir);
    }

    private Future<Void> configureShards(Entry entry) {
        StreamDescription d = entry.description;
        JsonObject settings = settingsJson(settingsOf(d));
        return Future.all(d.shards().stream()
                .map(s -> vertx.eventBus().request(Addresses.shardConfigure(d.name(), s.shardId()), settings))
                .toList()).mapEmpty();
    }

    private static ShardSettings settingsOf(StreamDescription d) {
        return ShardSettings.of(d);
    }

    private static JsonObject settingsJson(ShardSettings s) {
        return new JsonObject().put("limits", StreamJson.toJson(s.limits()))
                .put("retentionMillis", s.retentionMillis()).put("maxRecordBytes", s.maxRecordBytes())
                .put("encryptionKeyId", s.encryptionKeyId());
    }

    private void changed(StreamName name) {
        vertx.eventBus().publish(Addresses.streamChanged(), name.value());
    }

    private Future<Void> persist(Entry entry) {
        return persist(entry, entry.description);
    }

    /** Makes {@code d} the stream's durable description (without making it the current one). */
    private Future<Void> persist(Entry entry, StreamDescription d) {
        return hosting.write(entry.dir, d, entry.limits);
    }

    /**
     * Removes the directory this node made for the stream, and only that (nothing if none was made). A
     * failure is logged; the directory keeps its deleting marker, so the next start finishes the removal.
     */
    private Future<Void> removeFiles(Entry entry) {
        Path dir = entry.dir;
        if (dir == null) {
            return Future.succeededFuture();
        }
        return hosting.remove(dir).onFailure(err -> LOG.error("Removing the files of stream {} in {} failed: {}",
                entry.description.name(), dir, err.toString()));
    }

    /** A stream in the catalog: its description, its own limits if any, its directory and shard deployments. */
    private static final class Entry {
        StreamDescription description;
        final Optional<ThroughputLimits> limits;
        /** Set once the stream's directory exists; null while a creation has not made it yet. */
        Path dir;
        /** Completed when the stream reaches {@link #target} (ACTIVE, or gone when DELETING). */
        Promise<Void> settled = Promise.promise();
        StreamStatus target = StreamStatus.ACTIVE;
        /** The end of the last change queued for this stream; the next one starts after it. */
        private Future<?> last = Future.succeededFuture();

        Entry(StreamDescription description, Optional<ThroughputLimits> limits, ThroughputLimits nodeDefaults, Path dir) {
            this.description = description.withLimits(limits.orElse(nodeDefaults));
            this.limits = limits;
            this.dir = dir;
            if (description.status() == StreamStatus.ACTIVE) {
                settled.complete();
            }
        }

        /** Runs {@code change} once every change queued before it has finished, successfully or not. */
        <T> Future<T> serially(java.util.function.Supplier<Future<T>> change) {
            Future<T> result = last.transform(ar -> change.get());
            last = result;
            return result;
        }
    }
}
