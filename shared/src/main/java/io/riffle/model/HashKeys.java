package io.riffle.model;

import io.riffle.error.RiffleException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Routing: which hash key a record has, from its partition key or an explicit hash key. */
public final class HashKeys {
    /** Kinesis's limit, in Unicode characters. */
    public static final int MAX_PARTITION_KEY_CHARS = 256;

    private HashKeys() {
    }

    /** Validates a partition key: 1..256 Unicode characters. */
    public static String requirePartitionKey(String partitionKey) {
        return PARTITION_KEY_REQUIRED.require(partitionKey);
    }

    /** Built once: every record's key is checked against it. */
    private static final Constraint PARTITION_KEY_REQUIRED = Constraints.PARTITION_KEY.required();

    /** The MD5 of the UTF-8 partition key, read as an unsigned 128-bit integer. */
    public static BigInteger md5(String partitionKey) {
        try {
            byte[] digest = MessageDigest.getInstance("MD5").digest(partitionKey.getBytes(StandardCharsets.UTF_8));
            return new BigInteger(1, digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required of every JVM", e);
        }
    }

    /** Parses and validates an {@code ExplicitHashKey}: a decimal in {@code [0, 2^128-1]}. */
    public static BigInteger parseExplicit(String explicitHashKey) {
        Constraints.EXPLICIT_HASH_KEY.require(explicitHashKey);
        BigInteger key = new BigInteger(explicitHashKey);
        if (key.compareTo(HashKeyRange.MAX) > 0) {
            throw RiffleException.invalidArgument("Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was " + explicitHashKey);
        }
        return key;
    }

    /** The hash key a record routes by: the explicit one if given, else the partition key's MD5. */
    public static BigInteger route(String partitionKey, String explicitHashKeyOrNull) {
        return explicitHashKeyOrNull == null ? md5(partitionKey) : parseExplicit(explicitHashKeyOrNull);
    }
}
