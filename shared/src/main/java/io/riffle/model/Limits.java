package io.riffle.model;

import java.nio.charset.StandardCharsets;

/** Kinesis's fixed limits, in one place. Throughput limits are configuration, not here. */
public final class Limits {
    public static final int MIB = 1024 * 1024;
    public static final int DEFAULT_MAX_RECORD_BYTES = MIB;
    public static final int MAX_RECORD_SIZE_KIB_MIN = 1024;
    public static final int MAX_RECORD_SIZE_KIB_MAX = 10240;
    public static final int PUT_RECORDS_MAX_ENTRIES = 500;
    public static final int PUT_RECORDS_MAX_BYTES = 10 * MIB;
    public static final int GET_RECORDS_MAX_RECORDS = 10_000;
    public static final int GET_RECORDS_MAX_BYTES = 10 * MIB;
    public static final int RETENTION_HOURS_MIN = 24;
    public static final int RETENTION_HOURS_MAX = 8760;
    public static final int RETENTION_HOURS_DEFAULT = 24;
    public static final int CONSUMERS_PER_STREAM = 20;
    public static final long ITERATOR_TTL_MILLIS = 300_000;

    private Limits() {
    }

    /** Bytes that count against limits: the partition key in UTF-8 plus the data. */
    public static int billedBytes(String partitionKey, int dataLength) {
        return partitionKey.getBytes(StandardCharsets.UTF_8).length + dataLength;
    }
}
