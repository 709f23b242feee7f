package io.riffle.client;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The position of a subscription in each shard: the sequence number of the last record it received
 * (every received record is delivered downstream, across reconnects), or the node's continuation point
 * (the last record the node delivered before, sent with heartbeats too, so an idle shard of a LATEST
 * subscription has a position as well). A reconnect starts just after these, so the consumer sees no gap and
 * no duplicate. Pure logic, owned by one subscription.
 *
 * <p>A shard whose frames carry no continuation had nothing before the subscription's position (the node
 * sends none until the shard's first record). For a LATEST subscription that means every record now in
 * such a shard is new, so a reconnect starts the shards without a position at TRIM_HORIZON. Only a shard
 * the client never heard from (a break before the first heartbeat, within a few seconds of subscribing)
 * starts at LATEST again and may miss records put during the break.
 */
final class ResumePositions {
    private final StartPosition start;
    private final Map<String, String> positions = new LinkedHashMap<>();
    private boolean emptyShardSeen;

    ResumePositions(StartPosition start) {
        this.start = start;
        if (start instanceof StartPosition.AfterSequenceNumbers after) {
            positions.putAll(after.positions());
        }
    }

    /** A record of the shard was received (and queued for delivery). */
    void received(String shardId, String sequenceNumber) {
        positions.put(shardId, sequenceNumber);
    }

    /**
     * A frame of the shard arrived, with the node's continuation (empty while the shard had no record before
     * the subscription's position).
     */
    void heard(String shardId, Optional<String> continuation) {
        if (continuation.isPresent()) {
            continuation(shardId, continuation.get());
        } else if (!positions.containsKey(shardId)) {
            emptyShardSeen = true;
        }
    }

    /**
     * The node said where the shard continues after a frame; only used once the frame's records are all
     * received, and never moves a shard backwards past a received record.
     */
    void continuation(String shardId, String sequenceNumber) {
        String current = positions.get(shardId);
        if (current == null || compare(sequenceNumber, current) > 0) {
            positions.put(shardId, sequenceNumber);
        }
    }

    /**
     * The query of the next connection: the original start, with {@code positions} naming every shard
     * whose position is known; the node resumes those AFTER their sequence number and starts the others
     * as the original start says.
     */
    String query() {
        if (positions.isEmpty()) {
            return start == StartPosition.LATEST && emptyShardSeen ? StartPosition.TRIM_HORIZON.query() : start.query();
        }
        if (start instanceof StartPosition.AfterSequenceNumbers) {
            return StartPosition.afterSequenceNumbers(positions).query();
        }
        StartPosition rest = start == StartPosition.LATEST && emptyShardSeen ? StartPosition.TRIM_HORIZON : start;
        return rest.query() + "&positions=" + StartPosition.positionsParam(positions);
    }

    /** Sequence numbers are decimal strings without leading zeros: longer is larger. */
    static int compare(String a, String b) {
        return a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
    }
}
