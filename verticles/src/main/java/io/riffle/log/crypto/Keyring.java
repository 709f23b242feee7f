package io.riffle.log.crypto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The master keys of a node, parsed from the keyring file (format in docs/encryption.md). Immutable: a
 * reload builds a new Keyring. Resolves a KeyId as AWS KMS does: key ARN, bare key id, alias name or
 * alias ARN.
 */
public final class Keyring {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, MasterKey> byName;

    private Keyring(Map<String, MasterKey> byName) {
        this.byName = Map.copyOf(byName);
    }

    public static Keyring empty() {
        return new Keyring(Map.of());
    }

    public static Keyring load(Path file) throws IOException {
        return parse(Files.readAllBytes(file));
    }

    static Keyring parse(byte[] json) throws IOException {
        JsonNode keys = JSON.readTree(json).path("keys");
        if (!keys.isArray()) {
            throw new IOException("keyring: \"keys\" must be an array");
        }
        Map<String, MasterKey> names = new HashMap<>();
        for (JsonNode k : keys) {
            String arn = k.path("keyId").asText("");
            int slash = arn.indexOf(":key/");
            if (!arn.startsWith("arn:") || slash < 0) {
                throw new IOException("keyring: keyId must be a key ARN (arn:aws:kms:<region>:<account>:key/<id>), got '" + arn + "'");
            }
            List<String> aliases = new ArrayList<>();
            k.path("aliases").forEach(a -> aliases.add(a.asText()));
            MasterKey key;
            try {
                key = new MasterKey(arn, aliases, Base64.getDecoder().decode(k.path("material").asText("")),
                        k.path("enabled").asBoolean(true));
            } catch (IllegalArgumentException e) {
                throw new IOException("keyring: " + e.getMessage(), e);
            }
            String prefix = arn.substring(0, slash + 1); // arn:aws:kms:<region>:<account>:
            add(names, arn, key);
            add(names, arn.substring(slash + 5), key);
            for (String alias : aliases) {
                if (!alias.startsWith("alias/")) {
                    throw new IOException("keyring: alias must start with alias/, got '" + alias + "'");
                }
                add(names, alias, key);
                add(names, prefix + alias, key);
            }
        }
        return new Keyring(names);
    }

    private static void add(Map<String, MasterKey> names, String name, MasterKey key) throws IOException {
        if (names.putIfAbsent(name, key) != null) {
            throw new IOException("keyring: name '" + name + "' is used twice");
        }
    }

    /** The key a KeyId names, enabled; otherwise the KMS error AWS gives. */
    public MasterKey usable(String keyId) throws KmsException {
        MasterKey key = byName.get(keyId);
        if (key == null) {
            throw new KmsException("KMSNotFoundException", "Key '" + keyId + "' does not exist");
        }
        if (!key.enabled()) {
            throw new KmsException("KMSDisabledException", key.arn() + " is disabled.");
        }
        return key;
    }
}
