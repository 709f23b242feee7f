package io.riffle.log.crypto;

import io.riffle.log.DurableFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@code <base>.key} sidecar of an encrypted segment {@code <base>.log} (layout on {@link DataKey}).
 * Written durably before the segment's first sealed frame, so a sealed frame never exists without its
 * key; a plain segment has no sidecar. The wrap context is the shard directory name plus the base
 * offset, so a sidecar copied next to another segment does not unwrap.
 */
public final class SegmentKeyFile {
    private static final String SUFFIX = ".key";

    private SegmentKeyFile() {
    }

    public static Path path(Path shardDir, String segmentName) {
        return shardDir.resolve(segmentName + SUFFIX);
    }

    /** A fresh data key under {@code master} for the segment, made durable before it is returned. */
    public static DataKey create(Path shardDir, String segmentName, MasterKey master) throws IOException {
        DataKey key = DataKey.generate(master);
        DurableFile.write(path(shardDir, segmentName), key.wrap(master, context(shardDir, segmentName)));
        return key;
    }

    /** The segment's data key, or empty for a plain segment. */
    public static Optional<DataKey> read(Path shardDir, String segmentName, Keyring keyring)
            throws IOException, KmsException, DataKey.CorruptKeyException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path(shardDir, segmentName));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        return Optional.of(DataKey.unwrap(bytes, keyring, context(shardDir, segmentName)));
    }

    private static String context(Path shardDir, String segmentName) {
        return shardDir.getFileName() + "/" + segmentName;
    }
}
