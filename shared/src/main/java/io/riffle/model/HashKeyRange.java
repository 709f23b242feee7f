package io.riffle.model;

import io.riffle.error.RiffleException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/** An inclusive range of the 128-bit hash key space {@code [0, 2^128-1]} owned by one shard. */
public record HashKeyRange(BigInteger start, BigInteger end) {
    public static final BigInteger MAX = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);
    public static final HashKeyRange ALL = new HashKeyRange(BigInteger.ZERO, MAX);

    public HashKeyRange {
        if (start.signum() < 0 || end.compareTo(MAX) > 0 || start.compareTo(end) > 0) {
            throw RiffleException.invalidArgument("Invalid hash key range [" + start + ", " + end + "]");
        }
    }

    public boolean contains(BigInteger hashKey) {
        return start.compareTo(hashKey) <= 0 && hashKey.compareTo(end) <= 0;
    }

    /**
     * Splits the whole key space evenly over {@code n} shards as CreateStream does: {@code floor(2^128/n)}
     * keys per shard, the last shard running to {@code 2^128-1}.
     */
    public static List<HashKeyRange> evenSplit(int n) {
        if (n < 1) {
            throw RiffleException.invalidArgument("Shard count must be at least 1, got " + n);
        }
        BigInteger width = BigInteger.ONE.shiftLeft(128).divide(BigInteger.valueOf(n));
        List<HashKeyRange> ranges = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            BigInteger s = width.multiply(BigInteger.valueOf(i));
            BigInteger e = i == n - 1 ? MAX : s.add(width).subtract(BigInteger.ONE);
            ranges.add(new HashKeyRange(s, e));
        }
        return List.copyOf(ranges);
    }
}
