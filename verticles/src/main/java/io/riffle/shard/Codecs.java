package io.riffle.shard;

import io.riffle.bus.BinaryCodec;
import io.riffle.model.ShardId;
import io.riffle.model.StreamName;
import io.riffle.stream.ReadBatch;
import io.riffle.stream.ShardRecords;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary codecs of the shard hot path (append, read, appended events), registered as default codecs
 * so senders need no delivery options.
 */
public final class Codecs {
    private Codecs() {
    }

    /** Registers every codec once per event bus; calling it again is harmless. */
    public static synchronized void register(EventBus bus) {
        for (BinaryCodec<?> codec : List.of(new AppendRequestCodec(), new AppendReplyCodec(),
                new ReadRequestCodec(), new ReadBatchCodec(), new ShardRecordsCodec())) {
            registerDefault(bus, codec);
        }
    }

    private static <T> void registerDefault(EventBus bus, BinaryCodec<T> codec) {
        try {
            bus.registerDefaultCodec(codec.type(), codec);
        } catch (IllegalStateException alreadyRegistered) {
            // A second engine on the same Vert.x instance (tests) shares the codecs.
        }
    }

    static final class AppendRequestCodec extends BinaryCodec<AppendRequest> {
        AppendRequestCodec() {
            super(AppendRequest.class);
        }

        @Override
        protected void write(Buffer out, AppendRequest m) {
            out.appendInt(m.entries().size());
            for (AppendRequest.Entry e : m.entries()) {
                writeString(out, e.partitionKey());
                writeBytes(out, e.data());
            }
        }

        @Override
        protected AppendRequest read(Reader in) {
            int n = in.readInt();
            List<AppendRequest.Entry> entries = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                entries.add(new AppendRequest.Entry(in.readString(), in.readBytes()));
            }
            return new AppendRequest(entries);
        }
    }

    static final class AppendReplyCodec extends BinaryCodec<AppendReply> {
        AppendReplyCodec() {
            super(AppendReply.class);
        }

        @Override
        protected void write(Buffer out, AppendReply m) {
            out.appendLong(m.retryAfterMillis()).appendInt(m.offsets().length);
            for (long o : m.offsets()) {
                out.appendLong(o);
            }
            out.appendByte((byte) (m.encrypted() ? 1 : 0));
        }

        @Override
        protected AppendReply read(Reader in) {
            long retry = in.readLong();
            long[] offsets = new long[in.readInt()];
            for (int i = 0; i < offsets.length; i++) {
                offsets[i] = in.readLong();
            }
            return new AppendReply(offsets, retry, in.readBoolean());
        }
    }

    static final class ReadRequestCodec extends BinaryCodec<ReadRequest> {
        ReadRequestCodec() {
            super(ReadRequest.class);
        }

        @Override
        protected void write(Buffer out, ReadRequest m) {
            out.appendLong(m.offset()).appendInt(m.maxRecords()).appendInt(m.maxBytes())
                    .appendByte((byte) (m.sharedQuota() ? 1 : 0));
        }

        @Override
        protected ReadRequest read(Reader in) {
            return new ReadRequest(in.readLong(), in.readInt(), in.readInt(), in.readBoolean());
        }
    }

    static final class ReadBatchCodec extends BinaryCodec<ReadBatch> {
        ReadBatchCodec() {
            super(ReadBatch.class);
        }

        @Override
        protected void write(Buffer out, ReadBatch m) {
            out.appendLong(m.nextOffset()).appendLong(m.millisBehindLatest())
                    .appendByte((byte) (m.endOfShard() ? 1 : 0));
            writeRecords(out, m.records());
        }

        @Override
        protected ReadBatch read(Reader in) {
            long next = in.readLong();
            long behind = in.readLong();
            boolean end = in.readBoolean();
            return new ReadBatch(in.readRecords(), next, behind, end);
        }
    }

    static final class ShardRecordsCodec extends BinaryCodec<ShardRecords> {
        ShardRecordsCodec() {
            super(ShardRecords.class);
        }

        @Override
        protected void write(Buffer out, ShardRecords m) {
            writeString(out, m.stream().value());
            out.appendInt(m.shard().index());
            writeRecords(out, m.records());
        }

        @Override
        protected ShardRecords read(Reader in) {
            StreamName stream = StreamName.of(in.readString());
            ShardId shard = new ShardId(in.readInt());
            return new ShardRecords(stream, shard, in.readRecords());
        }
    }
}
