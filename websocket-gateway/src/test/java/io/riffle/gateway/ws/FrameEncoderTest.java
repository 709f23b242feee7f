package io.riffle.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.gateway.http.NativeJson;
import io.riffle.gateway.subscription.ShardEvent;
import io.riffle.model.Record;
import io.riffle.model.SequenceNumber;
import io.riffle.model.ShardId;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FrameEncoderTest {
    private static final ShardId SHARD = new ShardId(3);

    /** The frame as a JsonObject tree, the way frames were encoded before FrameEncoder. */
    private static String viaJsonObject(ShardEvent e) {
        JsonObject frame = new JsonObject()
                .put("type", e.isHeartbeat() ? "heartbeat" : "records")
                .put("shardId", e.shardId().toString());
        if (!e.isHeartbeat()) {
            frame.put("records", NativeJson.records(e.shardId(), e.records()));
        }
        return frame.put("millisBehindLatest", e.millisBehindLatest())
                .put("continuationSequenceNumber", e.continuation().map(SequenceNumber::wire).orElse(null))
                .encode();
    }

    private static Record record(long offset, String key, String data) {
        return new Record(offset, 1_700_000_000_000L + offset, key, data.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void recordFramesAreByteIdenticalToJsonObjectEncodingEvenForKeysThatNeedEscaping() {
        List<Record> records = List.of(record(0, "plain", "x"), record(1, "quote\" back\\slash", ""),
                record(Long.MAX_VALUE, "tab\t nl\n ctl\u0001 é 漢 \uD83D\uDE00 </script>", "payload"));
        ShardEvent e = new ShardEvent(SHARD, records, 1234, Optional.of(new SequenceNumber(3, Long.MAX_VALUE)));
        FrameEncoder encoder = new FrameEncoder();

        String first = encoder.frame(SHARD.toString(), e);
        String again = encoder.frame(SHARD.toString(), e);

        assertThat(first).isEqualTo(viaJsonObject(e));
        assertThat(again).isEqualTo(first);
    }

    @Test
    void heartbeatFramesAreByteIdenticalWithAndWithoutAContinuation() {
        FrameEncoder encoder = new FrameEncoder();
        ShardEvent before = new ShardEvent(SHARD, List.of(), 0, Optional.empty());
        ShardEvent after = new ShardEvent(SHARD, List.of(), 5, Optional.of(new SequenceNumber(3, 7)));

        assertThat(encoder.frame(SHARD.toString(), before)).isEqualTo(viaJsonObject(before));
        assertThat(encoder.frame(SHARD.toString(), after)).isEqualTo(viaJsonObject(after));
        assertThat(encoder.frame(SHARD.toString(), before)).contains("\"continuationSequenceNumber\":null");
    }

    @Test
    void aCachedRecordIsEncodedWithTheSequenceNumberOfTheShardItIsFramedFor() {
        FrameEncoder encoder = new FrameEncoder();
        Record shared = record(42, "k", "v");
        ShardId other = new ShardId(4);
        ShardEvent inShard3 = new ShardEvent(SHARD, List.of(shared), 0, Optional.of(new SequenceNumber(3, 42)));
        ShardEvent inShard4 = new ShardEvent(other, List.of(shared), 0, Optional.of(new SequenceNumber(4, 42)));

        assertThat(encoder.frame(SHARD.toString(), inShard3)).isEqualTo(viaJsonObject(inShard3));
        assertThat(encoder.frame(other.toString(), inShard4)).isEqualTo(viaJsonObject(inShard4));
    }
    @Test
    void aDifferentRecordAtTheSameShardAndOffsetIsNotServedTheCachedText() {
        FrameEncoder encoder = new FrameEncoder();
        ShardEvent first = new ShardEvent(SHARD, List.of(record(42, "k", "old")), 0, Optional.of(new SequenceNumber(3, 42)));
        ShardEvent recreated = new ShardEvent(SHARD, List.of(record(42, "k", "new")), 0, Optional.of(new SequenceNumber(3, 42)));
        ShardEvent copyOfFirst = new ShardEvent(SHARD, List.of(record(42, "k", "old")), 0, Optional.of(new SequenceNumber(3, 42)));

        assertThat(encoder.frame(SHARD.toString(), first)).isEqualTo(viaJsonObject(first));
        assertThat(encoder.frame(SHARD.toString(), recreated)).isEqualTo(viaJsonObject(recreated));
        assertThat(encoder.frame(SHARD.toString(), copyOfFirst)).isEqualTo(viaJsonObject(first));
    }

    @Test
    void theSameRecordsWithAnotherLagOrContinuationGetTheirOwnFrame() {
        FrameEncoder encoder = new FrameEncoder();
        List<Record> batch = List.of(record(1, "a", "1"), record(2, "b", "2"));
        ShardEvent caughtUp = new ShardEvent(SHARD, batch, 0, Optional.of(new SequenceNumber(3, 2)));
        ShardEvent lagging = new ShardEvent(SHARD, batch, 900, Optional.of(new SequenceNumber(3, 2)));
        ShardEvent prefix = new ShardEvent(SHARD, batch.subList(0, 1), 0, Optional.of(new SequenceNumber(3, 1)));

        for (ShardEvent e : List.of(caughtUp, caughtUp, lagging, prefix, caughtUp)) {
            assertThat(encoder.frame(SHARD.toString(), e)).isEqualTo(viaJsonObject(e));
        }
    }
}
