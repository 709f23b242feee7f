package io.riffle.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableFileTest {
    @TempDir
    Path dir;

    @Test
    void writeCreatesTheFileAndLeavesNoTemporaryFile() throws IOException {
        Path file = dir.resolve("stream.json");
        DurableFile.write(file, "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(file).hasContent("{}");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void writeReplacesTheWholeContent() throws IOException {
        Path file = dir.resolve("stream.json");
        DurableFile.write(file, "a much longer first version".getBytes(StandardCharsets.UTF_8));
        DurableFile.write(file, "short".getBytes(StandardCharsets.UTF_8));
        assertThat(file).hasContent("short");
    }

    @Test
    void aTemporaryFileLeftByACrashIsReplaced() throws IOException {
        Path file = dir.resolve("key");
        Files.writeString(dir.resolve("key.tmp"), "torn");
        DurableFile.write(file, new byte[] {1, 2, 3});
        assertThat(Files.readAllBytes(file)).containsExactly(1, 2, 3);
        assertThat(dir.resolve("key.tmp")).doesNotExist();
    }

    @Test
    void aFailedWriteLeavesTheOldContent() throws IOException {
        Path file = dir.resolve("stream.json");
        DurableFile.write(file, "old".getBytes(StandardCharsets.UTF_8));
        // A directory where the temporary file must go: the write fails before the rename.
        Files.createDirectory(dir.resolve("stream.json.tmp"));
        Files.writeString(dir.resolve("stream.json.tmp/x"), "x");
        assertThatThrownBy(() -> DurableFile.write(file, "new".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IOException.class);
        assertThat(file).hasContent("old");
    }

    @Test
    void permissionsApplyFromTheStart() throws IOException {
        Path file = dir.resolve("secret");
        DurableFile.write(file, new byte[32], PosixFilePermissions.fromString("rw-------"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void createDirectoryRefusesAnExistingOne() throws IOException {
        DurableFile.createDirectory(dir.resolve("s"));
        assertThat(dir.resolve("s")).isDirectory();
        assertThatThrownBy(() -> DurableFile.createDirectory(dir.resolve("s"))).isInstanceOf(FileAlreadyExistsException.class);
    }

    @Test
    void deleteSaysWhetherTheFileWasThere() throws IOException {
        Path file = dir.resolve("marker");
        DurableFile.write(file, new byte[0]);
        assertThat(DurableFile.delete(file)).isTrue();
        assertThat(DurableFile.delete(file)).isFalse();
        assertThat(file).doesNotExist();
    }
}
