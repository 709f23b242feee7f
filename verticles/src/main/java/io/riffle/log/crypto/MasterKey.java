package io.riffle.log.crypto;

import java.util.List;

/** One keyring entry: its key ARN, alias names, 32 bytes of AES-256 material and whether it is enabled. */
public record MasterKey(String arn, List<String> aliases, byte[] material, boolean enabled) {
    public MasterKey {
        if (material.length != 32) {
            throw new IllegalArgumentException("key " + arn + ": material must be 32 bytes, is " + material.length);
        }
        aliases = List.copyOf(aliases);
    }
}
