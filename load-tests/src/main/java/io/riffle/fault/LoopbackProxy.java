package io.riffle.fault;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;

/**
 * A TCP proxy on 127.0.0.1 in front of one port of one node, which the harness can cut. Every node reaches
 * that port only through here, so a cut link is a real partition for that traffic: while
 * {@code blocked(source, node)} holds, bytes each way are read and dropped (a black hole, as a pulled cable:
 * no reset, the peers find out by their own timeouts), and a new connection is accepted and then ignored.
 * A connection that lost bytes is closed when the partition heals (its stream has a hole), so the peers
 * reconnect. The source node of a connection comes from {@link SocketOwners}; a client that is no node
 * (-1) is cut only when the node itself is.
 */
final class LoopbackProxy implements Closeable {
    private final String name;
    private final int node;
    /** The node's own port; set again when the node moves to new ports (NodeCluster, a port taken at start). */
    private volatile int targetPort;
    private final SocketOwners owners;
    private final BiPredicate<Integer, Integer> blocked;
    private final ServerSocket server;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * @param blocked whether traffic between (source node or -1, this node) is cut now
     */
    LoopbackProxy(String name, int node, int targetPort, SocketOwners owners, BiPredicate<Integer, Integer> blocked)
            throws IOException {
        this.name = name;
        this.node = node;
        this.targetPort = targetPort;
        this.owners = owners;
        this.blocked = blocked;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "proxy-" + name + "-accept");
        accept.setDaemon(true);
        accept.start();
    }

    /** Points new connections at the node's port {@code port}. */
    void retarget(int port) {
        this.targetPort = port;
    }

    /** The port the nodes connect to instead of the node's own. */
    int port() {
        return server.getLocalPort();
    }

    /** Closes every connection that lost bytes to a cut, so its peers open a fresh one. */
    void closeBrokenLinks() {
        for (Link l : links) {
            if (l.dropped) {
                l.close();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        links.forEach(Link::close);
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                client.setTcpNoDelay(true);
                OptionalInt source = owners.nodeOf(client.getPort(), port());
                Link link = new Link(source.orElse(-1), client);
                links.add(link);
                link.start();
            } catch (IOException e) {
                if (!closed) {
                    sleepQuietly(50); // out of descriptors or the like: try again
                }
            }
        }
    }

    /** One client connection and, once it is not cut, its connection to the node. */
    private final class Link {
        private final int source;
        private final Socket client;
        private volatile Socket upstream;
        private volatile boolean dropped;

        Link(int source, Socket client) {
            this.source = source;
            this.client = client;
        }

        private boolean cut() {
            boolean cut = blocked.test(source, node);
            if (cut) {
                dropped = true;
            }
            return cut;
        }

        void start() {
            Thread t = new Thread(() -> {
                try {
                    // A connection made during a cut stays unanswered: the node's connect "hangs".
                    while (cut() && !closed) {
                        drain(client.getInputStream());
                    }
                    if (dropped) {
                        close();
                        return;
                    }
                    Socket s = new Socket();
                    s.setTcpNoDelay(true);
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5_000);
                    upstream = s;
                    Thread back = new Thread(() -> pump(s, client), "proxy-" + name + "-in");
                    back.setDaemon(true);
                    back.start();
                    pump(client, s);
                } catch (IOException e) {
                    close();
                }
            }, "proxy-" + name + "-out");
            t.setDaemon(true);
            t.start();
        }

        /** Reads what is available without forwarding it; waits a little when nothing is. */
        private void drain(InputStream in) throws IOException {
            int n = in.available();
            if (n > 0) {
                in.skipNBytes(n);
            } else {
                sleepQuietly(20);
            }
        }

        private void pump(Socket from, Socket to) {
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (!cut()) {
                        out.write(buf, 0, n);
                        out.flush();
                    }
                }
            } catch (IOException e) {
                // either side closed
            } finally {
                close();
            }
        }

        void close() {
            links.remove(this);
            closeQuietly(client);
            closeQuietly(upstream);
        }
    }

    private static void closeQuietly(Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
