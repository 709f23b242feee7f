package io.riffle.gateway.subscription;

import io.riffle.model.ShardDescription;
import io.riffle.model.ShardId;
import io.riffle.model.StreamDescription;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The parent/child graph of a stream's shards, for readers that must read a parent to its end before its
 * children (so the records of one key stay in order across splits and merges). Pure logic over one
 * description.
 */
public final class ShardLineage {
    private final StreamDescription stream;

    public ShardLineage(StreamDescription stream) {
        this.stream = stream;
    }

    /** The children of {@code parent}: the shards naming it as parent or adjacent parent, in id order. */
    public List<ShardDescription> children(ShardId parent) {
        return stream.shards().stream().filter(s -> parents(s).contains(parent)).toList();
    }

    /** The one or two parents of a shard (none for a shard the stream was created with). */
    public static List<ShardId> parents(ShardDescription s) {
        return Stream.concat(s.parentShardId().stream(), s.adjacentParentShardId().stream()).toList();
    }

    /** The shards without a parent in the stream: where reading everything the stream holds starts. */
    public List<ShardId> roots() {
        Set<ShardId> known = ids();
        return stream.shards().stream().filter(s -> parents(s).stream().noneMatch(known::contains))
                .map(ShardDescription::shardId).toList();
    }

    /** Whether {@code shard} descends (through any number of generations) from one of {@code ancestors}. */
    public boolean descendsFromAny(ShardId shard, Collection<ShardId> ancestors) {
        Deque<ShardId> todo = new ArrayDeque<>(parentsOf(shard));
        Set<ShardId> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            ShardId p = todo.pop();
            if (ancestors.contains(p)) {
                return true;
            }
            if (seen.add(p)) {
                todo.addAll(parentsOf(p));
            }
        }
        return false;
    }

    /**
     * Whether a reader may start {@code child} now: each of its parents is finished, or is no concern of
     * this reader (neither read by it nor descending from a shard it reads, so nothing of it comes first).
     *
     * @param read     every shard this reader has started
     * @param finished the shards it read to their end
     */
    public boolean mayStart(ShardId child, Set<ShardId> read, Set<ShardId> finished) {
        for (ShardId p : parentsOf(child)) {
            boolean concerned = read.contains(p) || descendsFromAny(p, read);
            if (concerned && !finished.contains(p)) {
                return false;
            }
        }
        return true;
    }

    private List<ShardId> parentsOf(ShardId id) {
        return find(id).map(ShardLineage::parents).orElse(List.of());
    }

    private Optional<ShardDescription> find(ShardId id) {
        return stream.shards().stream().filter(s -> s.shardId().equals(id)).findFirst();
    }

    private Set<ShardId> ids() {
        Set<ShardId> ids = new HashSet<>();
        stream.shards().forEach(s -> ids.add(s.shardId()));
        return ids;
    }
}
