package io.riffle.kinesis;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Encodes messages of the AWS event stream format ({@code application/vnd.amazon.eventstream}), which
 * SubscribeToShard answers with. Layout of one message, all integers big-endian:
 * <pre>
 *   total_length   u32  the whole message, these 4 bytes and the final CRC included
 *   headers_length u32  bytes of the headers section
 *   prelude_crc    u32  CRC32 of the 8 bytes above
 *   headers             repeated: name_length u8 | name (UTF-8) | type u8 (7 = string) | value_length u16 | value
 *   payload             the event's body (JSON for SubscribeToShard)
 *   message_crc    u32  CRC32 of everything before it, prelude_crc included
 * </pre>
 */
public final class EventStreamFrames {
    private static final byte STRING = 7;

    private EventStreamFrames() {
    }

    /** One message with string headers, in the given order. */
    public static Buffer encode(Map<String, String> headers, byte[] payload) {
        Buffer h = Buffer.buffer();
        headers.forEach((name, value) -> {
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            byte[] v = value.getBytes(StandardCharsets.UTF_8);
            h.appendByte((byte) n.length).appendBytes(n).appendByte(STRING).appendShort((short) v.length).appendBytes(v);
        });
        int total = 12 + h.length() + payload.length + 4;
        Buffer out = Buffer.buffer(total).appendInt(total).appendInt(h.length());
        out.appendUnsignedInt(crc(out.getBytes(0, 8)));
        out.appendBuffer(h).appendBytes(payload);
        out.appendUnsignedInt(crc(out.getBytes()));
        return out;
    }

    /** An event: {@code :message-type=event}, the event type, and the payload's content type. */
    public static Buffer event(String eventType, byte[] jsonPayload) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put(":message-type", "event");
        h.put(":event-type", eventType);
        h.put(":content-type", "application/json");
        return encode(h, jsonPayload);
    }

    /** An in-stream error: {@code :message-type=exception} with the Kinesis error name. */
    public static Buffer exception(String errorName, byte[] jsonPayload) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put(":message-type", "exception");
        h.put(":exception-type", errorName);
        h.put(":content-type", "application/json");
        return encode(h, jsonPayload);
    }

    private static long crc(byte[] bytes) {
        CRC32 c = new CRC32();
        c.update(bytes);
        return c.getValue();
    }
}
