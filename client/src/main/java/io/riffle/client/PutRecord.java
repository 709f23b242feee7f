package io.riffle.client;

import io.riffle.model.Limits;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * One record to put: a partition key, the data blob and, optionally, an explicit hash key (a decimal
 * string) that overrides the MD5 of the partition key for routing. The data array is copied on the way in.
 */
public record PutRecord(String partitionKey, byte[] data, Optional<String> explicitHashKey) {
    public PutRecord {
        Objects.requireNonNull(partitionKey, "partitionKey");
        Objects.requireNonNull(explicitHashKey, "explicitHashKey");
        data = Objects.requireNonNull(data, "data").clone();
    }

    public static PutRecord of(String partitionKey, byte[] data) {
        return new PutRecord(partitionKey, data, Optional.empty());
    }

    public static PutRecord of(String partitionKey, String text) {
        return of(partitionKey, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Bytes that count against the request and throughput limits: partition key (UTF-8) plus data. */
    public int billedBytes() {
        return Limits.billedBytes(partitionKey, data.length);
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    /** The data without a copy, for the encoder; never handed out of the client. */
    byte[] dataUnsafe() {
        return data;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PutRecord r && partitionKey.equals(r.partitionKey)
                && java.util.Arrays.equals(data, r.data) && explicitHashKey.equals(r.explicitHashKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(partitionKey, explicitHashKey) * 31 + java.util.Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "PutRecord[partitionKey.length=" + partitionKey.length() + ", data.length=" + data.length + "]";
    }
}
