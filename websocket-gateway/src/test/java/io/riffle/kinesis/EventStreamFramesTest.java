package io.riffle.kinesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.eventstream.Message;
import software.amazon.awssdk.eventstream.MessageDecoder;

/** Event stream messages as the AWS SDK's own decoder reads them, CRCs checked. */
class EventStreamFramesTest {
    private static List<Message> decode(Buffer... frames) {
        MessageDecoder decoder = new MessageDecoder();
        for (Buffer f : frames) {
            byte[] bytes = f.getBytes();
            // Fed in two pieces, as a network would split them.
            decoder.feed(bytes, 0, 5);
            decoder.feed(bytes, 5, bytes.length - 5);
        }
        return decoder.getDecodedMessages();
    }

    @Test
    void anEventCarriesItsTypeHeadersAndPayload() {
        byte[] payload = "{\"Records\":[]}".getBytes(StandardCharsets.UTF_8);
        List<Message> messages = decode(EventStreamFrames.event("initial-response", "{}".getBytes(StandardCharsets.UTF_8)),
                EventStreamFrames.event("SubscribeToShardEvent", payload));
        assertThat(messages).hasSize(2);
        assertThat(messages.get(0).getHeaders().get(":event-type").getString()).isEqualTo("initial-response");
        Message event = messages.get(1);
        assertThat(event.getHeaders().get(":message-type").getString()).isEqualTo("event");
        assertThat(event.getHeaders().get(":event-type").getString()).isEqualTo("SubscribeToShardEvent");
        assertThat(event.getHeaders().get(":content-type").getString()).isEqualTo("application/json");
        assertThat(event.getPayload()).isEqualTo(payload);
    }

    @Test
    void anExceptionNamesTheKinesisError() {
        Message m = decode(EventStreamFrames.exception("ResourceInUseException", "{\"message\":\"taken\"}".getBytes())).get(0);
        assertThat(m.getHeaders().get(":message-type").getString()).isEqualTo("exception");
        assertThat(m.getHeaders().get(":exception-type").getString()).isEqualTo("ResourceInUseException");
    }

    @Test
    void aFlippedBitBreaksTheMessageCrc() {
        Buffer frame = EventStreamFrames.event("SubscribeToShardEvent", "{\"Records\":[]}".getBytes());
        int last = frame.length() - 6;
        frame.setByte(last, (byte) (frame.getByte(last) ^ 1));
        assertThatThrownBy(() -> decode(frame)).hasMessageContaining("checksum");
    }
}
