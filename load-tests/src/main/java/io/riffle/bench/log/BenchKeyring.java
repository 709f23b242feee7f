package io.riffle.bench.log;

import io.riffle.log.crypto.Keyring;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Random;

/** A one-key keyring file for the log benchmarks' encrypted runs. */
final class BenchKeyring {
    static final String ARN = "arn:aws:kms:us-east-1:000000000000:key/bench0000-0000-4000-8000-000000000000";

    private BenchKeyring() {
    }

    /** Writes the keyring next to {@code dir} and loads it. */
    static Keyring create(Path dir) throws IOException {
        byte[] material = new byte[32];
        new Random(7).nextBytes(material);
        Path file = dir.resolve("keyring.json");
        Files.writeString(file, "{\"keys\":[{\"keyId\":\"" + ARN + "\",\"material\":\""
                + Base64.getEncoder().encodeToString(material) + "\"}]}");
        return Keyring.load(file);
    }
}
