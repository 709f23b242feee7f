package io.riffle.load;

import io.riffle.client.PutRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Test records: random partition keys from a fixed pool, data stamped with the send time. */
final class Records {
    private final String[] keys;
    private final int size;

    Records(int keyCount, int size) {
        this.keys = new String[keyCount];
        for (int i = 0; i < keyCount; i++) {
            keys[i] = "k" + i;
        }
        this.size = size;
    }

    String randomKey() {
        return keys[ThreadLocalRandom.current().nextInt(keys.length)];
    }

    /** A record whose first 8 bytes are {@code System.nanoTime()} now (comparable inside this JVM only). */
    PutRecord stamped() {
        byte[] data = new byte[size];
        ByteBuffer.wrap(data).putLong(System.nanoTime());
        return PutRecord.of(randomKey(), data);
    }

    /** The send time stamped into a record's data. */
    static long stamp(byte[] data) {
        return ByteBuffer.wrap(data).getLong();
    }

    /** {@code count} fixed batches of {@code batch} unstamped records, reused round-robin by ingest. */
    List<List<PutRecord>> batches(int count, int batch) {
        byte[] data = new byte[size];
        ThreadLocalRandom.current().nextBytes(data);
        List<List<PutRecord>> out = new ArrayList<>(count);
        for (int b = 0; b < count; b++) {
            List<PutRecord> records = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                records.add(PutRecord.of(randomKey(), data));
            }
            out.add(List.copyOf(records));
        }
        return out;
    }
}
