package io.riffle.client;

import io.riffle.node.Node;
import io.riffle.node.NodeConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A real Riffle node started in-process on 127.0.0.1, with its data in a test's directory. */
final class TestNode implements AutoCloseable {
    private final Path dataDir;
    private final List<String> flags;
    private Node node;

    private TestNode(Path dataDir, List<String> flags) {
        this.dataDir = dataDir;
        this.flags = flags;
    }

    /** Starts a node on a free port; {@code flags} are extra command-line settings. */
    static TestNode start(Path dataDir, String... flags) {
        TestNode n = new TestNode(dataDir, List.of(flags));
        n.node = Node.start(n.config(0)).await();
        return n;
    }

    private NodeConfig config(int port) {
        List<String> args = new ArrayList<>(List.of("--host", "127.0.0.1", "--port", Integer.toString(port),
                "--data-dir", dataDir.toString(), "--gateway-instances", "1"));
        args.addAll(flags);
        return NodeConfig.load(args.toArray(String[]::new), Map.of());
    }

    int port() {
        return node.port();
    }

    /** Stops the node (subscribers get 1001) and starts it again on the same port and data. */
    void restart() {
        int port = node.port();
        node.stop().await();
        node = Node.start(config(port)).await();
    }

    @Override
    public void close() {
        node.stop().await();
    }
}
