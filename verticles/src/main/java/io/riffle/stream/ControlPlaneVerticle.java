package io.riffle.stream;

import io.riffle.bus.Addresses;
import io.riffle.bus.Failures;
import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.log.LogConfig;
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
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's stream catalog: the only owner of stream metadata. Creates, changes and deletes streams,
 * deploys one {@link ShardVerticle} per shard, and keeps every stream's description durable in
 * {@code <dataDir>/streams/<name>/stream.json} (written to a temporary file, fsynced, then atomically
 * renamed), so a restarted node has every stream it acknowledged. Shard logs live in
 * {@code <dataDir>/streams/<name>/shards/<index>/}.
 *
 * <p>Requests are JSON objects with an {@code op} on {@link Addresses#controlPlane()}; {@link StreamClient}
 * is the only sender. Metadata writes run in one ordered blocking queue, so they reach the disk in the
 * order the catalog changed.
 */
public final class ControlPlaneVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(ControlPlaneVerticle.class);
    private static final String METADATA_FILE = "stream.json";
    /** Key of a stream's own throughput limits in its metadata file. */
    private static final String OWN_LIMITS = "ownLimits";

    private final EngineConfig config;
    private final Map<StreamName, Entry> streams = new TreeMap<>();
    private MessageConsumer<JsonObject> consumer;

    public ControlPlaneVerticle(EngineConfig config) {
        this.config = config;
    }

    @Override
    public Future<?> start() {
        return vertx.executeBlocking(this::loadCatalog)
                .compose(loaded -> {
                    List<Future<?>> deployments = new ArrayList<>();
                    for (Entry e : loaded) {
                        streams.put(e.description.name(), e);
                        deployments.add(deployShards(e));
                    }
                    return Future.all(deployments);
                })
                .compose(v -> {
                    consumer = vertx.eventBus().consumer(Addresses.controlPlane(), this::handle);
                    LOG.info("Control plane started with {} streams from {}", streams.size(), config.dataDir());
                    return consumer.completion();
                });
    }

    @Override
    public Future<?> stop() {
        // Shard verticles are children of this deployment: Vert.x undeploys them after this stop.
        return consumer == null ? Future.succeededFuture() : consumer.unregister();
    }

    private void handle(Message<JsonObject> message) {
        JsonObject body = message.body();
        Future<?> result;
        try {
            result = switch (body.getString("op")) {
                case "create" -> create(body);
                case "describe" -> Future.succeededFuture(StreamJson.toJson(find(body).description));
                case "limits" -> Future.succeededFuture(new JsonObject().put("maxShards", config.maxShards())
                        .put("openShards", openShardCount())
                        .put("onDemandStreams", streams.values().stream().filter(e -> e.description.mode() == StreamMode.ON_DEMAND).count())
                        .put("defaultShardLimits", StreamJson.toJson(config.defaultLimits())));
                case "list" -> Future.succeededFuture(new JsonArray(streams.keySet().stream().map(StreamName::value).toList()));
                case "delete" -> delete(require(body), body.getBoolean("enforceConsumerDeletion", false));
                case "setRetention" -> update(require(body), d -> withRetention(d, body.getInteger("retentionHours")));
                case "addTags" -> update(require(body), d -> d.withTags(addTags(d.tags(), body.getJsonObject("tags"))));
                case "removeTags" -> update(require(body), d -> d.withTags(removeTags(d.tags(), body.getJsonArray("keys"))));
                case "setMaxRecordSize" -> update(require(body), d -> withMaxRecordSize(d, body.getInteger("maxRecordSizeKiB")));
                case "setShardLevelMetrics" -> update(require(body), d -> d.withShardLevelMetrics(
                        body.getJsonArray("metrics").stream().map(String::valueOf).collect(java.util.stream.Collectors.toSet())));
                case "registerConsumer" -> registerConsumer(require(body), ConsumerName.of(body.getString("consumer")));
                case "deregisterConsumer" -> deregisterConsumer(require(body), ConsumerName.of(body.getString("consumer")));
                default -> Future.failedFuture(RiffleException.invalidArgument("Unknown control plane op " + body.getString("op")));
            };
        } catch (RuntimeException e) {
            result = Future.failedFuture(e);
        }
        result.onSuccess(message::reply).onFailure(err -> Failures.fail(message, err));
    }

    /** The stream a request names, whatever its status but DELETING (describe shows CREATING too). */
    private Entry find(JsonObject body) {
        StreamName name = StreamName.of(body.getString("stream"));
        Entry e = streams.get(name);
        if (e == null || e.description.status() == StreamStatus.DELETING) {
            throw RiffleException.notFound("Stream " + name + " was not found.");
        }
        return e;
    }

    /** The stream a request changes: it must exist and be ACTIVE. */
    private Entry require(JsonObject body) {
        Entry e = find(body);
        StreamName name = e.description.name();
        if (e.description.status() == StreamStatus.CREATING) {
            throw RiffleException.inUse("Stream " + name + " is still being created");
        }
        return e;
    }

    private Future<JsonObject> create(JsonObject body) {
        StreamName name = StreamName.of(body.getString("stream"));
        int shardCount = body.getInteger("shardCount");
        if (streams.containsKey(name)) {
            throw RiffleException.inUse("Stream " + name + " already exists");
        }
        int used = openShardCount();
        if (used + shardCount > config.maxShards()) {
            throw new RiffleException(ErrorCode.LIMIT_EXCEEDED, "Creating stream " + name + " with " + shardCount
                    + " shards would exceed this node's limit of " + config.maxShards() + " open shards (" + used + " in use)");
        }
        Map<String, String> tags = new LinkedHashMap<>();
        addTags(tags, body.getJsonObject("tags", new JsonObject())).forEach(tags::put);
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
                Limits.DEFAULT_MAX_RECORD_BYTES / 1024, shards, List.of(), tags, java.util.Set.of(),
                config.defaultLimits());
        Optional<ThroughputLimits> limits = Optional.ofNullable(body.getJsonObject("limits")).map(StreamJson::limitsFromJson);
        Entry entry = new Entry(description, limits, config.defaultLimits());
        streams.put(name, entry);
        return persist(entry)
                .compose(v -> deployShards(entry))
                .map(v -> {
                    entry.description = entry.description.withStatus(StreamStatus.ACTIVE);
                    LOG.info("Created stream {} with {} shards", name, shardCount);
                    changed(name);
                    return StreamJson.toJson(entry.description);
                })
                .onFailure(err -> {
                    LOG.error("Creating stream {} failed: {}", name, err.toString());
                    streams.remove(name);
                    undeployShards(entry).onComplete(ar -> removeFiles(name));
                });
    }

    private int openShardCount() {
        return streams.values().stream().mapToInt(e -> e.description.openShards().size()).sum();
    }

    private Future<Void> delete(Entry entry, boolean enforceConsumerDeletion) {
        StreamName name = entry.description.name();
        if (!entry.description.consumers().isEmpty() && !enforceConsumerDeletion) {
            throw RiffleException.inUse("Stream " + name + " has " + entry.description.consumers().size()
                    + " registered consumers; deregister them or set EnforceConsumerDeletion");
        }
        entry.description = entry.description.withStatus(StreamStatus.DELETING);
        return undeployShards(entry)
                .compose(v -> removeFiles(name))
                .onComplete(ar -> {
                    streams.remove(name);
                    changed(name);
                    LOG.info("Deleted stream {}", name);
                });
    }

    private Future<JsonObject> update(Entry entry, UnaryOperator<StreamDescription> change) {
        StreamDescription before = entry.description;
        entry.description = change.apply(before);
        // Only retention, record size and limits concern running shards; tags and consumers do not.
        boolean shardsAffected = !settingsOf(before).equals(settingsOf(entry.description));
        return persist(entry)
                .compose(v -> shardsAffected ? configureShards(entry) : Future.succeededFuture())
                .map(v -> {
                    changed(entry.description.name());
                    return StreamJson.toJson(entry.description);
                })
                .onFailure(err -> entry.description = before);
    }

    private Future<JsonObject> registerConsumer(Entry entry, ConsumerName consumer) {
        StreamDescription d = entry.description;
        if (d.consumers().stream().anyMatch(c -> c.name().equals(consumer))) {
            throw RiffleException.inUse("Consumer " + consumer + " of stream " + d.name() + " already exists");
        }
        if (d.consumers().size() >= config.maxConsumersPerStream()) {
            throw new RiffleException(ErrorCode.LIMIT_EXCEEDED, "Stream " + d.name() + " already has "
                    + config.maxConsumersPerStream() + " consumers, the most a stream can have");
        }
        ConsumerDescription created = new ConsumerDescription(consumer, config.clock().millis());
        List<ConsumerDescription> consumers = new ArrayList<>(d.consumers());
        consumers.add(created);
        return update(entry, x -> x.withConsumers(consumers))
                .map(v -> new JsonObject().put("name", consumer.value()).put("createdMillis", created.createdMillis()));
    }

    private Future<JsonObject> deregisterConsumer(Entry entry, ConsumerName consumer) {
        StreamDescription d = entry.description;
        List<ConsumerDescription> rest = d.consumers().stream().filter(c -> !c.name().equals(consumer)).toList();
        if (rest.size() == d.consumers().size()) {
            throw RiffleException.notFound("Consumer " + consumer + " of stream " + d.name() + " was not found");
        }
        return update(entry, x -> x.withConsumers(rest));
    }

    private Future<Void> deployShards(Entry entry) {
        StreamDescription d = entry.description;
        List<Future<String>> deployed = new ArrayList<>();
        for (ShardDescription shard : d.shards()) {
            ShardVerticle verticle = new ShardVerticle(d.name(), shard, shardDir(d.name(), shard.shardId()),
                    config.log(), settingsOf(entry.description), config.clock(), config.metrics());
            deployed.add(vertx.deployVerticle(verticle).onSuccess(entry.deployments::add));
        }
        return Future.all(deployed).mapEmpty();
    }

    private Future<Void> undeployShards(Entry entry) {
        List<Future<Void>> undeployed = entry.deployments.stream().map(vertx::undeploy).toList();
        entry.deployments.clear();
        return Future.join(undeployed).mapEmpty();
    }

    private Future<Void> configureShards(Entry entry) {
        StreamDescription d = entry.description;
        JsonObject settings = settingsJson(settingsOf(d));
        return Future.all(d.shards().stream()
                .map(s -> vertx.eventBus().request(Addresses.shardConfigure(d.name(), s.shardId()), settings))
                .toList()).mapEmpty();
    }

    private static ShardSettings settingsOf(StreamDescription d) {
        return new ShardSettings(d.limits(), d.retentionHours() * 3_600_000L,
                d.maxRecordSizeKiB() * 1024);
    }

    private static JsonObject settingsJson(ShardSettings s) {
        return new JsonObject().put("limits", StreamJson.toJson(s.limits()))
                .put("retentionMillis", s.retentionMillis()).put("maxRecordBytes", s.maxRecordBytes());
    }

    private void changed(StreamName name) {
        vertx.eventBus().publish(Addresses.streamChanged(), name.value());
    }

    // ---- durable metadata ------------------------------------------------------------------------

    private Path streamsDir() {
        return config.dataDir().resolve("streams");
    }

    private Path shardDir(StreamName name, ShardId shard) {
        return streamsDir().resolve(name.value()).resolve("shards").resolve(Integer.toString(shard.index()));
    }

    /** Writes the entry durably; on disk a stream is always ACTIVE (a node that loads it makes it so). */
    private Future<Void> persist(Entry entry) {
        JsonObject json = StreamJson.toJson(entry.description.withStatus(StreamStatus.ACTIVE));
        // Only a stream's own limits are kept: one that follows the node's defaults follows their changes.
        json.remove("limits");
        entry.limits.ifPresent(l -> json.put(OWN_LIMITS, StreamJson.toJson(l)));
        Path dir = streamsDir().resolve(entry.description.name().value());
        return vertx.executeBlocking(() -> {
            Files.createDirectories(dir);
            Path tmp = dir.resolve(METADATA_FILE + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(java.nio.ByteBuffer.wrap(json.encodePrettily().getBytes(StandardCharsets.UTF_8)));
                ch.force(true);
            }
            Files.move(tmp, dir.resolve(METADATA_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fsyncDirectory(dir);
            return null;
        });
    }

    private Future<Void> removeFiles(StreamName name) {
        Path dir = streamsDir().resolve(name.value());
        return vertx.executeBlocking(() -> {
            deleteRecursively(dir);
            return null;
        });
    }

    private List<Entry> loadCatalog() throws IOException {
        Path root = streamsDir();
        Files.createDirectories(root);
        List<Entry> loaded = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.sorted().toList()) {
                Path file = dir.resolve(METADATA_FILE);
                if (!Files.exists(file)) {
                    // A stream whose creation never persisted, or whose deletion was cut short.
                    LOG.warn("Removing {}: it has no {}", dir, METADATA_FILE);
                    deleteRecursively(dir);
                    continue;
                }
                JsonObject json = new JsonObject(Files.readString(file));
                Optional<ThroughputLimits> limits = Optional.ofNullable(json.getJsonObject(OWN_LIMITS)).map(StreamJson::limitsFromJson);
                json.put("limits", StreamJson.toJson(config.defaultLimits()));
                StreamDescription d = StreamJson.fromJson(json);
                loaded.add(new Entry(d.withStatus(StreamStatus.ACTIVE), limits, config.defaultLimits()));
            }
        }
        return loaded;
    }

    private static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        // Remove the metadata first: a crash half-way leaves a directory that loadCatalog cleans up.
        Files.deleteIfExists(dir.resolve(METADATA_FILE));
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    // ---- description changes -----------------------------------------------------------------------

    private static StreamDescription withRetention(StreamDescription d, int hours) {
        if (hours < Limits.RETENTION_HOURS_MIN || hours > Limits.RETENTION_HOURS_MAX) {
            throw RiffleException.invalidArgument("Retention period hours " + hours + " must be between "
                    + Limits.RETENTION_HOURS_MIN + " and " + Limits.RETENTION_HOURS_MAX);
        }
        return d.withRetentionHours(hours);
    }

    private static StreamDescription withMaxRecordSize(StreamDescription d, int kib) {
        if (kib < Limits.MAX_RECORD_SIZE_KIB_MIN || kib > Limits.MAX_RECORD_SIZE_KIB_MAX) {
            throw RiffleException.constraint("maxRecordSizeInKiB", kib, "have value less than or equal to "
                    + Limits.MAX_RECORD_SIZE_KIB_MAX + " and greater than or equal to " + Limits.MAX_RECORD_SIZE_KIB_MIN);
        }
        return d.withMaxRecordSizeKiB(kib);
    }

    /** Tags: key 1..128 chars, value 0..256 chars, at most 50 per stream. */
    private static Map<String, String> addTags(Map<String, String> existing, JsonObject add) {
        Map<String, String> tags = new LinkedHashMap<>(existing);
        for (Map.Entry<String, Object> e : add) {
            String key = e.getKey();
            String value = e.getValue() == null ? "" : e.getValue().toString();
            if (key.isEmpty() || key.length() > 128) {
                throw RiffleException.constraint("tags.key", key, "have length less than or equal to 128 and greater than or equal to 1");
            }
            if (value.length() > 256) {
                throw RiffleException.constraint("tags.value", value, "have length less than or equal to 256");
            }
            tags.put(key, value);
        }
        if (tags.size() > 50) {
            throw new RiffleException(ErrorCode.LIMIT_EXCEEDED, "A stream can have at most 50 tags; this would make " + tags.size());
        }
        return tags;
    }

    private static Map<String, String> removeTags(Map<String, String> existing, JsonArray keys) {
        Map<String, String> tags = new LinkedHashMap<>(existing);
        keys.forEach(k -> tags.remove(String.valueOf(k)));
        return tags;
    }

    /** A stream in the catalog: its description, its own limits if any, and its shard deployments. */
    private static final class Entry {
        StreamDescription description;
        final Optional<ThroughputLimits> limits;
        final List<String> deployments = new ArrayList<>();

        Entry(StreamDescription description, Optional<ThroughputLimits> limits, ThroughputLimits nodeDefaults) {
            this.description = description.withLimits(limits.orElse(nodeDefaults));
            this.limits = limits;
        }
    }
}
