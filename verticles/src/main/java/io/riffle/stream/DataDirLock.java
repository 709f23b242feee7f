package io.riffle.stream;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The exclusive lock one node holds on its data directory for its whole life ({@code <dataDir>/riffle.lock},
 * an OS file lock, so it is released when the process dies however it dies). A second node, in this JVM or
 * another, fails to start instead of sharing the files. The file holds the holder's pid, for the message.
 * Plain blocking Java.
 */
public final class DataDirLock implements AutoCloseable {
    /** The lock file's name inside the data directory. */
    public static final String FILE = "riffle.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock, creating the directory and file if needed. Fails with {@link DataDirInUseException}
     * when another node holds it.
     */
    public static DataDirLock acquire(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        Path file = dataDir.resolve(FILE);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException sameJvm) {
            lock = null;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        if (lock == null) {
            String holder = holder(ch);
            ch.close();
            throw new DataDirInUseException("Data directory " + dataDir.toAbsolutePath() + " is in use by another Riffle node"
                    + holder + " (it holds " + FILE + "); stop that node or give this one another dataDir");
        }
        ch.truncate(0);
        ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        ch.force(true);
        return new DataDirLock(ch, lock);
    }

    private static String holder(FileChannel ch) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(32);
        ch.read(buf, 0);
        String pid = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).trim();
        return pid.matches("\\d+") ? " (pid " + pid + ")" : "";
    }

    /** Releases the lock; the file stays (removing it could race a starting node). */
    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
