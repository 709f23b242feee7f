package io.riffle.replica;

import io.riffle.log.DurableFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A replica's leader-epoch history, as Kafka's leader-epoch checkpoint: for each leader epoch whose records
 * this log holds, the offset of its first record, ascending in both. Only the leader of an epoch writes
 * records of that epoch, so two replicas whose histories agree up to an offset hold the same records up to
 * it; {@link #divergence} finds where a follower's log stops agreeing with its leader's.
 *
 * <p>Stored in the shard directory as {@code .leader-epochs} through {@link DurableFile}, one line:
 * {@code v1 <epoch> <startOffset> <epoch> <startOffset> ...}. Immutable.
 */
public final class LeaderEpochs {
    static final String FILE = ".leader-epochs";
    private static final int VERSION = 1;
    public static final LeaderEpochs NONE = new LeaderEpochs(new long[0]);

    /** Alternating epoch, start offset. */
    private final long[] entries;

    private LeaderEpochs(long[] entries) {
        this.entries = entries;
    }

    int size() {
        return entries.length / 2;
    }

    long epoch(int i) {
        return entries[2 * i];
    }

    long start(int i) {
        return entries[2 * i + 1];
    }

    /** The epoch of the last record, or 0 with none. */
    public long lastEpoch() {
        return size() == 0 ? 0 : epoch(size() - 1);
    }

    /** This history with epoch {@code epoch} starting at {@code start} (records from {@code start} on are of it). */
    public LeaderEpochs with(long epoch, long start) {
        LeaderEpochs kept = upTo(start);
        if (kept.size() > 0 && kept.lastEpoch() >= epoch) {
            if (kept.lastEpoch() == epoch) {
                return kept;
            }
            throw new IllegalArgumentException("Epoch " + epoch + " is older than the history's last " + kept.lastEpoch());
        }
        long[] e = java.util.Arrays.copyOf(kept.entries, kept.entries.length + 2);
        e[e.length - 2] = epoch;
        e[e.length - 1] = start;
        return new LeaderEpochs(e);
    }

    /** The entries of epochs that have records below {@code end}: the history of a log cut to end there. */
    public LeaderEpochs upTo(long end) {
        return first(e -> e < end);
    }

    /**
     * The entries that start at or below {@code end}: what a follower whose log ends at {@code end} (and
     * agrees with its leader's up to there) takes of the leader's history. An epoch that starts exactly at
     * the end has no record there yet, but counts: it stands for Raft's no-op entry of a new term, so a
     * replica that took it reports that epoch as its last and a replica without it cannot win an election
     * against a majority that took it.
     */
    public LeaderEpochs through(long end) {
        return first(e -> e <= end);
    }

    private LeaderEpochs first(java.util.function.LongPredicate startOk) {
        int n = 0;
        while (n < size() && startOk.test(start(n))) {
            n++;
        }
        return n == size() ? this : new LeaderEpochs(java.util.Arrays.copyOf(entries, 2 * n));
    }

    /**
     * The first offset at which a follower's log (history {@code follower}, next offset {@code followerEnd})
     * may differ from the leader's ({@code leader}, {@code leaderEnd}): the end of their common prefix. The
     * follower truncates to it when it is below its end. Records below it are the same on both, since each
     * comes from the one leader of its epoch.
     */
    public static long divergence(LeaderEpochs leader, long leaderEnd, LeaderEpochs follower, long followerEnd) {
        long agreed = Math.min(leaderEnd, followerEnd);
        int i = 0;
        while (i < leader.size() && i < follower.size()) {
            if (leader.epoch(i) != follower.epoch(i)) {
                // From here one of them holds another leader's records: they agree up to where either began.
                return Math.min(agreed, Math.min(leader.start(i), follower.start(i)));
            }
            if (leader.start(i) != follower.start(i)) {
                return Math.min(agreed, Math.min(leader.start(i), follower.start(i)));
            }
            i++;
        }
        if (i < leader.size()) {
            agreed = Math.min(agreed, leader.start(i));
        }
        if (i < follower.size()) {
            agreed = Math.min(agreed, follower.start(i));
        }
        return agreed;
    }

    /** The wire form, {@code "e:s,e:s"} (empty with no entry). */
    public String encode() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < size(); i++) {
            b.append(i == 0 ? "" : ",").append(epoch(i)).append(':').append(start(i));
        }
        return b.toString();
    }

    public static LeaderEpochs decode(String wire) {
        if (wire == null || wire.isEmpty()) {
            return NONE;
        }
        String[] parts = wire.split(",");
        long[] e = new long[parts.length * 2];
        for (int i = 0; i < parts.length; i++) {
            int colon = parts[i].indexOf(':');
            e[2 * i] = Long.parseLong(parts[i].substring(0, colon));
            e[2 * i + 1] = Long.parseLong(parts[i].substring(colon + 1));
        }
        return checked(e);
    }

    private static LeaderEpochs checked(long[] e) {
        for (int i = 2; i < e.length; i += 2) {
            if (e[i] <= e[i - 2] || e[i + 1] < e[i - 1]) {
                throw new IllegalArgumentException("Leader epochs must ascend: " + java.util.Arrays.toString(e));
            }
        }
        return new LeaderEpochs(e);
    }

    /** The stored history of the log in {@code shardDir}, or {@link #NONE} without one. */
    public static LeaderEpochs read(Path shardDir) throws IOException {
        Path file = shardDir.resolve(FILE);
        if (!Files.exists(file)) {
            return NONE;
        }
        String[] parts = Files.readString(file, StandardCharsets.US_ASCII).trim().split(" ");
        if (!parts[0].equals("v" + VERSION) || parts.length % 2 != 1) {
            throw new IOException(file + " is not a version " + VERSION + " leader-epoch file");
        }
        long[] e = new long[parts.length - 1];
        for (int i = 1; i < parts.length; i++) {
            e[i - 1] = Long.parseLong(parts[i]);
        }
        return checked(e);
    }

    public void write(Path shardDir) throws IOException {
        List<String> parts = new ArrayList<>();
        parts.add("v" + VERSION);
        for (long v : entries) {
            parts.add(Long.toString(v));
        }
        DurableFile.write(shardDir.resolve(FILE), (String.join(" ", parts) + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LeaderEpochs l && java.util.Arrays.equals(entries, l.entries);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(entries);
    }

    @Override
    public String toString() {
        return "LeaderEpochs[" + encode() + "]";
    }
}
