package io.riffle.model;

import io.riffle.error.RiffleException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A shard's id. Riffle numbers shards within a stream from 0; the wire form is Kinesis's
 * {@code shardId-000000000000} (12 digits). Children of a split or merge take the next free index.
 */
public record ShardId(int index) implements Comparable<ShardId> {
    private static final Pattern DIGITS = Pattern.compile("[0-9]+");
    private static final String PREFIX = "shardId-";
    private static final int WIDTH = 12;
    /**
     * The wire forms of the first shards, made once: every record's answer names its shard, and
     * {@code String.format} per record was 12 % of the put path's CPU (load-tests/RESULTS.md).
     */
    private static final String[] FIRST = new String[256];

    static {
        for (int i = 0; i < FIRST.length; i++) {
            FIRST[i] = pad(i);
        }
    }

    public ShardId {
        if (index < 0) {
            throw RiffleException.invalidArgument("Shard index must not be negative: " + index);
        }
    }

    /**
     * Parses a shard id given by a client as Kinesis does: the index is the decimal number after the last
     * {@code '-'} (or the whole text if there is none), so {@code shardId-0}, {@code shardId-000000000000}
     * and {@code any-0} name the same shard. A value that breaks Kinesis's ShardId pattern is a
     * ValidationException; a well-formed id that holds no index names no shard, so it is empty and the
     * caller answers ResourceNotFoundException naming the stream.
     */
    public static Optional<ShardId> parse(String field, String value) {
        Constraints.SHARD_ID.at(field).required().require(value);
        return index(value);
    }

    /** The index a well-formed shard id names, if any (see {@link #parse}). */
    static Optional<ShardId> index(String value) {
        String digits = value.substring(value.lastIndexOf('-') + 1);
        if (!DIGITS.matcher(digits).matches()) {
            return Optional.empty();
        }
        String significant = digits.replaceFirst("^0+(?=.)", "");
        if (significant.length() > 10 || Long.parseLong(significant) > Integer.MAX_VALUE) {
            return Optional.empty();
        }
        return Optional.of(new ShardId(Integer.parseInt(significant)));
    }

    /** Parses a shard id of Riffle's own form, as found in addresses and files. */
    public static ShardId of(String wire) {
        return index(wire).filter(id -> id.toString().equals(wire)).orElseThrow(
                () -> RiffleException.invalidArgument("Not a Riffle shard id: " + wire));
    }

    @Override
    public int compareTo(ShardId o) {
        return Integer.compare(index, o.index);
    }

    @Override
    public String toString() {
        return index < FIRST.length ? FIRST[index] : pad(index);
    }

    /** {@code shardId-} and the index zero-padded to 12 digits (an int has at most 10). */
    private static String pad(int index) {
        String digits = Integer.toString(index);
        StringBuilder b = new StringBuilder(PREFIX.length() + WIDTH).append(PREFIX);
        for (int i = digits.length(); i < WIDTH; i++) {
            b.append('0');
        }
        return b.append(digits).toString();
    }
}
