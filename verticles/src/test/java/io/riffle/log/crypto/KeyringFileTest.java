package io.riffle.log.crypto;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyringFileTest {
    @Test
    void disablingAKeyInTheFileTakesEffectOnReloadAndABadFileIsIgnored(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("keyring.json");
        Files.writeString(file, CryptoTest.keyring(true));
        KeyringFile ring = new KeyringFile(file);
        assertEquals(CryptoTest.ARN, ring.keyring().usable("alias/riffle").arn());
        assertFalse(ring.reloadIfChanged(), "unchanged");

        Files.writeString(file, CryptoTest.keyring(false));
        assertTrue(ring.reloadIfChanged());
        assertEquals("KMSDisabledException",
                assertThrows(KmsException.class, () -> ring.keyring().usable("alias/riffle")).errorType());

        Files.writeString(file, "{\"keys\": 3}");
        assertFalse(ring.reloadIfChanged(), "invalid file keeps the previous keyring");
        assertEquals("KMSDisabledException",
                assertThrows(KmsException.class, () -> ring.keyring().usable("alias/riffle")).errorType());
    }

    @Test
    void anInvalidFileAtStartIsAnError(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("keyring.json");
        Files.writeString(file, "{\"keys\":[{\"keyId\":\"not-an-arn\"}]}");
        assertThrows(java.io.IOException.class, () -> new KeyringFile(file));
    }
}
