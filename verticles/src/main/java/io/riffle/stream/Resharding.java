package io.riffle.stream;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.model.HashKeyRange;
import io.riffle.model.ShardDescription;
import io.riffle.model.ShardId;
import io.riffle.model.StreamDescription;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Plans splits, merges and uniform scaling over a stream description, with Kinesis's validation, and
 * nothing else: no I/O, no Vert.x. The control plane carries a {@link Plan} out (new shards deployed,
 * parents sealed, the new description made durable).
 *
 * <p>Children take the next free shard indexes (never one a parent or an older shard has), so a child's
 * log directory, which is named after its index, never meets another shard's. Uniform scaling works as
 * AWS says it does, by splits and merges: every open shard is split at each target boundary inside it,
 * then the pieces of each target range are merged left to right. Pieces that are split or merged again
 * at once are temporary shards: created closed and empty, so a reader following the lineage passes
 * through them and still meets every parent before its children, each child having at most two parents.
 */
public final class Resharding {
    /** The most open shards UpdateShardCount scales a stream to, as Kinesis's per-stream limit. */
    public static final int MAX_SHARDS_PER_STREAM = 10_000;

    private Resharding() {
    }

    /**
     * A planned reshard.
     *
     * @param after   the description once done; the sealed parents' ending sequence numbers are still
     *                their starting ones, until {@link #withLastOffsets} fills in what their logs hold
     * @param sealed  shards open before and closed after: they must stop taking writes
     * @param created shards new in {@code after}, open children and closed temporary ones alike
     */
    public record Plan(StreamDescription after, List<ShardId> sealed, List<ShardDescription> created) {
        public Plan {
            sealed = List.copyOf(sealed);
            created = List.copyOf(created);
        }

        /** The description with each sealed parent's last record offset (absent: the shard had none). */
        public StreamDescription withLastOffsets(Map<ShardId, Long> lastOffsets, long closedMillis) {
            return after.withShards(after.shards().stream().map(s -> sealed.contains(s.shardId())
                    ? s.closed(lastOffsets.getOrDefault(s.shardId(), s.startingSequenceNumber().offset()), closedMillis)
                    : s).toList());
        }

        public int openShardsAfter() {
            return after.openShards().size();
        }
    }

    /** Kinesis refuses manual resharding of ON_DEMAND streams (it scales them itself): VALIDATION. */
    public static StreamDescription requireProvisioned(StreamDescription d, String operation) {
        if (d.mode() == io.riffle.model.StreamMode.ON_DEMAND) {
            throw RiffleException.validation(operation + " is not supported for stream " + d.name()
                    + " in ON_DEMAND capacity mode: Kinesis scales it by itself; switch it to PROVISIONED first.");
        }
        return d;
    }

    /** SplitShard: {@code shard} becomes two children, the second starting at {@code newStartingHashKey}. */
    public static Plan split(StreamDescription d, ShardId shard, BigInteger newStartingHashKey, long nowMillis) {
        ShardDescription s = openShard(d, shard);
        BigInteger start = s.hashKeyRange().start();
        BigInteger end = s.hashKeyRange().end();
        // AWS's rule, word for word in its message: the new key must leave each child at least one key.
        if (newStartingHashKey.compareTo(start.add(BigInteger.ONE)) <= 0 || newStartingHashKey.compareTo(end) >= 0) {
            throw RiffleException.invalidArgument("NewStartingHashKey " + newStartingHashKey + " used in SplitShard() on shard "
                    + shard + " in stream " + d.name() + " is not both greater than one plus the shard's StartingHashKey "
                    + start + " and less than the shard's EndingHashKey " + end + ".");
        }
        Builder b = new Builder(d, nowMillis);
        b.split(shard, newStartingHashKey);
        return b.plan();
    }

    /**
     * Splits each of {@code shards} in the middle of its range, in one reshard (ON_DEMAND scaling). A shard
     * too narrow to split (fewer than 3 hash keys) is left alone; none left is an empty plan.
     */
    public static Plan splitInHalves(StreamDescription d, List<ShardId> shards, long nowMillis) {
        Builder b = new Builder(d, nowMillis);
        for (ShardId id : shards) {
            HashKeyRange r = openShard(d, id).hashKeyRange();
            BigInteger middle = r.start().add(r.end().subtract(r.start()).add(BigInteger.ONE).shiftRight(1));
            if (middle.compareTo(r.start().add(BigInteger.ONE)) > 0 && middle.compareTo(r.end()) < 0) {
                b.split(id, middle);
            }
        }
        return b.plan();
    }

    /** MergeShards: {@code shard} and {@code adjacent}, neighbours in the key space, become one child. */
    public static Plan merge(StreamDescription d, ShardId shard, ShardId adjacent, long nowMillis) {
        ShardDescription a = openShard(d, shard);
        ShardDescription b = openShard(d, adjacent);
        if (!adjacent(a.hashKeyRange(), b.hashKeyRange())) {
            throw RiffleException.invalidArgument("Shards " + shard + " and " + adjacent + " in stream " + d.name()
                    + " are not an adjacent pair of shards eligible for merging");
        }
        Builder builder = new Builder(d, nowMillis);
        builder.merge(shard, adjacent);
        return builder.plan();
    }

    /**
     * UpdateShardCount with UNIFORM_SCALING: the open shards are replaced by {@code target} shards over even
     * ranges of the key space. Kinesis's limits: at most double and at least half the open shard count,
     * at most {@link #MAX_SHARDS_PER_STREAM}.
     */
    public static Plan uniform(StreamDescription d, int target, long nowMillis) {
        int open = d.openShards().size();
        if (target < 1) {
            throw RiffleException.constraint("targetShardCount", target, "have value greater than or equal to 1");
        }
        if (target > 2 * open) {
            throw new RiffleException(ErrorCode.LIMIT_EXCEEDED, "UpdateShardCount cannot scale up over double your current open"
                    + " shard count. Current open shard count: " + open + " Target shard count: " + target);
        }
        if (target * 2 < open) {
            throw new RiffleException(ErrorCode.LIMIT_EXCEEDED, "UpdateShardCount cannot scale down below half your current"
                    + " open shard count. Current open shard count: " + open + " Target shard count: " + target);
        }
        if (target > MAX_SHARDS_PER_STREAM) {
            throw new RiffleException(ErrorCode.LIMIT_EXCEEDED, "UpdateShardCount cannot scale stream " + d.name()
                    + " above " + MAX_SHARDS_PER_STREAM + " shards. Target shard count: " + target);
        }
        List<HashKeyRange> targets = HashKeyRange.evenSplit(target);
        Builder b = new Builder(d, nowMillis);
        for (ShardDescription s : sortedOpen(d)) {
            ShardId piece = s.shardId();
            for (HashKeyRange t : targets) {
                BigInteger boundary = t.start();
                if (boundary.compareTo(s.hashKeyRange().start()) > 0 && boundary.compareTo(s.hashKeyRange().end()) <= 0) {
                    piece = b.split(piece, boundary).get(1);
                }
            }
        }
        for (HashKeyRange t : targets) {
            List<ShardId> pieces = b.openWithin(t);
            ShardId merged = pieces.get(0);
            for (int i = 1; i < pieces.size(); i++) {
                merged = b.merge(merged, pieces.get(i));
            }
        }
        return b.plan();
    }

    /**
     * The closed shards of {@code d} whose records have all expired at {@code nowMillis}: closed before the
     * retention period began (no record of a shard arrives after it closed). Kinesis drops them from the
     * stream; their children keep naming them as parents. The shard of the highest index is never among
     * them, so the next child's index (one above the highest, see {@link Builder}) is never one a dropped
     * shard had.
     */
    public static List<ShardId> expired(StreamDescription d, long nowMillis) {
        long cutoff = nowMillis - d.retentionHours() * 3_600_000L;
        int highest = d.shards().stream().mapToInt(s -> s.shardId().index()).max().orElse(-1);
        return d.shards().stream()
                .filter(s -> !s.isOpen() && s.shardId().index() != highest)
                .filter(s -> s.closedMillis().map(closed -> closed < cutoff).orElse(false))
                .map(ShardDescription::shardId).toList();
    }

    private static ShardDescription openShard(StreamDescription d, ShardId id) {
        ShardDescription s = d.shards().stream().filter(x -> x.shardId().equals(id)).findFirst()
                .orElseThrow(() -> RiffleException.notFound("Could not find shard " + id + " in stream " + d.name() + "."));
        if (!s.isOpen()) {
            throw RiffleException.invalidArgument("Shard " + id + " in stream " + d.name()
                    + " has already been merged or split, and thus is not eligible for merging or splitting.");
        }
        return s;
    }

    private static boolean adjacent(HashKeyRange a, HashKeyRange b) {
        return a.end().add(BigInteger.ONE).equals(b.start()) || b.end().add(BigInteger.ONE).equals(a.start());
    }

    private static List<ShardDescription> sortedOpen(StreamDescription d) {
        return d.openShards().stream().sorted(Comparator.comparing(s -> s.hashKeyRange().start())).toList();
    }

    /** The shards of a stream while a plan is worked out, in id order; new ones take the next free index. */
    private static final class Builder {
        private final StreamDescription before;
        private final long nowMillis;
        private final Map<ShardId, ShardDescription> shards = new LinkedHashMap<>();
        private int nextIndex;

        Builder(StreamDescription before, long nowMillis) {
            this.before = before;
            this.nowMillis = nowMillis;
            before.shards().forEach(s -> shards.put(s.shardId(), s));
            nextIndex = before.shards().stream().mapToInt(s -> s.shardId().index() + 1).max().orElse(0);
        }

        List<ShardId> split(ShardId parent, BigInteger at) {
            HashKeyRange r = close(parent);
            ShardId left = add(parent, Optional.empty(), new HashKeyRange(r.start(), at.subtract(BigInteger.ONE)));
            ShardId right = add(parent, Optional.empty(), new HashKeyRange(at, r.end()));
            return List.of(left, right);
        }

        ShardId merge(ShardId parent, ShardId adjacentParent) {
            HashKeyRange a = close(parent);
            HashKeyRange b = close(adjacentParent);
            HashKeyRange union = new HashKeyRange(a.start().min(b.start()), a.end().max(b.end()));
            return add(parent, Optional.of(adjacentParent), union);
        }

        List<ShardId> openWithin(HashKeyRange range) {
            return shards.values().stream().filter(ShardDescription::isOpen)
                    .filter(s -> range.contains(s.hashKeyRange().start()))
                    .sorted(Comparator.comparing(s -> s.hashKeyRange().start()))
                    .map(ShardDescription::shardId).toList();
        }

        private HashKeyRange close(ShardId id) {
            ShardDescription s = shards.get(id);
            shards.put(id, s.closed(s.startingSequenceNumber().offset(), nowMillis));
            return s.hashKeyRange();
        }

        private ShardId add(ShardId parent, Optional<ShardId> adjacentParent, HashKeyRange range) {
            ShardId id = new ShardId(nextIndex++);
            shards.put(id, ShardDescription.child(id, parent, adjacentParent, range));
            return id;
        }

        Plan plan() {
            List<ShardId> sealed = new ArrayList<>();
            for (ShardDescription s : before.openShards()) {
                if (!shards.get(s.shardId()).isOpen()) {
                    sealed.add(s.shardId());
                }
            }
            List<ShardDescription> created = shards.values().stream()
                    .filter(s -> before.shards().stream().noneMatch(o -> o.shardId().equals(s.shardId()))).toList();
            return new Plan(before.withShards(List.copyOf(shards.values())), sealed, created);
        }
    }
}
