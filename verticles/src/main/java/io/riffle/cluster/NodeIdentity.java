package io.riffle.cluster;

import io.riffle.log.DurableFile;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * A node's stable id, kept in {@code <dataDir>/node.json}: written once, at the first start, and read at
 * every later one. Hazelcast gives a member a new UUID at every start; what must stay with a node's disk
 * (later: which shards it owns) is keyed by this id instead. A node started on an empty data directory is
 * a new node.
 *
 * <p>Blocking: call it from a worker thread, once the node holds the data directory's lock (two nodes
 * racing on one directory would otherwise each write their own id).
 */
public final class NodeIdentity {
    public static final String FILE = "node.json";
    private static final int FORMAT_VERSION = 1;

    private NodeIdentity() {
    }

    /** The id in {@code dataDir}'s {@value #FILE}, created durably if the file does not exist yet. */
    public static String loadOrCreate(Path dataDir) throws IOException {
        Path file = dataDir.resolve(FILE);
        if (Files.exists(file)) {
            return read(file);
        }
        String id = UUID.randomUUID().toString();
        JsonObject json = new JsonObject().put("formatVersion", FORMAT_VERSION).put("nodeId", id);
        DurableFile.write(file, json.encodePrettily().getBytes(StandardCharsets.UTF_8));
        return id;
    }

    private static String read(Path file) throws IOException {
        try {
            JsonObject json = new JsonObject(Files.readString(file));
            Integer version = json.getInteger("formatVersion");
            String id = json.getString("nodeId");
            if (version == null || version > FORMAT_VERSION) {
                throw new IOException(file + " has format version " + version + ", this node reads up to " + FORMAT_VERSION);
            }
            if (id == null || id.isBlank()) {
                throw new IOException(file + " has no nodeId");
            }
            return id;
        } catch (DecodeException | ClassCastException e) {
            throw new IOException(file + " is not a node identity: " + e.getMessage(), e);
        }
    }
}
