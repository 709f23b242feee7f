package io.riffle.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The principals a node knows and their secrets: from the credentials file (YAML, or JSON, which is YAML too)
 * and from the settings' single key. Thread-safe: readers see one immutable snapshot; {@link #reloadIfChanged()}
 * swaps in a new one when the file's content changed, and keeps the old one (logging an ERROR) when the new
 * content is invalid, so a half-saved file never locks everyone out.
 *
 * <p>File format:
 * <pre>{@code
 * principals:
 *   - name: alice                       # principal ARN arn:aws:iam::<accountId>:user/alice
 *     accessKeyId: AKIDALICE            # SigV4 key (optional)
 *     secretAccessKey: alice-secret
 *     tokens: [alice-browser-token]     # bearer tokens / API keys (optional); characters [A-Za-z0-9._~-]
 *     policies:                         # identity-based policies, IAM JSON shape
 *       - Statement:
 *           - Effect: Allow
 *             Action: "kinesis:*"
 *             Resource: "*"
 * }</pre>
 */
public final class CredentialStore {
    private static final Logger LOG = LoggerFactory.getLogger(CredentialStore.class);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9+=,.@_-]{1,64}");
    private static final Pattern ACCESS_KEY = Pattern.compile("[A-Za-z0-9]{4,128}");
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._~-]{16,512}");

    /** A SigV4 key: its secret and whose it is. */
    public record AccessKey(String secret, Principal principal) {
        @Override
        public String toString() {
            return "AccessKey[" + principal + "]";
        }
    }

    /** What one version of the file (plus the settings' key) says. */
    record Snapshot(Map<String, AccessKey> keys, Map<String, Principal> tokens, byte[] digest) {
    }

    private final Optional<Path> file;
    private final String accountId;
    private final List<Principal> fixed;
    private final Map<String, AccessKey> fixedKeys;
    private volatile Snapshot current;

    /**
     * Reads the file (if any) now.
     *
     * @param settingsKey a key from the settings (access key id, secret, principal name) with full access,
     *                    or empty
     * @throws IllegalArgumentException if the file cannot be read or is invalid
     */
    public CredentialStore(Optional<Path> file, String accountId, Optional<SecurityOptions.StaticKey> settingsKey) {
        this.file = file;
        this.accountId = accountId;
        Map<String, AccessKey> keys = new HashMap<>();
        List<Principal> principals = new ArrayList<>();
        settingsKey.ifPresent(k -> {
            Principal admin = new Principal(k.principalName(), Principal.arnOf(accountId, k.principalName()),
                    List.of(PolicyDocument.parse("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}", false)));
            keys.put(k.accessKeyId(), new AccessKey(k.secretAccessKey(), admin));
            principals.add(admin);
        });
        this.fixed = List.copyOf(principals);
        this.fixedKeys = Map.copyOf(keys);
        this.current = file.isPresent() ? read(file.get(), readBytes(file.get())) : new Snapshot(fixedKeys, Map.of(), new byte[0]);
    }

    /** The SigV4 key with this id, if any principal has it. */
    public Optional<AccessKey> accessKey(String accessKeyId) {
        return Optional.ofNullable(current.keys().get(accessKeyId));
    }

    /** The principal whose bearer token this is, if any. */
    public Optional<Principal> token(String token) {
        return Optional.ofNullable(current.tokens().get(sha256(token)));
    }

    /** How many principals can sign in, for the start-up log line. */
    public int size() {
        return (int) java.util.stream.Stream.concat(current.keys().values().stream().map(AccessKey::principal),
                current.tokens().values().stream()).distinct().count();
    }

    /**
     * Re-reads the file; swaps in its content if it changed and is valid. Blocking (a file read): call it
     * from a worker or a timer's blocking section.
     *
     * @return true if a new version is now in force
     */
    public boolean reloadIfChanged() {
        if (file.isEmpty()) {
            return false;
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file.get());
        } catch (IOException e) {
            LOG.error("Cannot read the credentials file {} ({}); keeping the credentials read before", file.get(), e.toString());
            return false;
        }
        if (Arrays.equals(digest(bytes), current.digest())) {
            return false;
        }
        try {
            current = read(file.get(), bytes);
            LOG.info("Reloaded the credentials file {}: {} principals", file.get(), size());
            return true;
        } catch (IllegalArgumentException e) {
            LOG.error("The credentials file {} is invalid, keeping the credentials read before: {}", file.get(), e.getMessage());
            return false;
        }
    }

    private static byte[] readBytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the credentials file " + file + " (" + e + ")");
        }
    }

    private Snapshot read(Path path, byte[] bytes) {
        JsonNode root;
        try {
            root = YAML.readTree(bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException("credentials file " + path + " is not valid YAML/JSON: " + e.getMessage());
        }
        JsonNode list = root == null ? null : root.get("principals");
        if (list == null || !list.isArray()) {
            throw new IllegalArgumentException("credentials file " + path + " must hold a list 'principals'");
        }
        Map<String, AccessKey> keys = new HashMap<>(fixedKeys);
        Map<String, Principal> tokens = new HashMap<>();
        List<String> names = new ArrayList<>(fixed.stream().map(Principal::name).toList());
        for (JsonNode p : list) {
            String name = p.path("name").asText("");
            String where = "credentials file " + path + ", principal '" + name + "'";
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException(where + ": name must match " + NAME.pattern());
            }
            if (names.contains(name)) {
                throw new IllegalArgumentException(where + ": the name is used twice");
            }
            names.add(name);
            List<PolicyDocument> policies = new ArrayList<>();
            for (JsonNode doc : p.path("policies")) {
                try {
                    policies.add(PolicyDocument.parse(doc, false));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(where + ": " + e.getMessage());
                }
            }
            Principal principal = new Principal(name, Principal.arnOf(accountId, name), policies);
            String id = p.path("accessKeyId").asText("");
            String secret = p.path("secretAccessKey").asText("");
            if (!id.isEmpty() || !secret.isEmpty()) {
                if (!ACCESS_KEY.matcher(id).matches() || secret.isEmpty()) {
                    throw new IllegalArgumentException(where + ": accessKeyId must match " + ACCESS_KEY.pattern()
                            + " and come with a non-empty secretAccessKey");
                }
                if (keys.putIfAbsent(id, new AccessKey(secret, principal)) != null) {
                    throw new IllegalArgumentException(where + ": access key id " + id + " is used twice");
                }
            }
            for (JsonNode t : p.path("tokens")) {
                String token = t.asText("");
                if (!TOKEN.matcher(token).matches()) {
                    throw new IllegalArgumentException(where + ": a token must be 16 to 512 characters of [A-Za-z0-9._~-]");
                }
                if (tokens.putIfAbsent(sha256(token), principal) != null) {
                    throw new IllegalArgumentException(where + ": a token is used twice");
                }
            }
        }
        return new Snapshot(Map.copyOf(keys), Map.copyOf(tokens), digest(bytes));
    }

    private static byte[] digest(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Tokens are looked up by their hash, so the map never holds them and lookups do not compare them. */
    private static String sha256(String token) {
        return HexFormat.of().formatHex(digest(token.getBytes(StandardCharsets.UTF_8)));
    }
}
