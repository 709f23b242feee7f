package io.riffle.log;

import io.riffle.log.crypto.FrameSeal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Walks the frames of one segment file between a start position and an end position with large
 * positional reads into one reused array, checking each frame's length, CRC and version (see
 * {@link Frames} for the layout). Not thread-safe: one scanner per reading thread and call.
 */
final class FrameScanner {
    enum Status {
        /** A valid frame; its fields are in the public fields of the scanner. */
        FRAME,
        /** The end position was reached exactly at a frame boundary. */
        END,
        /** The bytes left before the end position do not hold a whole frame. */
        TORN,
        /** A frame with an impossible length, a CRC mismatch or an unknown version. */
        CORRUPT
    }

    /** Largest single read, so a big frame does not leave a big cached direct buffer with the reading thread. */
    private static final int MAX_IO = 256 << 10;

    private final FileChannel channel;
    private final long end;
    private final CRC32C crc = new CRC32C();
    private byte[] buf;
    private long bufStart;
    private int bufLen;
    private int p;

    /** Position in the file of the last frame returned, or of the bad bytes after TORN/CORRUPT. */
    long framePosition;
    int frameSize;
    long offset;
    long arrival;
    int keyStart;
    int keyLength;
    int dataStart;
    int dataLength;
    /** The last frame is version 2: dataStart/dataLength span its sealed bytes (nonce, ciphertext, tag). */
    boolean sealed;
    String problem;
    /** After CORRUPT: whether the length header was plausible and the whole body was present. */
    private boolean bodyPresent;

    FrameScanner(FileChannel channel, long start, long end, int chunkBytes) {
        this.channel = channel;
        this.end = end;
        this.buf = new byte[Math.max(chunkBytes, 64)];
        this.bufStart = start;
    }

    /** Position right after the last frame returned (where the next one starts). */
    long position() {
        return bufStart + p;
    }

    byte[] buffer() {
        return buf;
    }

    String key() {
        return new String(buf, keyStart, keyLength, StandardCharsets.UTF_8);
    }

    byte[] data() {
        byte[] d = new byte[dataLength];
        System.arraycopy(buf, dataStart, d, 0, dataLength);
        return d;
    }

    Status next() throws IOException {
        framePosition = bufStart + p;
        bodyPresent = false;
        if (framePosition >= end) {
            return Status.END;
        }
        if (!ensure(Frames.HEADER)) {
            problem = "partial frame header: " + (end - framePosition) + " bytes before the end";
            return Status.TORN;
        }
        int bodyLength = getInt(p);
        if (bodyLength < Frames.FIXED_BODY || bodyLength > Frames.MAX_BODY) {
            problem = "impossible frame length " + bodyLength;
            return Status.CORRUPT;
        }
        if (!ensure(Frames.HEADER + bodyLength)) {
            problem = "frame of " + (Frames.HEADER + bodyLength) + " bytes but only " + (end - framePosition) + " left";
            return Status.TORN;
        }
        bodyPresent = true;
        int body = p + Frames.HEADER;
        crc.reset();
        crc.update(buf, body, bodyLength);
        if ((int) crc.getValue() != getInt(p + 4)) {
            problem = "CRC32C mismatch";
            return Status.CORRUPT;
        }
        offset = getLong(body + 1);
        arrival = getLong(body + 9);
        frameSize = Frames.HEADER + bodyLength;
        if (buf[body] != Frames.VERSION) {
            if (buf[body] != Frames.SEALED_VERSION || bodyLength < Frames.SEALED_FIXED_BODY + FrameSeal.OVERHEAD + 2) {
                problem = "unknown frame version " + buf[body];
                return Status.CORRUPT;
            }
            // Sealed: key and data are inside the encrypted bytes, which LogReader opens.
            sealed = true;
            keyStart = 0;
            keyLength = 0;
            dataStart = body + Frames.SEALED_FIXED_BODY;
            dataLength = bodyLength - Frames.SEALED_FIXED_BODY;
            p += frameSize;
            return Status.FRAME;
        }
        sealed = false;
        keyLength = ((buf[body + 17] & 0xff) << 8) | (buf[body + 18] & 0xff);
        if (keyLength > bodyLength - Frames.FIXED_BODY) {
            problem = "key length " + keyLength + " exceeds the frame";
            return Status.CORRUPT;
        }
        keyStart = body + Frames.FIXED_BODY;
        dataStart = keyStart + keyLength;
        dataLength = bodyLength - Frames.FIXED_BODY - keyLength;
        p += frameSize;
        return Status.FRAME;
    }

    /**
     * After TORN or CORRUPT: counts the frames in the rest of the range by following length headers
     * (the unparseable remainder counts as one), for the report of what a cut dropped.
     */
    long countRemainder() throws IOException {
        long frames = 0;
        long pos = framePosition;
        p = (int) (pos - bufStart);
        while (pos < end) {
            Status s = next();
            frames++;
            if (s == Status.CORRUPT && bodyPresent) {
                // the length header looks sane and its body is there: skip the frame and keep walking
                p += Frames.HEADER + getInt(p);
            } else if (s != Status.FRAME) {
                break;
            }
            pos = bufStart + p;
        }
        return frames;
    }

    /** Makes n bytes available from p, reading more of the file if needed; false if the end comes first. */
    private boolean ensure(int n) throws IOException {
        if (bufLen - p >= n) {
            return true;
        }
        long at = bufStart + p;
        if (at + n > end) {
            return false;
        }
        if (n > buf.length) {
            byte[] bigger = new byte[Math.max(n, buf.length * 2)];
            System.arraycopy(buf, p, bigger, 0, bufLen - p);
            buf = bigger;
        } else {
            System.arraycopy(buf, p, buf, 0, bufLen - p);
        }
        bufLen -= p;
        bufStart = at;
        p = 0;
        int want = (int) Math.min(buf.length - bufLen, end - (bufStart + bufLen));
        int limit = bufLen + want;
        ByteBuffer bb = ByteBuffer.wrap(buf, bufLen, want);
        while (bb.position() < limit) {
            // Bounded reads: the JDK copies each into a per-thread direct buffer it keeps at the largest size seen.
            bb.limit(Math.min(limit, bb.position() + MAX_IO));
            if (channel.read(bb, bufStart + bb.position()) < 0) {
                break;
            }
        }
        bufLen = bb.position();
        return bufLen >= n;
    }

    private int getInt(int i) {
        return ((buf[i] & 0xff) << 24) | ((buf[i + 1] & 0xff) << 16) | ((buf[i + 2] & 0xff) << 8) | (buf[i + 3] & 0xff);
    }

    private long getLong(int i) {
        return ((long) getInt(i) << 32) | (getInt(i + 4) & 0xffffffffL);
    }
}
