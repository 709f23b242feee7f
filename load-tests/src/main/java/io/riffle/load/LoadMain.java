package io.riffle.load;

import io.riffle.client.RiffleClient;
import io.riffle.client.RiffleClientOptions;
import io.riffle.client.StreamSpec;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code java -jar riffle-load.jar --scenario ingest|e2e|fanout|throttle|idle|reshard|ondemand ...}: drives a running node on
 * loopback with {@link RiffleClient}s and prints a progress line every few seconds, then one
 * {@code RESULT ...} line of {@code key=value} fields that scripts parse. Every loop is bounded by the
 * run's duration and a record cap; the generator creates its own streams (named after the run) and
 * deletes them at the end.
 */
public final class LoadMain {
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(60);

    private LoadMain() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println(LoadOptions.USAGE);
            return;
        }
        LoadOptions options;
        try {
            options = LoadOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("riffle-load: " + e.getMessage());
            System.err.println(LoadOptions.USAGE);
            System.exit(2);
            return;
        }
        int loops = Math.max(2, Runtime.getRuntime().availableProcessors());
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops));
        int status = 0;
        try (LoadRun run = new LoadRun(vertx, options)) {
            String result = switch (options.scenario()) {
                case "ingest" -> new IngestScenario(run).run();
                case "e2e", "fanout" -> new LatencyScenario(run).run();
                case "throttle" -> new ThrottleScenario(run).run();
                case "idle" -> new IdleScenario(run).run();
                case "reshard" -> new ReshardScenario(run).run();
                case "ondemand" -> new OnDemandScenario(run).run();
                default -> throw new IllegalStateException(options.scenario());
            };
            System.out.println("RESULT scenario=" + options.scenario() + " label=" + options.label() + " " + result);
        } catch (RuntimeException e) {
            System.err.println("riffle-load: run failed: " + e);
            status = 1;
        } finally {
            vertx.close().await();
        }
        System.exit(status);
    }

    /** What every scenario shares: Vert.x, an admin client, the run's streams; closes them all. */
    static final class LoadRun implements AutoCloseable {
        final Vertx vertx;
        final LoadOptions options;
        final RiffleClient admin;
        final String prefix = "load-" + Long.toString(System.currentTimeMillis(), 36);
        final List<String> streams = new ArrayList<>();
        private final List<String[]> consumers = new ArrayList<>();
        private final List<RiffleClient> clients = new ArrayList<>();

        LoadRun(Vertx vertx, LoadOptions options) {
            this.vertx = vertx;
            this.options = options;
            this.admin = client(base());
        }

        RiffleClientOptions base() {
            return RiffleClientOptions.local(options.port()).withHost(options.host());
        }

        /** A client on its own event loop context; closed with the run. */
        RiffleClient client(RiffleClientOptions o) {
            RiffleClient c = RiffleClient.create(vertx, o);
            clients.add(c);
            return c;
        }

        /** Creates {@code count} streams of the configured shard count. */
        void createStreams(int count) {
            for (int i = 0; i < count; i++) {
                String name = prefix + "-" + i;
                admin.createStream(StreamSpec.of(name, options.shards())).block(ADMIN_TIMEOUT);
                streams.add(name);
            }
            // a new stream is ACTIVE when created on a single node; give its shard verticles a moment anyway
            sleep(200);
        }

        void registerConsumer(String stream, String consumer) {
            admin.registerConsumer(stream, consumer).block(ADMIN_TIMEOUT);
            consumers.add(new String[] {stream, consumer});
        }

        /** Live subscriptions of this run's streams, from the node's metrics. */
        long liveSubscriptions() {
            Pattern p = Pattern.compile("^riffle_subscribers\\{([^}]*)\\} ([0-9.eE+-]+)$", Pattern.MULTILINE);
            Matcher m = p.matcher(admin.metrics().block(ADMIN_TIMEOUT));
            double sum = 0;
            while (m.find()) {
                if (m.group(1).contains("stream=\"" + prefix)) {
                    sum += Double.parseDouble(m.group(2));
                }
            }
            return Math.round(sum);
        }

        /** Heap used by the node in MiB, or -1 when not sampled. */
        long nodeHeapMiB() {
            if (options.nodePid() <= 0) {
                return -1;
            }
            long bytes = NodeHeap.usedBytes(options.nodePid());
            return bytes < 0 ? -1 : bytes / (1024 * 1024);
        }

        static void sleep(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }

        @Override
        public void close() {
            for (RiffleClient c : clients) {
                if (c != admin) {
                    c.close();
                }
            }
            for (String[] c : consumers) {
                try {
                    admin.deregisterConsumer(c[0], c[1]).block(ADMIN_TIMEOUT);
                } catch (RuntimeException e) {
                    System.err.println("riffle-load: could not deregister consumer " + c[1] + ": " + e.getMessage());
                }
            }
            for (String s : streams) {
                try {
                    admin.deleteStream(s).block(ADMIN_TIMEOUT);
                } catch (RuntimeException e) {
                    System.err.println("riffle-load: could not delete stream " + s + ": " + e.getMessage());
                }
            }
            admin.close();
        }
    }
}
