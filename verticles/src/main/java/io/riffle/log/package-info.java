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
 * <p>By concern: {@code ShardLog} (appends, retention, the public API), {@code LogLoader} (recovery at open),
 * {@code LogReader} (the read path), {@code Segment} and {@code SparseIndex} (one file and its index),
 * {@code Frames}, {@code FrameScanner}, {@code FrameWriter} and {@code FrameSearch} (the frame layout and
 * walking it), {@code LogMarker} (the clean-shutdown and log-start files), {@code WriteBuffers} (the node's
 * pool of direct write buffers).
 *
 * <p><b>Recovery at open.</b> The last segment is the only one that can hold unsynced bytes (a segment is
 * fsynced when rolled), so after a crash it is verified frame by frame. After a clean shutdown
 * ({@code .clean-shutdown}, versioned: any other version counts as a crash) it is trusted up to its last
 * index entry like the earlier segments, whose frames after the last index entry are verified and whose
 * index is rebuilt (verifying the whole segment) when missing or invalid. Start time therefore does not
 * grow with the data: the frames that were not verified at open are verified by every read that passes
 * them (each frame's CRC32C is checked on every read), which is where damage in them is found.
 *
 * <p><b>Torn tail or damage.</b> Bad bytes at the end of the last segment, with no intact frame after them,
 * are a torn tail: a crash interrupted the write, nothing after it was acknowledged, and it is cut and
 * reported ({@link io.riffle.log.RecoveryReport#truncations()}). Bad bytes followed by an intact frame with
 * a later offset, in any segment, are damage and never cut: unlike Kafka, which truncates at the first bad
 * frame, the intact records after it were acknowledged, so they stay readable and their offsets are never
 * handed out again. The frame after the damage is found by trying every byte position (a damaged length
 * field hides where the next frame starts). Offsets from the log start ({@code .log-start}, written by
 * retention before it deletes anything) that no segment holds (a missing segment file, or a sealed one
 * that ends in bytes without an intact frame) are damage too.
 *
 * <p><b>Encryption at rest.</b> {@link io.riffle.log.ShardLog#setEncryption} makes later appends go to segments
 * of sealed (version-2) frames, each segment with its own data key in a {@code <base>.key} sidecar
 * ({@code SegmentKey}, {@link io.riffle.log.crypto}); the master keys come from the {@code Supplier<Keyring>} given
 * to {@code open}. Offsets, arrival times and CRCs stay in clear, so recovery, indexes and retention work
 * without keys; only reads of sealed records and encrypted appends need them ({@link
 * io.riffle.log.KeyUnavailableException} otherwise). Design: docs/encryption.md.
 *
 * <p><b>Damage is never silent.</b> Each {@link io.riffle.log.DamagedRange} is logged as an error once
 * (directory, file, byte position, offsets), counted ({@link io.riffle.log.ShardLog#corruptRecordsFound()})
 * and listed ({@link io.riffle.log.ShardLog#damaged()}). A read that reaches it returns the records before
 * it, or fails with {@link io.riffle.log.CorruptLogException} when there are none; reads from an offset
 * after it work. TRIM_HORIZON and AT_TIMESTAMP answer the start of damage that might hold the record sought,
 * so the read from there fails rather than skipping it. Damaged bytes are left in place for inspection.
 */
package io.riffle.log;
