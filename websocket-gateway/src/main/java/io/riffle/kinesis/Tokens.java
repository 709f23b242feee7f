package io.riffle.kinesis;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.model.Limits;
import io.riffle.model.ShardId;
import io.riffle.model.StreamName;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Shard iterators and paging tokens: opaque bearer tokens sealed with AES-256-GCM, so a client can neither
 * read nor forge them, and each binds what it was issued for plus its issue time.
 *
 * <p>Token layout: the format letter {@code A}, then base64url (no padding) of
 * <pre>
 *   nonce      12 bytes, random
 *   ciphertext of: kind u8 | issuedMillis i64 BE | payload
 *   GCM tag    16 bytes (the kind byte is also the additional authenticated data)
 * </pre>
 * Shard iterator payload: {@code offset i64 BE | shardIndex i32 BE | stream name UTF-8} (at most 128 bytes,
 * so an iterator stays far below Kinesis's 512 characters). Paging token payload: the UTF-8 text to resume
 * after. The leading letter is there because base64url may start with {@code -}: the AWS CLI (like most
 * command-line parsers) takes {@code --shard-iterator -K...} for an option and refuses it. Thread-safe: a
 * fresh {@link Cipher} per call.
 */
public final class Tokens {
    /** What a token was issued for; a token of one kind is refused where another is expected. */
    public enum Kind {
        SHARD_ITERATOR, LIST_STREAMS, LIST_SHARDS, LIST_CONSUMERS
    }

    /** A shard iterator's content. */
    public record ShardPosition(StreamName stream, ShardId shard, long offset) {
    }

    /** Format letter: never {@code -}, so a token is never mistaken for a command-line option. */
    private static final char FORMAT = 'A';
    private static final int NONCE = 12;
    private static final int TAG_BITS = 128;
    private static final long NEXT_TOKEN_TTL_MILLIS = 300_000;
    private final java.util.function.Supplier<byte[]> keySource;
    private volatile SecretKeySpec key;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    /** Tokens sealed with the 32-byte key {@code keySource} gives; it gives null while a cluster node has no catalog yet. */
    public Tokens(java.util.function.Supplier<byte[]> keySource, Clock clock) {
        this.keySource = keySource;
        this.clock = clock;
    }

    /** The sealing key, read once it exists (it never changes afterwards). */
    private SecretKeySpec key() {
        SecretKeySpec k = key;
        if (k == null) {
            byte[] bytes = keySource.get();
            if (bytes == null) {
                throw new RiffleException(ErrorCode.SERVICE_UNAVAILABLE,
                        "This node has not received the cluster's catalog yet; retry");
            }
            if (bytes.length != 32) {
                throw new IllegalStateException("The token key must be 32 bytes, not " + bytes.length);
            }
            k = new SecretKeySpec(bytes, "AES");
            key = k;
        }
        return k;
    }

    public String shardIterator(StreamName stream, ShardId shard, long offset) {
        byte[] name = stream.value().getBytes(StandardCharsets.UTF_8);
        ByteBuffer payload = ByteBuffer.allocate(12 + name.length).putLong(offset).putInt(shard.index()).put(name);
        return seal(Kind.SHARD_ITERATOR, payload.array());
    }

    /**
     * Opens a shard iterator: InvalidArgumentException if it is not one Riffle issued (with this key),
     * ExpiredIteratorException if it is older than 5 minutes.
     */
    public ShardPosition openShardIterator(String iterator) {
        ByteBuffer b = ByteBuffer.wrap(open(Kind.SHARD_ITERATOR, iterator, Limits.ITERATOR_TTL_MILLIS,
                ErrorCode.EXPIRED_ITERATOR, "Invalid ShardIterator."));
        long offset = b.getLong();
        int shard = b.getInt();
        String stream = StandardCharsets.UTF_8.decode(b).toString();
        return new ShardPosition(StreamName.of(stream), new ShardId(shard), offset);
    }

    /** A paging token that resumes after {@code lastReturned}. */
    public String nextToken(Kind kind, String lastReturned) {
        return seal(kind, lastReturned.getBytes(StandardCharsets.UTF_8));
    }

    /** Opens a paging token: InvalidArgumentException if forged, ExpiredNextTokenException after 5 minutes. */
    public String openNextToken(Kind kind, String token) {
        return new String(open(kind, token, NEXT_TOKEN_TTL_MILLIS, ErrorCode.EXPIRED_NEXT_TOKEN, "Invalid NextToken."),
                StandardCharsets.UTF_8);
    }

    private String seal(Kind kind, byte[] payload) {
        byte[] nonce = new byte[NONCE];
        random.nextBytes(nonce);
        ByteBuffer plain = ByteBuffer.allocate(9 + payload.length).put((byte) kind.ordinal())
                .putLong(clock.millis()).put(payload);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key(), new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(new byte[] {(byte) kind.ordinal()});
            byte[] sealed = c.doFinal(plain.array());
            byte[] out = Arrays.copyOf(nonce, NONCE + sealed.length);
            System.arraycopy(sealed, 0, out, NONCE, sealed.length);
            return FORMAT + Base64.getUrlEncoder().withoutPadding().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is required of every JVM", e);
        }
    }

    private byte[] open(Kind kind, String token, long ttlMillis, ErrorCode expired, String invalidMessage) {
        if (token.isEmpty() || token.charAt(0) != FORMAT) {
            throw RiffleException.invalidArgument(invalidMessage);
        }
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(token.substring(1));
        } catch (IllegalArgumentException e) {
            throw RiffleException.invalidArgument(invalidMessage);
        }
        if (raw.length < NONCE + 9 + TAG_BITS / 8) {
            throw RiffleException.invalidArgument(invalidMessage);
        }
        byte[] plain;
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key(), new GCMParameterSpec(TAG_BITS, raw, 0, NONCE));
            c.updateAAD(new byte[] {(byte) kind.ordinal()});
            plain = c.doFinal(raw, NONCE, raw.length - NONCE);
        } catch (GeneralSecurityException e) {
            // A wrong tag, a token of another kind, or one sealed with another key.
            throw RiffleException.invalidArgument(invalidMessage);
        }
        ByteBuffer b = ByteBuffer.wrap(plain);
        if (b.get() != kind.ordinal()) {
            throw RiffleException.invalidArgument(invalidMessage);
        }
        long issued = b.getLong();
        long now = clock.millis();
        if (now - issued > ttlMillis) {
            String what = kind == Kind.SHARD_ITERATOR ? "Iterator" : "NextToken";
            throw new RiffleException(expired, what + " expired. The " + what.toLowerCase() + " was created at time "
                    + java.time.Instant.ofEpochMilli(issued) + " while right now it is " + java.time.Instant.ofEpochMilli(now)
                    + " which is further in the future than the tolerated delay of " + ttlMillis + " milliseconds.");
        }
        byte[] payload = new byte[b.remaining()];
        b.get(payload);
        return payload;
    }
}
