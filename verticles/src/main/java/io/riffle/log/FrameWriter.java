package io.riffle.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * Writes frames at a file position through one borrowed {@link WriteBuffers} chunk: a batch up to the
 * chunk size is one positional write, a larger one (or a large record) a few. Writer thread only; close
 * gives the buffer back.
 */
final class FrameWriter implements AutoCloseable {
    private final FileChannel channel;
    private final CRC32C crc;
    private final ByteBuffer buf = WriteBuffers.borrow();
    /** File position of the buffer's first byte. */
    private long position;

    FrameWriter(FileChannel channel, long position, CRC32C crc) {
        this.channel = channel;
        this.position = position;
        this.crc = crc;
    }

    /** File position where the next frame starts. */
    long position() {
        return position + buf.position();
    }

    void frame(long offset, long arrival, String key, int keyBytes, byte[] data) throws IOException {
        if (buf.remaining() < Frames.OVERHEAD + keyBytes) {
            flush();
        }
        Frames.encodeHead(buf, crc, offset, arrival, key, keyBytes, data);
        put(data);
    }

    /** A version-2 frame around bytes already sealed by the segment's {@link io.riffle.log.crypto.FrameSeal}. */
    void sealedFrame(long offset, long arrival, byte[] sealed) throws IOException {
        if (buf.remaining() < Frames.HEADER + Frames.SEALED_FIXED_BODY) {
            flush();
        }
        Frames.encodeSealedHead(buf, crc, offset, arrival, sealed);
        put(sealed);
    }

    private void put(byte[] data) throws IOException {
        int done = 0;
        while (done < data.length) {
            if (!buf.hasRemaining()) {
                flush();
            }
            int n = Math.min(data.length - done, buf.remaining());
            buf.put(data, done, n);
            done += n;
        }
    }

    /** Writes what is buffered. */
    void flush() throws IOException {
        buf.flip();
        while (buf.hasRemaining()) {
            channel.write(buf, position + buf.position());
        }
        position += buf.limit();
        buf.clear();
    }

    @Override
    public void close() {
        WriteBuffers.release(buf);
    }
}
