package io.riffle.log;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The direct buffers appends encode frames into, shared by every shard log of the JVM. An append borrows
 * one {@value #CHUNK}-byte buffer, writes the batch through it a chunk at a time and gives it back, so an
 * idle shard holds no direct memory and a large batch does not leave a large buffer behind. At most
 * {@value #MAX_POOLED} buffers are kept; appends beyond that many at once allocate and drop theirs.
 * (Heap buffers are avoided on purpose: the JDK copies them through a per-thread direct buffer cache that
 * keeps the largest buffer each thread ever wrote.)
 */
final class WriteBuffers {
    static final int CHUNK = 256 << 10;
    static final int MAX_POOLED = 16;

    private static final ConcurrentLinkedQueue<ByteBuffer> POOL = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger POOLED = new AtomicInteger();

    private WriteBuffers() {
    }

    static ByteBuffer borrow() {
        ByteBuffer b = POOL.poll();
        if (b == null) {
            return ByteBuffer.allocateDirect(CHUNK);
        }
        POOLED.decrementAndGet();
        return b.clear();
    }

    static void release(ByteBuffer b) {
        if (POOLED.incrementAndGet() <= MAX_POOLED) {
            POOL.offer(b);
        } else {
            POOLED.decrementAndGet();
        }
    }

    /** Direct bytes held by the pool (for tests). */
    static long pooledBytes() {
        return (long) POOLED.get() * CHUNK;
    }
}
