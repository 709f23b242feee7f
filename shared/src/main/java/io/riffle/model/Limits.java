package io.riffle.model;


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
        return utf8Length(partitionKey) + dataLength;
    }

    /**
     * {@code s.getBytes(UTF_8).length} without encoding it (this runs for every record put): a surrogate pair
     * is 4 bytes, and a lone surrogate 1, as the encoder replaces it with '?'.
     */
    static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (!Character.isSurrogate(c)) {
                n += 3;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 1;
            }
        }
        return n;
    }
}
