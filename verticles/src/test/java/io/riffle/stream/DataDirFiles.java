package io.riffle.stream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** What tests compare to prove an operation left files alone: every file under a directory and its bytes. */
final class DataDirFiles {
    private DataDirFiles() {
    }

    /** Relative path to content hash of every regular file under {@code dir} (empty if it does not exist). */
    static Map<String, Integer> snapshot(Path dir) {
        Map<String, Integer> files = new TreeMap<>();
        if (!Files.exists(dir)) {
            return files;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                files.put(dir.relativize(p).toString(), Arrays.hashCode(Files.readAllBytes(p)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /** The directory under {@code <dataDir>/streams} whose metadata names {@code stream}. */
    static Path streamDir(Path dataDir, String stream) {
        try (Stream<Path> dirs = Files.list(dataDir.resolve("streams"))) {
            for (Path d : dirs.toList()) {
                Path meta = d.resolve("stream.json");
                if (Files.isRegularFile(meta)
                        && new io.vertx.core.json.JsonObject(Files.readString(meta)).getString("name").equals(stream)) {
                    return d;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("No directory under " + dataDir + "/streams holds stream " + stream);
    }
}
