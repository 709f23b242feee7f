package io.riffle.log.crypto;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CryptoTest {
    static final String ARN = "arn:aws:kms:us-east-1:000000000000:key/1f0c0000-0000-0000-0000-000000000001";
    static final String OFF = "arn:aws:kms:us-east-1:000000000000:key/off";

    static String keyring(boolean enabled) {
        String m1 = Base64.getEncoder().encodeToString(filled(32, 7));
        String m2 = Base64.getEncoder().encodeToString(filled(32, 9));
        return "{\"keys\":[{\"keyId\":\"" + ARN + "\",\"aliases\":[\"alias/riffle\"],\"material\":\"" + m1
                + "\",\"enabled\":" + enabled + "},{\"keyId\":\"" + OFF + "\",\"material\":\"" + m2 + "\",\"enabled\":false}]}";
    }

    static byte[] filled(int n, int b) {
        byte[] a = new byte[n];
        Arrays.fill(a, (byte) b);
        return a;
    }

    @Test
    void resolvesArnIdAliasAndAliasArn(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("keyring.json");
        Files.writeString(file, keyring(true));
        Keyring ring = Keyring.load(file);
        for (String name : new String[] {ARN, "1f0c0000-0000-0000-0000-000000000001", "alias/riffle",
                "arn:aws:kms:us-east-1:000000000000:alias/riffle"}) {
            assertEquals(ARN, ring.usable(name).arn(), name);
        }
        assertEquals("KMSNotFoundException", assertThrows(KmsException.class, () -> ring.usable("alias/nope")).errorType());
        assertEquals("KMSDisabledException", assertThrows(KmsException.class, () -> ring.usable(OFF)).errorType());
    }

    @Test
    void rejectsShortMaterialAndDuplicateNames() {
        assertThrows(IOException.class, () -> Keyring.parse(("{\"keys\":[{\"keyId\":\"" + ARN + "\",\"material\":\"AAAA\"}]}")
                .getBytes(StandardCharsets.UTF_8)));
        String m = Base64.getEncoder().encodeToString(filled(32, 1));
        String k = "{\"keyId\":\"" + ARN + "\",\"material\":\"" + m + "\"}";
        assertThrows(IOException.class, () -> Keyring.parse(("{\"keys\":[" + k + "," + k + "]}").getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void wrappedKeySurvivesAndSealsFrames() throws Exception {
        Keyring ring = Keyring.parse(keyring(true).getBytes(StandardCharsets.UTF_8));
        MasterKey master = ring.usable("alias/riffle");
        DataKey key = DataKey.generate(master);
        byte[] sidecar = key.wrap(master, "s/shardId-000000000000/0");
        byte[] plain = "secret-record-payload".getBytes(StandardCharsets.UTF_8);
        byte[] sealed = new FrameSeal(key).seal((byte) 2, 5, 1000, plain);
        assertFalse(new String(sealed, StandardCharsets.ISO_8859_1).contains("secret"));

        // As after a restart: the data key comes back from the sidecar and the keyring only.
        DataKey back = DataKey.unwrap(sidecar, Keyring.parse(keyring(true).getBytes(StandardCharsets.UTF_8)), "s/shardId-000000000000/0");
        assertEquals(ARN, back.masterArn());
        FrameSeal open = new FrameSeal(back);
        assertArrayEquals(plain, open.open((byte) 2, 5, 1000, sealed, 0, sealed.length).orElseThrow());
        assertTrue(open.open((byte) 2, 6, 1000, sealed, 0, sealed.length).isEmpty(), "moved to another offset");
        sealed[sealed.length - 1] ^= 1;
        assertTrue(open.open((byte) 2, 5, 1000, sealed, 0, sealed.length).isEmpty(), "tampered");

        assertThrows(DataKey.CorruptKeyException.class, () -> DataKey.unwrap(sidecar, ring, "s/shardId-000000000000/1"));
        Keyring disabled = Keyring.parse(keyring(false).getBytes(StandardCharsets.UTF_8));
        assertEquals("KMSDisabledException",
                assertThrows(KmsException.class, () -> DataKey.unwrap(sidecar, disabled, "s/shardId-000000000000/0")).errorType());
    }
}
