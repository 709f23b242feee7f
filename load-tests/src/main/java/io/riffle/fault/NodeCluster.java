package io.riffle.fault;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Riffle nodes as child JVMs on 127.0.0.1, clustered with TCP-IP seeds, each with its own data directory
 * and fixed ports (HTTP, Hazelcast, event bus) so a restart comes back where clients and peers look for
 * it. Each node's Hazelcast and event-bus ports are reached by the other nodes only through a
 * {@link LoopbackProxy} each (the node announces the proxies' ports as its public ones:
 * {@code hazelcast.local.publicAddress}, {@code eventBusPublicPort}), which {@link #isolate} cuts: all the
 * traffic between nodes. Clients reach the HTTP port directly, as a client on the node's side would.
 *
 * <p>The node runs from {@code riffle.node.jar} (a system property: the shaded node jar) when set, else from
 * this JVM's class path, as the load-tests module's tests have the node on it.
 */
final class NodeCluster implements Closeable {
    /** What Hazelcast needs opened on Java 17; the node jar's manifest says the same. */
    private static final List<String> OPENS = List.of("--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.management/sun.management=ALL-UNNAMED",
            "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED");

    private final Path dir;
    private final int size;
    private final String clusterName;
    private final int[] httpPorts;
    private final int[] clusterPorts;
    private final int[] eventBusPorts;
    private final Process[] processes;
    private final int[] starts;
    private final List<LoopbackProxy> proxies = new ArrayList<>();
    private final List<LoopbackProxy> eventBusProxies = new ArrayList<>();
    private final Set<Integer> isolated = ConcurrentHashMap.newKeySet();
    private final Set<Integer> paused = ConcurrentHashMap.newKeySet();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    NodeCluster(Path dir, int size) throws IOException {
        if (size < 3 || size > 5) {
            throw new IllegalArgumentException("nodes must be 3 to 5, not " + size);
        }
        this.dir = dir;
        this.size = size;
        this.clusterName = "fault-" + ProcessHandle.current().pid();
        this.httpPorts = new int[size];
        this.clusterPorts = new int[size];
        this.eventBusPorts = new int[size];
        this.processes = new Process[size];
        this.starts = new int[size];
        SocketOwners owners = new SocketOwners(this::livePids);
        // The proxies hold their ports before the nodes' are picked, so no node port is a proxy's.
        for (int i = 0; i < size; i++) {
            proxies.add(new LoopbackProxy("hazelcast" + i, i, -1, owners, this::blocked));
            eventBusProxies.add(new LoopbackProxy("eventbus" + i, i, -1, owners, this::blocked));
        }
        for (int i = 0; i < size; i++) {
            pickPorts(i);
        }
    }

    /**
     * Picks free ports for node {@code i}'s HTTP, Hazelcast and event-bus servers. They are free when picked,
     * not reserved: another process may bind one before the node does (see {@link #startAll}).
     */
    private void pickPorts(int i) throws IOException {
        int[] ports = freePorts(3);
        httpPorts[i] = ports[0];
        clusterPorts[i] = ports[1];
        eventBusPorts[i] = ports[2];
        proxies.get(i).retarget(ports[1]);
        eventBusProxies.get(i).retarget(ports[2]);
    }

    int size() {
        return size;
    }

    /** The node's HTTP base, e.g. {@code http://127.0.0.1:8123}. */
    URI endpoint(int node) {
        return URI.create("http://127.0.0.1:" + httpPorts[node]);
    }

    /**
     * Starts every node and waits until each is healthy and the catalog takes changes. A node whose first start
     * found one of its ports taken (picked free, then bound by some other process in between) starts once more
     * on new ports: before any client or peer knows them that costs nothing, and it is the harness's race, not
     * the node's. Any other exit fails the run.
     */
    void startAll(Duration timeout) throws IOException, InterruptedException {
        for (int i = 0; i < size; i++) {
            start(i);
        }
        for (int i = 0; i < size; i++) {
            try {
                awaitHealthy(i, timeout);
            } catch (NodeExited e) {
                if (starts[i] != 1 || !e.logTail.contains("already in use")) {
                    throw e;
                }
                System.out.println("node " + i + " found a port taken at its first start (" + e.log + "): starting it on new ports");
                pickPorts(i);
                start(i);
                awaitHealthy(i, timeout);
            }
        }
        awaitStatus(0, "/v1/streams", timeout);
    }

    /** A node that exited while it was awaited; the message carries the end of its log, for CI output. */
    static final class NodeExited extends IOException {
        final Path log;
        final String logTail;

        NodeExited(int node, Path log, String logTail) {
            super("node " + node + " exited: see " + log + "; it ends:\n" + logTail);
            this.log = log;
            this.logTail = logTail;
        }
    }

    private static String tail(Path log, int lines) {
        try {
            List<String> all = java.nio.file.Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** Starts node {@code i} (again) on its data directory and ports; does not wait. */
    synchronized void start(int i) throws IOException {
        if (processes[i] != null && processes[i].isAlive()) {
            throw new IllegalStateException("node " + i + " is running");
        }
        String members = proxies.stream().map(p -> "127.0.0.1:" + p.port()).collect(Collectors.joining(","));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        cmd.addAll(OPENS);
        // Peers reach this member through its proxy; Hazelcast reads these before its own config.
        cmd.add("-Dhazelcast.local.publicAddress=127.0.0.1:" + proxies.get(i).port());
        // A healed partition merges within seconds, not after Hazelcast's default 300 s.
        cmd.add("-Dhazelcast.merge.first.run.delay.seconds=5");
        cmd.add("-Dhazelcast.merge.next.run.delay.seconds=5");
        // Times in the nodes' logs, to line them up with the report's fault times (its start is noted there).
        cmd.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
        cmd.add("-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS");
        // Extra JVM options for the nodes, e.g. a DEBUG level for one class while chasing a fault.
        String extra = System.getenv().getOrDefault("NODE_JAVA_OPTS", "").trim();
        if (!extra.isEmpty()) {
            cmd.addAll(List.of(extra.split("\\s+")));
        }
        String jar = System.getProperty("riffle.node.jar", "");
        if (!jar.isEmpty()) {
            cmd.addAll(List.of("-jar", jar));
        } else {
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.riffle.node.RiffleMain"));
        }
        cmd.addAll(List.of("--host", "127.0.0.1", "--port", String.valueOf(httpPorts[i]),
                "--data-dir", dir.resolve("node" + i).toString(), "--gateway-instances", "1", "--throttling", "false",
                "--cluster", "true", "--cluster-name", clusterName, "--cluster-port", String.valueOf(clusterPorts[i]),
                "--cluster-members", members, "--event-bus-host", "127.0.0.1",
                "--event-bus-port", String.valueOf(eventBusPorts[i]),
                "--event-bus-public-port", String.valueOf(eventBusProxies.get(i).port())));
        Path log = dir.resolve("node" + i + "-start" + starts[i]++ + ".log");
        // Output goes to a file: a pipe nobody drains would block the node.
        processes[i] = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        paused.remove(i);
    }

    /** kill -9. */
    void kill(int i) throws InterruptedException {
        Process p = processes[i];
        if (p != null) {
            resume(i); // a stopped process dies of SIGKILL too, but keep the bookkeeping right
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** SIGTERM, and a wait for the node's orderly stop (then kill -9 if it takes over 30 s). */
    void stop(int i) throws InterruptedException {
        Process p = processes[i];
        if (p != null && p.isAlive()) {
            resume(i);
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** SIGSTOP: the node's threads stop, its sockets stay open and unanswered. */
    void pause(int i) throws IOException, InterruptedException {
        signal(i, "STOP");
        paused.add(i);
    }

    /** SIGCONT. */
    void resume(int i) throws InterruptedException {
        if (paused.remove(i)) {
            try {
                signal(i, "CONT");
            } catch (IOException e) {
                throw new IllegalStateException("cannot resume node " + i, e);
            }
        }
    }

    boolean alive(int i) {
        return processes[i] != null && processes[i].isAlive();
    }

    /** Cuts all traffic between node {@code i} and the other nodes (Hazelcast and the event bus). */
    void isolate(int i) {
        isolated.add(i);
    }

    /** Lifts every cut. */
    void heal() {
        isolated.clear();
        proxies.forEach(LoopbackProxy::closeBrokenLinks);
        eventBusProxies.forEach(LoopbackProxy::closeBrokenLinks);
    }

    private boolean blocked(int source, int target) {
        return source != target && (isolated.contains(target) || isolated.contains(source));
    }

    private Map<Integer, Long> livePids() {
        Map<Integer, Long> pids = new HashMap<>();
        for (int i = 0; i < size; i++) {
            Process p = processes[i];
            if (p != null && p.isAlive()) {
                pids.put(i, p.pid());
            }
        }
        return pids;
    }

    private void signal(int i, String signal) throws IOException, InterruptedException {
        Process p = processes[i];
        if (p == null || !p.isAlive()) {
            return;
        }
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(p.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + signal + " " + p.pid() + " failed");
        }
    }

    /** Waits until node {@code i} answers 200 on {@code /health}. */
    void awaitHealthy(int i, Duration timeout) throws IOException, InterruptedException {
        awaitStatus(i, "/health", timeout);
    }

    private void awaitStatus(int i, String path, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!alive(i)) {
                Path log = dir.resolve("node" + i + "-start" + (starts[i] - 1) + ".log");
                throw new NodeExited(i, log, tail(log, 40));
            }
            if (status(i, path) == 200) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IOException("node " + i + " did not answer 200 on " + path + " within " + timeout);
    }

    /** The HTTP status of GET {@code path} on node {@code i}, or -1 when it does not answer within 3 s. */
    int status(int i, String path) throws InterruptedException {
        try {
            return http.send(HttpRequest.newBuilder(endpoint(i).resolve(path)).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Where node {@code i}'s logs are (one file per start). */
    Path logs() {
        return dir;
    }

    @Override
    public void close() {
        for (int i = 0; i < size; i++) {
            Process p = processes[i];
            if (p != null) {
                try {
                    resume(i);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                p.destroyForcibly();
            }
        }
        for (Process p : processes) {
            if (p != null) {
                try {
                    p.waitFor(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        proxies.forEach(LoopbackProxy::close);
        eventBusProxies.forEach(LoopbackProxy::close);
    }

    static int[] freePorts(int n) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }
}
