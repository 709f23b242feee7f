package io.riffle.stream;

import io.riffle.model.HashKeys;
import io.riffle.model.ShardDescription;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Finds the open shard whose hash key range holds a record's hash key, without a {@code BigInteger} per
 * record (the put path routes every record; RESULTS.md's profile). A 128-bit hash key is two unsigned
 * longs, high then low; the ranges are precomputed the same way, so the search compares longs. The result is
 * exactly {@link HashKeys#route}'s: the MD5 of the UTF-8 partition key, or the explicit hash key if given,
 * with inclusive range ends.
 */
final class HashRanges {
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required of every JVM", e);
        }
    });

    private final List<ShardDescription> sorted;
    /** {@code bounds[4i..4i+3]}: shard i's start high, start low, end high, end low. */
    private final long[] bounds;

    /** @param sorted open shards, sorted by range start, not overlapping */
    HashRanges(List<ShardDescription> sorted) {
        this.sorted = sorted;
        this.bounds = new long[sorted.size() * 4];
        for (int i = 0; i < sorted.size(); i++) {
            BigInteger start = sorted.get(i).hashKeyRange().start();
            BigInteger end = sorted.get(i).hashKeyRange().end();
            bounds[4 * i] = high(start);
            bounds[4 * i + 1] = start.longValue();
            bounds[4 * i + 2] = high(end);
            bounds[4 * i + 3] = end.longValue();
        }
    }

    /** The shard for an entry, or null if no range holds its hash key. */
    ShardDescription find(PutEntry e) {
        if (e.explicitHashKey().isPresent()) {
            BigInteger key = HashKeys.parseExplicit(e.explicitHashKey().get()); // rare: clients seldom set one
            return find(high(key), key.longValue());
        }
        byte[] digest = MD5.get().digest(e.partitionKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return find((long) LONG_BE.get(digest, 0), (long) LONG_BE.get(digest, 8));
    }

    /** The shard whose range holds the unsigned 128-bit key {@code high:low}, or null. */
    ShardDescription find(long high, long low) {
        int lo = 0;
        int hi = sorted.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (compare(high, low, bounds[4 * mid], bounds[4 * mid + 1]) < 0) {
                hi = mid - 1;
            } else if (compare(high, low, bounds[4 * mid + 2], bounds[4 * mid + 3]) > 0) {
                lo = mid + 1;
            } else {
                return sorted.get(mid);
            }
        }
        return null;
    }

    static long high(BigInteger key) {
        return key.shiftRight(64).longValue();
    }

    private static int compare(long aHigh, long aLow, long bHigh, long bLow) {
        int c = Long.compareUnsigned(aHigh, bHigh);
        return c != 0 ? c : Long.compareUnsigned(aLow, bLow);
    }
}
