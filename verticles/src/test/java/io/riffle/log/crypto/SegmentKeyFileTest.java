package io.riffle.log.crypto;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SegmentKeyFileTest {
    @Test
    void sidecarComesBackFromDiskWithTheKeyringOnly(@TempDir Path root) throws Exception {
        Path shard = Files.createDirectories(root.resolve("shardId-000000000000"));
        Keyring ring = Keyring.parse(CryptoTest.keyring(true).getBytes(StandardCharsets.UTF_8));
        DataKey written = SegmentKeyFile.create(shard, "00000000000000000000", ring.usable("alias/riffle"));
        byte[] plain = "payload-after-start".getBytes(StandardCharsets.UTF_8);
        byte[] sealed = new FrameSeal(written).seal((byte) 2, 0, 1, plain);

        byte[] sidecar = Files.readAllBytes(SegmentKeyFile.path(shard, "00000000000000000000"));
        assertFalse(new String(sidecar, StandardCharsets.ISO_8859_1).contains("payload"));

        // A new Keyring, as after a restart.
        Keyring reloaded = Keyring.parse(CryptoTest.keyring(true).getBytes(StandardCharsets.UTF_8));
        DataKey read = SegmentKeyFile.read(shard, "00000000000000000000", reloaded).orElseThrow();
        assertArrayEquals(plain, new FrameSeal(read).open((byte) 2, 0, 1, sealed, 0, sealed.length).orElseThrow());

        assertTrue(SegmentKeyFile.read(shard, "00000000000000000100", reloaded).isEmpty(), "plain segment");
        Files.copy(SegmentKeyFile.path(shard, "00000000000000000000"), SegmentKeyFile.path(shard, "00000000000000000200"));
        assertThrows(DataKey.CorruptKeyException.class, () -> SegmentKeyFile.read(shard, "00000000000000000200", reloaded));
        Keyring disabled = Keyring.parse(CryptoTest.keyring(false).getBytes(StandardCharsets.UTF_8));
        assertEquals("KMSDisabledException", assertThrows(KmsException.class,
                () -> SegmentKeyFile.read(shard, "00000000000000000000", disabled)).errorType());
    }
}
