package io.riffle.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.model.HashKeyRange;
import io.riffle.model.HashKeys;
import io.riffle.model.ShardDescription;
import io.riffle.model.ShardId;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** HashRanges' long-pair search answers what a BigInteger search of the same ranges answers. */
class HashRangesTest {
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    private static List<ShardDescription> shards(List<HashKeyRange> ranges) {
        List<ShardDescription> shards = new ArrayList<>();
        for (int i = 0; i < ranges.size(); i++) {
            shards.add(ShardDescription.child(new ShardId(i), new ShardId(0), Optional.empty(), ranges.get(i)));
        }
        return shards;
    }

    /** The reference: the shard whose BigInteger range contains the key. */
    private static ShardDescription byBigInteger(List<ShardDescription> shards, BigInteger key) {
        return shards.stream().filter(s -> s.hashKeyRange().contains(key)).findFirst().orElse(null);
    }

    private static ShardDescription byLongs(HashRanges ranges, BigInteger key) {
        return ranges.find(HashRanges.high(key), key.longValue());
    }

    @Test
    void edgeKeysRouteAsWithBigInteger() {
        for (int n : new int[] {1, 2, 3, 7, 16}) {
            List<ShardDescription> shards = shards(HashKeyRange.evenSplit(n));
            HashRanges ranges = new HashRanges(shards);
            List<BigInteger> keys = new ArrayList<>(List.of(BigInteger.ZERO, BigInteger.ONE, HashKeyRange.MAX,
                    HashKeyRange.MAX.subtract(BigInteger.ONE), TWO_64, TWO_64.subtract(BigInteger.ONE),
                    BigInteger.ONE.shiftLeft(63), BigInteger.ONE.shiftLeft(127), BigInteger.ONE.shiftLeft(127).subtract(BigInteger.ONE)));
            for (ShardDescription s : shards) { // every boundary and its neighbours
                for (BigInteger b : List.of(s.hashKeyRange().start(), s.hashKeyRange().end())) {
                    keys.add(b);
                    keys.add(b.add(BigInteger.ONE).min(HashKeyRange.MAX));
                    keys.add(b.subtract(BigInteger.ONE).max(BigInteger.ZERO));
                }
            }
            for (BigInteger key : keys) {
                assertThat(byLongs(ranges, key)).as("%d shards, key %s", n, key).isNotNull()
                        .isEqualTo(byBigInteger(shards, key));
            }
        }
    }

    @Test
    void rangesWithAGapOrBoundariesInsideOneLongAreExact() {
        BigInteger a = TWO_64.multiply(BigInteger.valueOf(5)).add(BigInteger.valueOf(100));
        List<ShardDescription> shards = shards(List.of(new HashKeyRange(BigInteger.ZERO, a),
                new HashKeyRange(a.add(BigInteger.TWO), TWO_64.multiply(BigInteger.valueOf(5)).add(new BigInteger("18446744073709551615"))),
                new HashKeyRange(TWO_64.multiply(BigInteger.valueOf(6)), HashKeyRange.MAX)));
        HashRanges ranges = new HashRanges(shards);
        for (BigInteger key : List.of(BigInteger.ZERO, a, a.add(BigInteger.ONE), a.add(BigInteger.TWO),
                TWO_64.multiply(BigInteger.valueOf(6)).subtract(BigInteger.ONE), TWO_64.multiply(BigInteger.valueOf(6)),
                HashKeyRange.MAX)) {
            assertThat(byLongs(ranges, key)).as("key %s", key).isEqualTo(byBigInteger(shards, key));
        }
        assertThat(byLongs(ranges, a.add(BigInteger.ONE))).isNull(); // the gap
    }

    @Test
    void entriesRouteByTheirPartitionKeysMd5OrTheExplicitHashKey() {
        List<ShardDescription> shards = shards(HashKeyRange.evenSplit(5));
        HashRanges ranges = new HashRanges(shards);
        for (int i = 0; i < 2000; i++) {
            String key = "key-" + i + "-é";
            assertThat(ranges.find(PutEntry.of(key, new byte[0]))).isEqualTo(byBigInteger(shards, HashKeys.md5(key)));
        }
        for (BigInteger explicit : List.of(BigInteger.ZERO, HashKeyRange.MAX, shards.get(2).hashKeyRange().start(),
                shards.get(2).hashKeyRange().end())) {
            PutEntry e = new PutEntry("k", Optional.of(explicit.toString()), new byte[0]);
            assertThat(ranges.find(e)).isEqualTo(byBigInteger(shards, explicit));
        }
    }
}
