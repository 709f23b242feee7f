package io.riffle.node;

import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar riffle.jar [--config FILE] [--port N] [--host H] [--data-dir DIR] ...}: starts a node and
 * runs until SIGTERM or SIGINT, which stop it in order (see {@link Node#stop()}) and exit 0. Exit 2 means
 * bad configuration, 1 a failed start or an unclean stop.
 */
public final class RiffleMain {
    private static final String NETTY_JFR = "io.netty.jfr.enabled";
    private static final Logger LOG = LoggerFactory.getLogger(RiffleMain.class);

    private RiffleMain() {
    }

    public static void main(String[] args) {
        defaultSystemProperties();
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            System.out.println(help());
            return;
        }
        NodeConfig config;
        try {
            config = NodeConfig.load(args, System.getenv());
        } catch (ConfigException e) {
            System.err.println("riffle: " + e.getMessage());
            System.exit(2);
            return;
        }
        Node node;
        try {
            node = startJoining(config);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ConfigException) {
                System.err.println("riffle: " + cause.getMessage());
                System.exit(2);
            }
            LOG.error("Riffle node failed to start", cause);
            System.exit(1);
            return;
        } catch (InterruptedException | TimeoutException e) {
            LOG.error("Riffle node failed to start in time", e);
            System.exit(1);
            return;
        }
        installShutdown(node);
    }

    /** Start attempts when Hazelcast ends this member while it joins. */
    private static final int JOIN_ATTEMPTS = 3;

    /**
     * Starts the node; again (at most {@value #JOIN_ATTEMPTS} times, 2 s apart) when Hazelcast terminated this
     * member while it joined: a member that joins while the CP Subsystem runs its discovery (after a reset,
     * see CpMembership) fails it ("Invalid initial CP members") and Hazelcast shuts it down, although a start
     * a moment later works. A failed start has released the data directory and closed Vert.x.
     */
    private static Node startJoining(NodeConfig config) throws ExecutionException, InterruptedException, TimeoutException {
        for (int attempt = 1; ; attempt++) {
            try {
                return Node.start(config).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (attempt == JOIN_ATTEMPTS || !(e.getCause() instanceof com.hazelcast.core.HazelcastInstanceNotActiveException)) {
                    throw e;
                }
                LOG.warn("Hazelcast ended this member while it joined the cluster ({}): starting again in 2 s", e.getCause().toString());
                Thread.sleep(2_000);
            }
        }
    }

    /**
     * Netty's buffer allocation events for JFR off unless asked for: registering them with the JVM took about
     * 0.2 s of the first request (RESULTS.md, #14 start-up). Who records with JFR can ask with -D...=true.
     */
    static void defaultSystemProperties() {
        if (System.getProperty(NETTY_JFR) == null) {
            System.setProperty(NETTY_JFR, "false");
        }
    }

    /**
     * SIGTERM and SIGINT (and any other orderly JVM exit) stop the node in order in a shutdown hook, which then
     * ends the JVM with 0 if the stop was clean, 1 if not. Halting from the hook is deliberate: SIGTERM is
     * the normal way to stop a node, and the JVM would otherwise report it as 143.
     */
    private static void installShutdown(Node node) {
        long waitSeconds = node.config().shutdownTimeoutSeconds() + 30L;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            int status = 0;
            try {
                node.stop().toCompletionStage().toCompletableFuture().get(waitSeconds, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.error("Riffle node did not stop cleanly", e);
                status = 1;
            }
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(status);
        }, "riffle-shutdown"));
    }

    static String help() {
        StringBuilder b = new StringBuilder("""
                Usage: java -jar riffle.jar [options]

                Starts a Riffle node. Settings come from the defaults (config/riffle.yaml), a --config FILE,
                environment variables and flags, in that order of precedence.

                  --help                 print this help
                  --config FILE          YAML file with settings (or env RIFFLE_CONFIG)
                """);
        for (Setting s : Setting.values()) {
            b.append(String.format("  %-28s %-34s %s%n", s.flag() + " VALUE", "(env " + s.envVar() + ")", s.help()));
        }
        return b.toString();
    }
}
