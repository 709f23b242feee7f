package io.riffle.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The one way Riffle writes a small durable file (stream metadata, the Kinesis iterator key, markers):
 * the bytes go to a temporary file in the same directory, which is fsynced, atomically renamed over the
 * target and then the directory is fsynced. After a crash the target holds either the old content or the
 * new one, never a mix, and once {@link #write} returns the new content survives a power loss.
 *
 * <p>Plain blocking Java: call it from a worker thread, never an event loop. What a file's content means,
 * including its format version, is up to the caller.
 */
public final class DurableFile {
    private static final String TEMP_SUFFIX = ".tmp";

    private DurableFile() {
    }

    /** Writes {@code content} durably to {@code target}, replacing it if present. */
    public static void write(Path target, byte[] content) throws IOException {
        write(target, content, Set.of());
    }

    /**
     * As {@link #write(Path, byte[])}, with the temporary (so the final) file created with these POSIX
     * permissions where the file system has them, so a secret is never readable by others, not even briefly.
     */
    public static void write(Path target, byte[] content, Set<PosixFilePermission> permissions) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = dir.resolve(target.getFileName() + TEMP_SUFFIX);
        Files.deleteIfExists(tmp);
        try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                attributes(dir, permissions))) {
            ByteBuffer buf = ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        syncDirectory(dir);
    }

    /** Deletes {@code file} if present and makes the deletion durable. Returns whether it existed. */
    public static boolean delete(Path file) throws IOException {
        boolean existed = Files.deleteIfExists(file);
        if (existed) {
            syncDirectory(file.toAbsolutePath().getParent());
        }
        return existed;
    }

    /**
     * Creates {@code dir}, which must not exist yet (so a caller never meets files it did not make), and
     * makes its entry in the parent durable.
     */
    public static void createDirectory(Path dir) throws IOException {
        Files.createDirectory(dir);
        syncDirectory(dir.toAbsolutePath().getParent());
    }

    /** Forces a directory's entries (created, renamed, deleted files) to disk. */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static FileAttribute<?>[] attributes(Path dir, Set<PosixFilePermission> permissions) {
        if (permissions.isEmpty() || !dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[0];
        }
        return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)};
    }
}
