package io.riffle.bus;

import io.riffle.model.Record;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Base of Riffle's hot-path event bus codecs. Local delivery passes the (immutable) message object
 * itself; clustered delivery writes a length-prefixed binary body. Subclasses write and read fields with
 * the helpers here, which fix the byte layout of shared parts such as records.
 *
 * <p>Record layout: {@code offset i64 | arrivalMillis i64 | keyLen i32 | key UTF-8 | dataLen i32 | data | encrypted i8}.
 */
public abstract class BinaryCodec<T> implements MessageCodec<T, T> {
    private final Class<T> type;

    protected BinaryCodec(Class<T> type) {
        this.type = type;
    }

    public Class<T> type() {
        return type;
    }

    protected abstract void write(Buffer out, T message);

    protected abstract T read(Reader in);

    @Override
    public final void encodeToWire(Buffer buffer, T message) {
        int lengthAt = buffer.length();
        buffer.appendInt(0);
        write(buffer, message);
        buffer.setInt(lengthAt, buffer.length() - lengthAt - 4);
    }

    @Override
    public final T decodeFromWire(int pos, Buffer buffer) {
        return read(new Reader(buffer, pos + 4));
    }

    @Override
    public final T transform(T message) {
        return message;
    }

    @Override
    public final String name() {
        return "riffle." + type.getSimpleName();
    }

    @Override
    public final byte systemCodecID() {
        return -1;
    }

    protected static void writeString(Buffer out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.appendInt(b.length).appendBytes(b);
    }

    protected static void writeBytes(Buffer out, byte[] b) {
        out.appendInt(b.length).appendBytes(b);
    }

    protected static void writeRecords(Buffer out, List<Record> records) {
        out.appendInt(records.size());
        for (Record r : records) {
            out.appendLong(r.offset()).appendLong(r.arrivalMillis());
            writeString(out, r.partitionKey());
            writeBytes(out, r.data());
            out.appendByte((byte) (r.encrypted() ? 1 : 0));
        }
    }

    /** A cursor over a wire buffer. */
    protected static final class Reader {
        private final Buffer buffer;
        private int pos;

        Reader(Buffer buffer, int pos) {
            this.buffer = buffer;
            this.pos = pos;
        }

        public int readInt() {
            int v = buffer.getInt(pos);
            pos += 4;
            return v;
        }

        public long readLong() {
            long v = buffer.getLong(pos);
            pos += 8;
            return v;
        }

        public boolean readBoolean() {
            return buffer.getByte(pos++) != 0;
        }

        public byte[] readBytes() {
            int len = readInt();
            byte[] b = buffer.getBytes(pos, pos + len);
            pos += len;
            return b;
        }

        public String readString() {
            return new String(readBytes(), StandardCharsets.UTF_8);
        }

        public List<Record> readRecords() {
            int n = readInt();
            List<Record> records = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                long offset = readLong();
                long arrival = readLong();
                String key = readString();
                byte[] data = readBytes();
                records.add(new Record(offset, arrival, key, data, readBoolean()));
            }
            return records;
        }
    }
}
