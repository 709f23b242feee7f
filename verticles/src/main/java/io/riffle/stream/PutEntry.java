package io.riffle.stream;

import io.riffle.model.HashKeys;
import java.math.BigInteger;
import java.util.Objects;
import java.util.Optional;

/**
 * One record a producer puts. The partition key is validated here; the data size is checked against the
 * stream's record size limit by the router.
 */
public record PutEntry(String partitionKey, Optional<String> explicitHashKey, byte[] data) {
    public PutEntry {
        HashKeys.requirePartitionKey(partitionKey);
        Objects.requireNonNull(data, "data");
        explicitHashKey.ifPresent(HashKeys::parseExplicit);
    }

    public static PutEntry of(String partitionKey, byte[] data) {
        return new PutEntry(partitionKey, Optional.empty(), data);
    }

    /** The hash key this entry routes by. */
    public BigInteger hashKey() {
        return HashKeys.route(partitionKey, explicitHashKey.orElse(null));
    }

    @Override
    public String toString() {
        return "PutEntry[partitionKey.length=" + partitionKey.length() + ", data.length=" + data.length + "]";
    }
}
