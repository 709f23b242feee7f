package io.riffle.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeIdentityTest {
    @TempDir
    Path dir;

    @Test
    void theFirstStartWritesAnIdThatEveryLaterStartReadsBack() throws IOException {
        String first = NodeIdentity.loadOrCreate(dir);

        assertThat(Files.readString(dir.resolve(NodeIdentity.FILE))).contains(first);
        assertThat(NodeIdentity.loadOrCreate(dir)).isEqualTo(first);
    }

    @Test
    void twoDataDirectoriesAreTwoNodes(@TempDir Path other) throws IOException {
        assertThat(NodeIdentity.loadOrCreate(dir)).isNotEqualTo(NodeIdentity.loadOrCreate(other));
    }

    @Test
    void aDamagedOrNewerFileStopsTheStartInsteadOfMintingANewId() throws IOException {
        Path file = dir.resolve(NodeIdentity.FILE);
        Files.writeString(file, "{not json");
        assertThatThrownBy(() -> NodeIdentity.loadOrCreate(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("not a node identity");
        Files.writeString(file, "{\"formatVersion\":9,\"nodeId\":\"x\"}");
        assertThatThrownBy(() -> NodeIdentity.loadOrCreate(dir)).hasMessageContaining("format version 9");
        Files.writeString(file, "{\"formatVersion\":1}");
        assertThatThrownBy(() -> NodeIdentity.loadOrCreate(dir)).hasMessageContaining("no nodeId");
        assertThat(Files.readString(file)).isEqualTo("{\"formatVersion\":1}");
    }
}
