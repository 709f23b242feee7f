package io.riffle.model;

import io.riffle.error.RiffleException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A shard's id. Riffle numbers shards within a stream from 0; the wire form is Kinesis's
 * {@code shardId-000000000000} (12 digits). Children of a split or merge take the next free index.
 */
public record ShardId(int index) implements Comparable<ShardId> {
    private static final Pattern WIRE = Pattern.compile("shardId-(\\d{12})");
    private static final Pattern ANY_SHARD_ID = Pattern.compile("[a-zA-Z0-9_.-]{1,128}");

    public ShardId {
        if (index < 0) {
            throw RiffleException.invalidArgument("Shard index must not be negative: " + index);
        }
    }

    /**
     * Parses a shard id given by a client. A value that breaks Kinesis's ShardId pattern is a
     * ValidationException; a well-formed id that is not of Riffle's form names no shard, so it is
     * empty and the caller answers ResourceNotFoundException naming the stream.
     */
    public static Optional<ShardId> parse(String field, String value) {
        if (value == null || !ANY_SHARD_ID.matcher(value).matches()) {
            throw RiffleException.constraint(field, value, "satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
        }
        var m = WIRE.matcher(value);
        if (!m.matches()) {
            return Optional.empty();
        }
        long index = Long.parseLong(m.group(1));
        return index > Integer.MAX_VALUE ? Optional.empty() : Optional.of(new ShardId((int) index));
    }

    /** Parses a shard id of Riffle's own form, as found in addresses and files. */
    public static ShardId of(String wire) {
        return parse("shardId", wire).orElseThrow(
                () -> RiffleException.invalidArgument("Not a Riffle shard id: " + wire));
    }

    @Override
    public int compareTo(ShardId o) {
        return Integer.compare(index, o.index);
    }

    @Override
    public String toString() {
        return String.format("shardId-%012d", index);
    }
}
