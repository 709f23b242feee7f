package io.riffle.shard;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.bus.BinaryCodec;
import io.riffle.model.Record;
import io.riffle.model.ShardId;
import io.riffle.model.StreamName;
import io.riffle.stream.ReadBatch;
import io.riffle.stream.ShardRecords;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The wire form used when a shard lives on another node: every hot-path message survives a round trip. */
class CodecsTest {
    private static <T> T roundTrip(BinaryCodec<T> codec, T message) {
        Buffer buffer = Buffer.buffer().appendString("prefix");
        codec.encodeToWire(buffer, message);
        buffer.appendString("suffix");
        return codec.decodeFromWire("prefix".length(), buffer);
    }

    private static final List<Record> RECORDS = List.of(
            new Record(0, 1_700_000_000_000L, "key", new byte[] {1, 2, 3}),
            new Record(Long.MAX_VALUE - 1, 1_700_000_000_001L, "ключ-ü", new byte[0]),
            new Record(7, 1_700_000_000_002L, "sealed", new byte[] {4}, true));

    @Test
    void appendRequestsRoundTrip() {
        AppendRequest request = new AppendRequest(List.of(new AppendRequest.Entry("k1", new byte[] {9}),
                new AppendRequest.Entry("κ2", new byte[100])));
        AppendRequest back = roundTrip(new Codecs.AppendRequestCodec(), request);
        assertThat(back.entries()).hasSize(2);
        assertThat(back.entries().get(1).partitionKey()).isEqualTo("κ2");
        assertThat(back.entries().get(1).data()).hasSize(100);
        assertThat(back.entries().get(0).data()).containsExactly(9);
    }

    @Test
    void appendRepliesRoundTrip() {
        AppendReply back = roundTrip(new Codecs.AppendReplyCodec(), new AppendReply(new long[] {5, AppendReply.THROTTLED, 6}, 250));
        assertThat(back.offsets()).containsExactly(5, AppendReply.THROTTLED, 6);
        assertThat(back.retryAfterMillis()).isEqualTo(250);
        assertThat(back.throttledCount()).isEqualTo(1);
        assertThat(back.encrypted()).isFalse();
        assertThat(roundTrip(new Codecs.AppendReplyCodec(), new AppendReply(new long[] {1}, 0, true)).encrypted()).isTrue();
    }

    @Test
    void readRequestsAndBatchesRoundTrip() {
        ReadRequest request = new ReadRequest(42, 10_000, 10 << 20, true);
        assertThat(roundTrip(new Codecs.ReadRequestCodec(), request)).isEqualTo(request);
        ReadBatch batch = new ReadBatch(RECORDS, 77, 1234, true);
        ReadBatch back = roundTrip(new Codecs.ReadBatchCodec(), batch);
        assertThat(back).isEqualTo(batch);
        assertThat(back.records()).extracting(Record::encrypted).containsExactly(false, false, true);
    }

    @Test
    void appendedEventsRoundTrip() {
        ShardRecords event = new ShardRecords(StreamName.of("s.1"), new ShardId(3), RECORDS);
        assertThat(roundTrip(new Codecs.ShardRecordsCodec(), event)).isEqualTo(event);
    }

    @Test
    void localDeliveryPassesTheSameObject() {
        ReadRequest request = new ReadRequest(1, 2, 3, false);
        assertThat(new Codecs.ReadRequestCodec().transform(request)).isSameAs(request);
    }
}
