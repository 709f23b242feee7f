package io.riffle.model;

import io.riffle.error.RiffleException;
import java.util.Collection;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Kinesis's rules for stream tags: keys of 1..128 and values of 0..256 characters drawn from Unicode
 * letters, separators (spaces), digits and {@code _ . : / = + - @}; at most 50 per request and per stream.
 * The API layers check them before a request reaches the control plane.
 */
public final class Tags {
    public static final int MAX_KEY_CHARS = 128;
    public static final int MAX_VALUE_CHARS = 256;
    public static final int MAX_PER_REQUEST = 50;
    public static final int MAX_PER_STREAM = 50;
    /** AWS's TagKey/TagValue pattern. */
    private static final Pattern LEGAL = Pattern.compile("[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*");

    private Tags() {
    }

    /** Whether a tag key or value uses only the characters Kinesis allows. */
    public static boolean legal(String keyOrValue) {
        return LEGAL.matcher(keyOrValue).matches();
    }

    /**
     * Fails with InvalidArgumentException if a key or value has a character outside the allowed set.
     *
     * @param failure how the message starts, naming the action and stream, e.g. {@code Failed to add tags
     *                to stream s under account 000000000000}
     */
    public static void requireLegal(Map<String, String> tags, String failure) {
        requireLegalStrings(tags.entrySet().stream().flatMap(e -> Stream.of(e.getKey(), e.getValue())), failure);
    }

    /** {@link #requireLegal(Map, String)} for the keys of a removal. */
    public static void requireLegalKeys(Collection<String> keys, String failure) {
        requireLegalStrings(keys.stream(), failure);
    }

    /** Fails with InvalidArgumentException if a stream would hold more than 50 tags after adding some. */
    public static void requireRoom(Collection<String> existingKeys, Collection<String> addedKeys, String failure) {
        long total = Stream.concat(existingKeys.stream(), addedKeys.stream()).distinct().count();
        if (total > MAX_PER_STREAM) {
            throw RiffleException.invalidArgument(failure + " because a given stream cannot have more than "
                    + MAX_PER_STREAM + " tags associated with it.");
        }
    }

    private static void requireLegalStrings(Stream<String> strings, String failure) {
        if (!strings.allMatch(Tags::legal)) {
            throw RiffleException.invalidArgument(failure + " because some tags contained illegal characters. The allowed"
                    + " characters are Unicode letters, white-spaces, digits, '_','.','/','=','+','-','@',':'.");
        }
    }
}
