package io.riffle.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Optional;

/**
 * Finds the next intact frame after damaged bytes, so the records behind the damage stay readable. A
 * damaged length field hides where the next frame starts, so every byte position is tried: a cheap
 * filter (plausible length that fits, version 1 or 2, an offset in the expected range) and then the frame's
 * CRC32C decide. A random position passes both with a probability far below 2^-40.
 */
final class FrameSearch {
    private static final int WINDOW = 64 << 10;
    /** Length, CRC, version and offset: what the filter looks at. */
    private static final int PROBE = Frames.HEADER + 9;

    /** An intact frame found at a byte position. */
    record Found(long position, long offset) {
    }

    private FrameSearch() {
    }

    /**
     * The first position in [from, end) where an intact frame with an offset in [minOffset, maxOffset]
     * starts, or empty.
     */
    static Optional<Found> next(FileChannel channel, long from, long end, long minOffset, long maxOffset) throws IOException {
        byte[] buf = new byte[WINDOW + PROBE];
        long windowStart = from;
        while (windowStart + PROBE <= end) {
            int len = read(channel, buf, windowStart, end);
            for (int i = 0; i + PROBE <= len; i++) {
                long pos = windowStart + i;
                int body = getInt(buf, i);
                if (body < Frames.FIXED_BODY || body > Frames.MAX_BODY || pos + Frames.HEADER + body > end
                        || (buf[i + Frames.HEADER] != Frames.VERSION && buf[i + Frames.HEADER] != Frames.SEALED_VERSION)) {
                    continue;
                }
                long offset = ((long) getInt(buf, i + Frames.HEADER + 1) << 32) | (getInt(buf, i + Frames.HEADER + 5) & 0xffffffffL);
                if (offset < minOffset || offset > maxOffset) {
                    continue;
                }
                FrameScanner sc = new FrameScanner(channel, pos, end, 16 << 10);
                if (sc.next() == FrameScanner.Status.FRAME && sc.offset == offset) {
                    return Optional.of(new Found(pos, offset));
                }
            }
            windowStart += WINDOW;
        }
        return Optional.empty();
    }

    private static int read(FileChannel channel, byte[] buf, long at, long end) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(buf, 0, (int) Math.min(buf.length, end - at));
        while (bb.hasRemaining() && channel.read(bb, at + bb.position()) >= 0) {
            // positional reads may return short
        }
        return bb.position();
    }

    private static int getInt(byte[] b, int i) {
        return ((b[i] & 0xff) << 24) | ((b[i + 1] & 0xff) << 16) | ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
    }
}
