package io.riffle.fault;

import java.time.Duration;
import java.util.List;
import java.util.Random;

/**
 * The faults, one at a time on one node (the nodes in turn, or always the same one): each is applied, held for {@code hold}, undone (the node
 * restarted, resumed or reconnected, and healthy again), then the cluster is left alone for {@code quiet}.
 * The kinds take turns in the order given until the run's time is up, and each comes at least once (a slow
 * machine stretches the run instead of leaving a kind out).
 */
final class Nemesis implements Runnable {
    /** What a fault does to its node. */
    enum Kind {
        /** kill -9, then a start on the same data directory. */
        KILL,
        /** SIGSTOP, then SIGCONT: a node frozen by GC or a stalled VM, sockets open and silent. */
        PAUSE,
        /** All traffic between the node and the others (Hazelcast, event bus) is dropped, then let through. */
        PARTITION,
        /** SIGTERM (an orderly stop), then a start at once. */
        RESTART
    }

    private final NodeCluster cluster;
    private final History history;
    private final List<Kind> kinds;
    private final Duration hold;
    private final Duration quiet;
    private final int target;
    private final long until;
    private final Random random;
    private volatile Exception failure;

    /**
     * @param target the node every fault hits, or -1 for the nodes in turn from a random first one
     * @param until  the {@link History#now} time after which no fault starts, once each kind came
     */
    Nemesis(NodeCluster cluster, History history, List<Kind> kinds, Duration hold, Duration quiet, int target,
            long until, long seed) {
        this.cluster = cluster;
        this.history = history;
        this.kinds = List.copyOf(kinds);
        this.hold = hold;
        this.quiet = quiet;
        this.target = target;
        this.until = until;
        this.random = new Random(seed);
    }

    /** What stopped the nemesis early (a node that did not come back), if anything did. */
    Exception failure() {
        return failure;
    }

    @Override
    public void run() {
        try {
            // The nodes take turns from a random first one, so even a short run hits several nodes.
            int first = target >= 0 ? target : random.nextInt(cluster.size());
            for (int turn = 0; turn < kinds.size() || history.now() + hold.toMillis() < until; turn++) {
                Kind kind = kinds.get(turn % kinds.size());
                int node = target >= 0 ? target : (first + turn) % cluster.size();
                long start = history.now();
                apply(kind, node);
                history.fault(new History.Fault(kind.name().toLowerCase(), node, start, history.now()));
                Thread.sleep(quiet.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            failure = e;
        }
    }

    private void apply(Kind kind, int node) throws Exception {
        Duration back = Duration.ofSeconds(90);
        switch (kind) {
            case KILL -> {
                cluster.kill(node);
                Thread.sleep(hold.toMillis());
                cluster.start(node);
                cluster.awaitHealthy(node, back);
            }
            case PAUSE -> {
                cluster.pause(node);
                Thread.sleep(hold.toMillis());
                cluster.resume(node);
            }
            case PARTITION -> {
                cluster.isolate(node);
                Thread.sleep(hold.toMillis());
                cluster.heal();
            }
            case RESTART -> {
                cluster.stop(node);
                cluster.start(node);
                cluster.awaitHealthy(node, back);
            }
        }
    }
}
