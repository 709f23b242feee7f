package io.riffle.model;

import io.riffle.error.RiffleException;
import java.math.BigInteger;

/**
 * A record's sequence number: the shard it lives in and its offset in that shard's log.
 *
 * <p>Layout of the decimal value, as a 128-bit unsigned integer:
 * <pre>
 *   bit  124      : always 1, so every sequence number has exactly 38 decimal digits and string order
 *                   equals numeric order
 *   bits 64..95   : shard index (the N of shardId-N), unsigned 32 bits
 *   bits 0..62    : the record's offset in the shard log (0 for the shard's first record ever), 63 bits
 * </pre>
 * Within a shard, sequence numbers increase strictly with the offset; across shards of one stream they
 * differ in the shard bits, so they are unique within the stream. The engine maps a sequence number back
 * to a log position through the offset (the log's sparse offset index), never by scanning.
 */
public record SequenceNumber(int shardIndex, long offset) implements Comparable<SequenceNumber> {
    private static final BigInteger MARKER = BigInteger.ONE.shiftLeft(124);
    private static final BigInteger OFFSET_MASK = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    private static final int WIRE_DIGITS = 38;
    private static final long BILLION = 1_000_000_000L;

    public SequenceNumber {
        if (shardIndex < 0 || offset < 0) {
            throw RiffleException.invalidArgument("Invalid sequence number parts: shard " + shardIndex + ", offset " + offset);
        }
    }

    /**
     * The decimal wire form: {@code 2^124 + shardIndex * 2^64 + offset}. Computed without BigInteger,
     * since the push path formats one per record: the 128-bit value as four 32-bit words, divided by
     * 10^9 four times for the low 36 digits; the quotient left is the top two (21..42, as the value lies
     * in [2^124, 2^125)).
     */
    public String wire() {
        long[] words = {1L << 28, shardIndex, offset >>> 32, offset & 0xFFFF_FFFFL};
        byte[] digits = new byte[WIRE_DIGITS]; // ASCII: one copy into a Latin-1 string, no char[] to compress
        int end = WIRE_DIGITS;
        for (int chunk = 0; chunk < 4; chunk++) {
            long rest = divideByBillion(words);
            for (int i = 0; i < 9; i++) {
                digits[--end] = (byte) ('0' + rest % 10);
                rest /= 10;
            }
        }
        int top = (int) words[3]; // words[0..2] are 0 now: the value is below 10^38
        digits[1] = (byte) ('0' + top % 10);
        digits[0] = (byte) ('0' + top / 10);
        return new String(digits, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** Divides the big-endian unsigned 32-bit words in place by 10^9 and returns the remainder. */
    private static long divideByBillion(long[] words) {
        long rest = 0;
        for (int i = 0; i < words.length; i++) {
            long n = (rest << 32) | words[i]; // rest < 10^9, so n < 2^62: no overflow
            words[i] = n / BILLION;
            rest = n % BILLION;
        }
        return rest;
    }

    /**
     * Parses a client's sequence number. A value that breaks Kinesis's pattern is a ValidationException;
     * a well-formed number that Riffle never issued is an InvalidArgumentException.
     */
    public static SequenceNumber parse(String field, String wire) {
        Constraints.SEQUENCE_NUMBER.at(field).required().require(wire);
        BigInteger v = new BigInteger(wire);
        BigInteger rest = v.subtract(MARKER);
        if (v.bitLength() != 125 || rest.shiftRight(96).signum() != 0 || rest.testBit(63)) {
            throw RiffleException.invalidArgument("StartingSequenceNumber " + wire + " used in GetShardIterator is invalid because it was not issued by Riffle.");
        }
        return new SequenceNumber(rest.shiftRight(64).intValueExact(), rest.and(OFFSET_MASK).longValueExact());
    }

    public ShardId shardId() {
        return new ShardId(shardIndex);
    }

    @Override
    public int compareTo(SequenceNumber o) {
        int c = Integer.compare(shardIndex, o.shardIndex);
        return c != 0 ? c : Long.compare(offset, o.offset);
    }

    @Override
    public String toString() {
        return wire();
    }
}
