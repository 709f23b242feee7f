package io.riffle.stream;

import io.riffle.model.ShardId;
import io.riffle.model.StreamName;
import java.util.Optional;

/**
 * Which node a {@link StreamClient} request reaches, as this node's copy of the cluster catalog says, and
 * whether that node is still in the member view. The clustered event bus never fails a request whose
 * target node died: it waits for the send timeout. Knowing the target, the client fails or retries such a
 * request as soon as the view drops the node. Standalone there is nothing to know: {@link #NONE}.
 * Every method is safe from any thread.
 */
public interface RequestTargets {
    /** No cluster: every request is local and tracked by nobody. */
    RequestTargets NONE = new RequestTargets() {
        @Override
        public Optional<String> shardLeader(StreamName stream, ShardId shard) {
            return Optional.empty();
        }

        @Override
        public Optional<String> controlPlane() {
            return Optional.empty();
        }

        @Override
        public boolean isLive(String node) {
            return true;
        }

        @Override
        public void onChange(Runnable handler) {
            // Nothing ever changes.
        }
    };

    /** The node id of the shard's leader in the catalog this node holds; empty if unknown. */
    Optional<String> shardLeader(StreamName stream, ShardId shard);

    /** The node id of the catalog leader that last sent this node the catalog (it runs the control plane). */
    Optional<String> controlPlane();

    /** Whether {@code node} is in the current member view. */
    boolean isLive(String node);

    /** Calls {@code handler}, on any thread, after a change of the member view or of the catalog held here. */
    void onChange(Runnable handler);
}
