package io.riffle.log;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The on-disk frame of one record in a segment file ({@code <baseOffset>.log}). A segment is nothing but
 * frames back to back; there is no file header. All integers are big-endian.
 *
 * <pre>
 * byte  0..3   int32   bodyLength   L = number of bytes after the CRC field (19 + K + D)
 * byte  4..7   int32   crc          CRC32C (java.util.zip.CRC32C) of bytes 8 .. 8+L-1 (the whole body)
 * --- body, covered by the CRC ---
 * byte  8      int8    version      1
 * byte  9..16  int64   offset       the record's offset in the shard (the segment's base offset + index)
 * byte 17..24  int64   arrival      arrival time, epoch milliseconds, non-decreasing through the log
 * byte 25..26  uint16  K            length of the partition key in UTF-8 bytes
 * byte 27..    K bytes partitionKey UTF-8
 * then         D bytes data         D = L - 19 - K
 * </pre>
 *
 * A frame is accepted only if L is within [19, 19 + {@link #MAX_KEY_BYTES} + {@link #MAX_DATA_BYTES}],
 * the whole body is present, the CRC matches, the version is 1 and K fits in the body. Offsets inside one
 * segment are consecutive. A frame costs {@value #OVERHEAD} bytes plus key and data.
 *
 * <p>A frame of an encrypted segment (one with a {@code .key} sidecar, see docs/encryption.md) has version
 * {@value #SEALED_VERSION}: the same length, CRC, version, offset and arrival, then the sealed rest
 * (12-byte nonce, AES-256-GCM of {@code uint16 K | key | data}, 16-byte tag; see
 * {@link io.riffle.log.crypto.FrameSeal}). Recovery and the indexes need only the clear fields, so they
 * work without the key; the CRC still covers the whole body.
 */
final class Frames {
    static final int HEADER = 8;
    static final int FIXED_BODY = 19;
    static final int OVERHEAD = HEADER + FIXED_BODY;
    static final byte VERSION = 1;
    static final byte SEALED_VERSION = 2;
    /** Version, offset and arrival: the clear part of a sealed frame's body. */
    static final int SEALED_FIXED_BODY = 17;
    /** Kinesis keys are at most 256 characters, at most 4 UTF-8 bytes each. */
    static final int MAX_KEY_BYTES = 1024;
    /** Far above Kinesis's record limit; a sanity bound against damaged length fields. */
    static final int MAX_DATA_BYTES = 64 << 20;
    static final int MAX_BODY = FIXED_BODY + MAX_KEY_BYTES + MAX_DATA_BYTES;

    private Frames() {
    }

    /** UTF-8 length of the key, without allocating for ASCII keys. */
    static int keyBytes(String key) {
        int n = key.length();
        for (int i = 0; i < n; i++) {
            if (key.charAt(i) >= 0x80) {
                return key.getBytes(StandardCharsets.UTF_8).length;
            }
        }
        return n;
    }

    static int frameSize(int keyBytes, int dataBytes) {
        return OVERHEAD + keyBytes + dataBytes;
    }

    /**
     * Writes the part of a frame before its data (length, CRC, version, offset, arrival, key) at the
     * buffer's position and advances it; the buffer must have room for {@value #OVERHEAD} + keyBytes. The
     * CRC already covers the data, which the caller writes right after. {@code crc} is a scratch checksum
     * owned by the caller.
     */
    static void encodeHead(ByteBuffer buf, CRC32C crc, long offset, long arrival, String key, int keyBytes, byte[] data) {
        int start = buf.position();
        buf.putInt(FIXED_BODY + keyBytes + data.length);
        buf.putInt(0); // CRC, filled in below
        buf.put(VERSION);
        buf.putLong(offset);
        buf.putLong(arrival);
        buf.putShort((short) keyBytes);
        int keyStart = buf.position();
        boolean ascii = keyBytes == key.length();
        for (int i = 0; ascii && i < keyBytes; i++) {
            char c = key.charAt(i);
            ascii = c < 0x80;
            buf.put((byte) c);
        }
        if (!ascii) {
            // Same bytes keyBytes() counted (an unpaired surrogate becomes '?').
            buf.position(keyStart).put(key.getBytes(StandardCharsets.UTF_8));
        }
        fillCrc(buf, crc, start, data);
    }

    /** Sets the CRC of the frame at {@code start}: the body written so far, then {@code rest} (written next by the caller). */
    private static void fillCrc(ByteBuffer buf, CRC32C crc, int start, byte[] rest) {
        int end = buf.position();
        int limit = buf.limit();
        crc.reset();
        buf.position(start + HEADER).limit(end);
        crc.update(buf);
        buf.limit(limit).position(end);
        crc.update(rest, 0, rest.length);
        buf.putInt(start + 4, (int) crc.getValue());
    }

    /**
     * Writes the part of a sealed frame before its sealed bytes (length, CRC, version 2, offset, arrival) and
     * advances the buffer; the CRC already covers {@code sealed}, which the caller writes right after.
     */
    static void encodeSealedHead(ByteBuffer buf, CRC32C crc, long offset, long arrival, byte[] sealed) {
        int start = buf.position();
        buf.putInt(SEALED_FIXED_BODY + sealed.length);
        buf.putInt(0);
        buf.put(SEALED_VERSION);
        buf.putLong(offset);
        buf.putLong(arrival);
        fillCrc(buf, crc, start, sealed);
    }

    /** The private part a sealed frame encrypts: {@code uint16 K | key | data}. */
    static byte[] sealedPlain(String key, int keyBytes, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(2 + keyBytes + data.length);
        b.putShort((short) keyBytes).put(key.getBytes(StandardCharsets.UTF_8)).put(data);
        return b.array();
    }
}
