package io.riffle.kinesis;

import java.util.function.Supplier;
import io.riffle.log.DurableFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.regex.Pattern;

/**
 * What the Kinesis API needs beyond the engine.
 *
 * @param region                  the region stream and consumer ARNs name (any string, e.g. {@code us-east-1})
 * @param accountId               the 12-digit account id stream and consumer ARNs name
 * @param tokenKey                the 256-bit AES key that seals shard iterators and paging tokens; the same
 *                                key must survive restarts, or every issued iterator becomes invalid. In a
 *                                cluster it is the catalog's, the same on every node, and null until this
 *                                node has received the catalog
 * @param clock                   time source for iterator expiry; tests inject a movable one
 */
public record KinesisSettings(String region, String accountId, Supplier<byte[]> tokenKey, Clock clock) {
    private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");
    private static final Pattern REGION = Pattern.compile("[a-z0-9-]{1,64}");
    /** Name of the file under the data dir that keeps the token key across restarts. */
    public static final String KEY_FILE = "kinesis-token.key";
    public static final String DEFAULT_REGION = "us-east-1";
    public static final String DEFAULT_ACCOUNT = "000000000000";

    public KinesisSettings {
        if (region == null || !REGION.matcher(region).matches()) {
            throw new IllegalArgumentException("kinesis region must match [a-z0-9-]{1,64}, got " + region);
        }
        if (accountId == null || !ACCOUNT.matcher(accountId).matches()) {
            throw new IllegalArgumentException("kinesis account id must be 12 digits, got " + accountId);
        }
        if (tokenKey == null) {
            throw new IllegalArgumentException("kinesis token key is required");
        }
    }

    /**
     * Settings whose token key lives in {@code dataDir/kinesis-token.key}: read if present, else created
     * (32 random bytes, owner-only permissions where the file system allows). Blocking: call at node start.
     */
    public static KinesisSettings load(Path dataDir, String region, String accountId) {
        byte[] key = loadOrCreateKey(dataDir.resolve(KEY_FILE));
        return new KinesisSettings(region, accountId, key::clone, Clock.systemUTC());
    }

    /** Settings of a clustered node: iterators are sealed with the cluster catalog's key, the same on every node. */
    public static KinesisSettings clustered(String region, String accountId, Supplier<byte[]> catalogKey) {
        return new KinesisSettings(region, accountId, catalogKey, Clock.systemUTC());
    }

    public KinesisSettings withClock(Clock c) {
        return new KinesisSettings(region, accountId, tokenKey, c);
    }

    private static byte[] loadOrCreateKey(Path file) {
        try {
            if (Files.exists(file)) {
                byte[] key = Files.readAllBytes(file);
                if (key.length != 32) {
                    throw new IllegalStateException("Kinesis token key file " + file + " must hold 32 bytes, holds " + key.length);
                }
                return key;
            }
            Files.createDirectories(file.getParent());
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            // Owner-only from the first byte (where the file system has permissions), fsynced and renamed
            // atomically, so a crash never leaves a torn key that would invalidate every issued iterator.
            DurableFile.write(file, key, PosixFilePermissions.fromString("rw-------"));
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or create the Kinesis token key " + file, e);
        }
    }

    @Override
    public String toString() {
        return "KinesisSettings[region=" + region + ", accountId=" + accountId + "]";
    }
}
