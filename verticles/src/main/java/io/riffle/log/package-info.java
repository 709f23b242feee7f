/**
 * Durable shard logs: plain Java over {@link java.nio.channels.FileChannel}, no Vert.x, one directory per
 * shard.
 *
 * <p>Use: {@link io.riffle.log.ShardLog#open} (creates or recovers the directory), then from the shard's single
 * owner {@code append} batches (group commit: everything waiting goes into one call, one write, one fsync),
 * {@code flush} every {@code fsyncIntervalMillis} under {@link io.riffle.log.FsyncPolicy#INTERVAL},
 * {@code enforceRetention} now and then, {@code close} or {@code deleteAll}. Reads ({@code read},
 * {@code startOffset} for TRIM_HORIZON, {@code endOffset} for LATEST, {@code offsetForTimestamp} for
 * AT_TIMESTAMP) run on any thread. Offsets map to sequence numbers through
 * {@link io.riffle.model.SequenceNumber}.
 *
 * <p>On disk: frames in {@code Frames}, sparse offset and time indexes in {@code SparseIndex}, segments in
 * {@code Segment}, recovery and the clean-shutdown marker in {@link io.riffle.log.ShardLog}.
 */
package io.riffle.log;
