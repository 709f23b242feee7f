package io.riffle.log;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Collects what {@link ShardLog#open} verified and changed, logs every drop, and builds the {@link RecoveryReport}. */
final class Recovery {
    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

    private final Path dir;
    private int segmentsFound;
    private int segmentsVerified;
    private long bytesVerified;
    private long recordsVerified;
    private int indexesRebuilt;
    private boolean cleanShutdown;
    private final List<RecoveryReport.Truncation> truncations = new ArrayList<>();
    private final List<Path> deleted = new ArrayList<>();

    Recovery(Path dir) {
        this.dir = dir;
    }

    void segmentsFound(int n) {
        segmentsFound = n;
    }

    void verified(long bytes, long records) {
        segmentsVerified++;
        bytesVerified += bytes;
        recordsVerified += records;
    }

    void cleanShutdown() {
        cleanShutdown = true;
    }

    void indexRebuilt() {
        indexesRebuilt++;
    }

    void truncated(Path file, long position, long bytes, long records, String reason) {
        LOG.warn("Recovery of {}: dropped {} bytes ({} frames) from byte {} on: {}", file, bytes, records, position, reason);
        truncations.add(new RecoveryReport.Truncation(file, position, bytes, records, reason));
    }

    void deleted(Path file) {
        LOG.info("Recovery of {}: deleted {}", dir, file.getFileName());
        deleted.add(file);
    }

    RecoveryReport report(long nextOffset, List<DamagedRange> damaged) {
        RecoveryReport r = new RecoveryReport(dir, segmentsFound, segmentsVerified, bytesVerified, recordsVerified,
                indexesRebuilt, truncations, deleted, damaged, nextOffset, cleanShutdown);
        if (r.clean()) {
            LOG.info("Opened {}: {} segments, verified {} records in {} bytes{}, next offset {}", dir, segmentsFound,
                    recordsVerified, bytesVerified, cleanShutdown ? " after a clean shutdown" : "", nextOffset);
        } else {
            LOG.warn("Recovered {}: {} segments, {} indexes rebuilt, dropped {} bytes and {} frames in {} truncations, {} damaged ranges, next offset {}",
                    dir, segmentsFound, indexesRebuilt, r.bytesDropped(), r.recordsDropped(), truncations.size(), damaged.size(), nextOffset);
        }
        return r;
    }
}
