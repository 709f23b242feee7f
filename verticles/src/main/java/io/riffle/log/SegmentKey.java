package io.riffle.log;

import io.riffle.log.crypto.DataKey;
import io.riffle.log.crypto.FrameSeal;
import io.riffle.log.crypto.Keyring;
import io.riffle.log.crypto.KmsException;
import io.riffle.log.crypto.MasterKey;
import io.riffle.log.crypto.SegmentKeyFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The data key of an encrypted segment, from its {@code <base>.key} sidecar ({@link SegmentKeyFile}): a
 * segment has one for its whole life or none (plain). The wrapped key is opened with the master key on
 * first use and kept; every use still asks the keyring whether the master key is there and enabled, so
 * disabling a key in the keyring file stops reads and writes of its segments without a restart.
 */
final class SegmentKey {
    /** The master key of a sidecar too damaged to name it. */
    private static final String UNREADABLE = "";
    private final Path dir;
    private final String segmentName;
    private final String masterArn;
    private volatile DataKey dataKey;
    /** The writer's sealer (Cipher is not thread-safe; readers make their own). */
    private FrameSeal writerSeal;

    private SegmentKey(Path dir, String segmentName, String masterArn, DataKey dataKey) {
        this.dir = dir;
        this.segmentName = segmentName;
        this.masterArn = masterArn;
        this.dataKey = dataKey;
    }

    static String segmentName(long baseOffset) {
        return Segment.name(baseOffset, "");
    }

    /** The sidecar of the segment at {@code baseOffset}, if it has one (the key is opened later). */
    static Optional<SegmentKey> find(Path dir, long baseOffset) throws IOException {
        String name = segmentName(baseOffset);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(SegmentKeyFile.path(dir, name));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        String masterArn;
        try {
            masterArn = DataKey.masterArnOf(bytes);
        } catch (IOException e) {
            // Kept as an unreadable key: the shard opens, reads of this segment fail naming it, appends roll past it.
            masterArn = UNREADABLE;
        }
        return Optional.of(new SegmentKey(dir, name, masterArn, null));
    }

    /** A fresh data key for the (empty) segment at {@code baseOffset}, durable in its sidecar before it is returned. */
    static SegmentKey create(Path dir, long baseOffset, MasterKey master) throws IOException {
        String name = segmentName(baseOffset);
        DataKey key = SegmentKeyFile.create(dir, name, master);
        return new SegmentKey(dir, name, master.arn(), key);
    }

    /** The master key new appends are sealed with: null when the log is plain, else the keyring's enabled key. */
    static MasterKey masterFor(String keyId, java.util.function.Supplier<Keyring> keyring) throws KeyUnavailableException {
        if (keyId == null) {
            return null;
        }
        try {
            return keyring.get().usable(keyId);
        } catch (KmsException e) {
            throw new KeyUnavailableException(e);
        }
    }

    /** Whether a segment with this key (null: plain) cannot take appends sealed with {@code master} (null: plain). */
    static boolean differs(SegmentKey key, MasterKey master) {
        return master == null ? key != null : key == null || !key.masterArn.equals(master.arn());
    }

    String masterArn() {
        return masterArn;
    }

    /** Writer only: the sealer of this segment's appends. */
    FrameSeal writerSeal(Keyring keyring) throws IOException {
        DataKey k = dataKey(keyring);
        if (writerSeal == null) {
            writerSeal = new FrameSeal(k);
        }
        return writerSeal;
    }

    /** A sealer for one reader's call (any thread). */
    FrameSeal readerSeal(Keyring keyring) throws IOException {
        return new FrameSeal(dataKey(keyring));
    }

    private DataKey dataKey(Keyring keyring) throws IOException {
        if (masterArn.equals(UNREADABLE)) {
            throw new IOException("The key sidecar of segment " + segmentName + " in " + dir + " is damaged: it names no master key");
        }
        try {
            keyring.usable(masterArn);
            DataKey k = dataKey;
            if (k == null) {
                k = SegmentKeyFile.read(dir, segmentName, keyring)
                        .orElseThrow(() -> new IOException("The key sidecar of " + segmentName + " in " + dir + " is gone"));
                dataKey = k;
            }
            return k;
        } catch (KmsException e) {
            throw new KeyUnavailableException(e);
        } catch (DataKey.CorruptKeyException e) {
            throw new IOException("The key sidecar of segment " + segmentName + " in " + dir + " cannot be read: " + e.getMessage(), e);
        }
    }
}
