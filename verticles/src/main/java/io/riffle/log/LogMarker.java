package io.riffle.log;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small versioned file of numbers in a shard log directory, written through {@link DurableFile}
 * (temporary file, fsync, atomic rename, directory fsync) so that a present file is complete. Layout, ASCII, one line:
 * <pre>
 * v1 &lt;number&gt; &lt;number&gt; ...\n
 * </pre>
 * A file of another version, or one that does not parse, reads as absent: callers then fall back to
 * the safe path (for the clean-shutdown marker: full verification of the last segment).
 *
 * <p>Two are used: {@code .clean-shutdown} ({@link #CLEAN_SHUTDOWN}: base offset and size of the last
 * segment, whose index files are then current) and {@code .log-start} ({@link #LOG_START}: the first
 * offset retention has not deleted; segments below it are expired, a missing segment above it is damage).
 */
final class LogMarker {
    private static final Logger LOG = LoggerFactory.getLogger(LogMarker.class);
    static final int VERSION = 1;
    static final String CLEAN_SHUTDOWN = ".clean-shutdown";
    static final String LOG_START = ".log-start";

    private final Path file;
    private final int fields;

    LogMarker(Path dir, String name, int fields) {
        this.file = dir.resolve(name);
        this.fields = fields;
    }

    /** The numbers, or empty if the file is missing, of an unknown version or malformed. */
    Optional<long[]> read() throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        String[] parts = Files.readString(file, StandardCharsets.US_ASCII).trim().split(" ");
        if (parts.length != fields + 1 || !parts[0].equals("v" + VERSION)) {
            LOG.warn("{} is not a version {} marker with {} numbers: ignoring it", file, VERSION, fields);
            return Optional.empty();
        }
        try {
            return Optional.of(Arrays.stream(parts, 1, parts.length).mapToLong(Long::parseLong).toArray());
        } catch (NumberFormatException e) {
            LOG.warn("{} does not parse: ignoring it", file);
            return Optional.empty();
        }
    }

    void write(long... values) throws IOException {
        if (values.length != fields) {
            throw new IllegalArgumentException(file.getFileName() + " holds " + fields + " numbers, not " + values.length);
        }
        StringBuilder line = new StringBuilder("v").append(VERSION);
        for (long v : values) {
            line.append(' ').append(v);
        }
        DurableFile.write(file, line.append('\n').toString().getBytes(StandardCharsets.US_ASCII));
    }

    /** Deletes the file durably (a no-op if it is missing). */
    void delete() throws IOException {
        DurableFile.delete(file);
    }
}
