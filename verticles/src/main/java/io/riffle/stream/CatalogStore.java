package io.riffle.stream;

import io.riffle.log.DurableFile;
import io.riffle.model.ShardId;
import io.riffle.model.StreamDescription;
import io.riffle.model.StreamName;
import io.riffle.model.StreamStatus;
import io.riffle.throttle.ThroughputLimits;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import io.riffle.stream.StreamHosting.Stored;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable half of the stream catalog: plain blocking Java over {@code <dataDir>/streams}, called from
 * worker threads only.
 *
 * <p>Layout. Each stream lives in a directory whose name the engine chooses, a fresh random id per
 * creation, so no stream name ever becomes a path and a re-created stream never meets an old one's files:
 * <pre>
 *   streams/&lt;id&gt;/stream.json         the description (see below); the stream's name lives only here
 *   streams/&lt;id&gt;/shards/&lt;index&gt;/    one shard log per shard
 *   streams/&lt;id&gt;/creating.marker     present from the directory's birth until stream.json is durable
 *   streams/&lt;id&gt;/deleting.marker     present from the start of a removal to its end
 * </pre>
 * Nodes before this layout named the directory after the stream ({@code streams/<name>/stream.json});
 * those load as they are, the name read from the metadata.
 *
 * <p>{@code stream.json} is UTF-8 JSON: {@code formatVersion} (1; missing means 0, the same fields), then
 * {@link StreamJson}'s fields with status ACTIVE, and {@code ownLimits} only when the stream has its own
 * throughput limits (one that follows the node's defaults follows their changes).
 *
 * <p>Only a directory that carries a marker is ever removed at load: it is provably this engine's
 * half-created or half-deleted stream. Anything else without metadata is logged and left alone.
 */
public final class CatalogStore {
    private static final Logger LOG = LoggerFactory.getLogger(CatalogStore.class);
    static final String METADATA_FILE = "stream.json";
    static final String CREATING_MARKER = "creating.marker";
    static final String DELETING_MARKER = "deleting.marker";
    static final int FORMAT_VERSION = 1;
    private static final String OWN_LIMITS = "ownLimits";

    private final Path root;

    public CatalogStore(Path dataDir) {
        this.root = dataDir.resolve("streams");
    }

    /** Where a shard's log lives inside its stream's directory. */
    public static Path shardDir(Path streamDir, ShardId shard) {
        return streamDir.resolve("shards").resolve(Integer.toString(shard.index()));
    }

    /**
     * Removes a shard's log directory, if there is one. Only for shards the durable catalog does not
     * have: the new shards of a reshard, before it is durable or when it failed, and expired shards the
     * catalog dropped; or, in a cluster, shards whose replica the catalog no longer places on this node.
     */
    public void removeShardDir(Path streamDir, ShardId shard) throws IOException {
        Path dir = shardDir(streamDir, shard);
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        DurableFile.syncDirectory(dir.getParent());
    }

    /**
     * Makes a new stream durable in a directory of its own and returns that directory. If any step fails,
     * what this call created is removed again before the exception propagates.
     */
    Path create(StreamDescription description, Optional<ThroughputLimits> ownLimits) throws IOException {
        Files.createDirectories(root);
        Path dir = freshDirectory();
        try {
            write(dir, description, ownLimits);
            DurableFile.delete(dir.resolve(CREATING_MARKER));
            return dir;
        } catch (IOException | RuntimeException e) {
            try {
                remove(dir);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private Path freshDirectory() throws IOException {
        while (true) {
            Path dir = root.resolve(UUID.randomUUID().toString());
            try {
                DurableFile.createDirectory(dir);
            } catch (FileAlreadyExistsException taken) {
                continue;
            }
            // Written first, so a crash from here until the metadata is durable leaves a provably own directory.
            DurableFile.write(dir.resolve(CREATING_MARKER), new byte[0]);
            return dir;
        }
    }

    /** Replaces a stream's metadata durably. */
    void write(Path dir, StreamDescription description, Optional<ThroughputLimits> ownLimits) throws IOException {
        JsonObject json = new JsonObject().put("formatVersion", FORMAT_VERSION)
                .mergeIn(StreamJson.toJson(description.withStatus(StreamStatus.ACTIVE)));
        json.remove("limits");
        ownLimits.ifPresent(l -> json.put(OWN_LIMITS, StreamJson.toJson(l)));
        DurableFile.write(dir.resolve(METADATA_FILE), json.encodePrettily().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Removes one stream's directory and nothing else. The deleting marker goes first and the metadata
     * second, so a removal cut short is finished at the next load and never resurrects the stream.
     */
    public void remove(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        markDeleting(dir);
        DurableFile.delete(dir.resolve(METADATA_FILE));
        Path marker = dir.resolve(DELETING_MARKER);
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(marker) && !p.equals(dir)) {
                    Files.delete(p);
                }
            }
        }
        Files.delete(marker);
        Files.delete(dir);
        DurableFile.syncDirectory(root);
    }

    /**
     * Makes a stream's deletion durable before its files go: from here a restarted node finishes the
     * removal instead of loading the stream.
     */
    void markDeleting(Path dir) throws IOException {
        DurableFile.write(dir.resolve(DELETING_MARKER), new byte[0]);
    }

    /**
     * Every stream on disk, with the node's {@code nodeDefaults} as limits where a stream has none of its
     * own. Finishes removals and creations cut short by a crash. Fails, touching nothing, on metadata of a
     * newer format or two directories claiming the same stream.
     */
    List<Stored> load(ThroughputLimits nodeDefaults) throws IOException {
        Files.createDirectories(root);
        List<Stored> loaded = new ArrayList<>();
        Map<StreamName, Path> seen = new HashMap<>();
        List<Path> unfinished = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.sorted().toList()) {
                if (!Files.isDirectory(dir)) {
                    LOG.warn("Leaving {} alone: it is not a stream directory", dir);
                } else if (Files.exists(dir.resolve(DELETING_MARKER)) || Files.exists(dir.resolve(CREATING_MARKER))) {
                    unfinished.add(dir);
                } else if (!Files.isRegularFile(dir.resolve(METADATA_FILE))) {
                    LOG.warn("Leaving {} alone: it has no {} and no marker of this engine, so it is not a stream", dir, METADATA_FILE);
                } else {
                    Stored s = read(dir, nodeDefaults);
                    Path other = seen.putIfAbsent(s.description().name(), dir);
                    if (other != null) {
                        throw new IOException("Directories " + other + " and " + dir + " both hold stream "
                                + s.description().name() + "; remove the wrong one before starting the node");
                    }
                    loaded.add(s);
                }
            }
        }
        for (Path dir : unfinished) {
            LOG.warn("Removing {}: a stream's creation or deletion there was cut short", dir);
            remove(dir);
        }
        for (Stored s : loaded) {
            removeShardsNotInCatalog(s.dir(), s.description());
        }
        return loaded;
    }

    /**
     * Removes the shard logs of a stream's directory that its durable description does not have: a reshard
     * cut short before its children became durable, or expired shards whose removal was cut short after the
     * catalog dropped them. Shard indexes are never reused, so none of them can be a shard to come.
     */
    public void removeShardsNotInCatalog(Path dir, StreamDescription d) throws IOException {
        Path shards = dir.resolve("shards");
        if (!Files.isDirectory(shards)) {
            return;
        }
        java.util.Set<String> known = new java.util.HashSet<>();
        d.shards().forEach(s -> known.add(Integer.toString(s.shardId().index())));
        try (Stream<Path> dirs = Files.list(shards)) {
            for (Path shard : dirs.toList()) {
                String name = shard.getFileName().toString();
                if (name.matches("0|[1-9][0-9]{0,8}") && !known.contains(name) && Files.isDirectory(shard)) {
                    LOG.warn("Removing {}: stream {} has no shard {}", shard, d.name(), name);
                    removeShardDir(dir, new ShardId(Integer.parseInt(name)));
                }
            }
        }
    }

    private static Stored read(Path dir, ThroughputLimits nodeDefaults) throws IOException {
        Path file = dir.resolve(METADATA_FILE);
        JsonObject json;
        try {
            json = new JsonObject(Files.readString(file));
        } catch (DecodeException e) {
            throw new IOException("Stream metadata " + file + " is not valid JSON: " + e.getMessage(), e);
        }
        int version = json.getInteger("formatVersion", 0);
        if (version > FORMAT_VERSION) {
            throw new IOException("Stream metadata " + file + " has format version " + version
                    + "; this node reads versions up to " + FORMAT_VERSION);
        }
        Optional<ThroughputLimits> own = Optional.ofNullable(json.getJsonObject(OWN_LIMITS)).map(StreamJson::limitsFromJson);
        json.put("limits", StreamJson.toJson(own.orElse(nodeDefaults)));
        StreamDescription d = StreamJson.fromJson(json).withStatus(StreamStatus.ACTIVE);
        return new Stored(dir, d, own);
    }
}
