package io.riffle.fault;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * One fault run, start to verdict: starts the nodes, creates a stream, runs producers, a GetRecords and a
 * WebSocket consumer and the {@link Nemesis} for {@code durationSeconds}, undoes every fault, waits until every
 * node serves every shard, lets producers finish the records under way and consumers catch up, reads every
 * shard once more and hands it all to the {@link Checker}. Every wait is bounded.
 *
 * <p>{@code java -cp riffle-load.jar -Driffle.node.jar=riffle.jar io.riffle.fault.FaultRun --duration 300}
 * (options in {@link Options#parse}); load-tests/fault/run.sh wraps it.
 */
public final class FaultRun {
    static final String STREAM = "fault";
    static final String CONSUMER = "fault-ws";

    /** The run's settings. */
    public record Options(int nodes, int shards, int durationSeconds, List<Nemesis.Kind> nemeses, int holdSeconds,
                          int quietSeconds, int target, int producers, int keysPerProducer, int paceMillis, long seed) {
        /**
         * {@code --nodes 3 --shards 6 --duration 60 --nemesis kill,pause,partition,restart --hold 8 --quiet 4
         * --target rotate|<node> --producers 4 --keys 4 --pace 25 --seed 1}.
         */
        static Options parse(String... args) {
            Map<String, String> v = new LinkedHashMap<>();
            for (String[] d : new String[][] {{"nodes", "3"}, {"shards", "6"}, {"duration", "60"},
                    {"nemesis", "kill,pause,partition,restart"}, {"hold", "8"}, {"quiet", "4"}, {"target", "rotate"},
                    {"producers", "4"}, {"keys", "4"}, {"pace", "25"}, {"seed", "1"}}) {
                v.put(d[0], d[1]);
            }
            for (int i = 0; i < args.length; i += 2) {
                String name = args[i].replaceFirst("^--", "");
                if (!v.containsKey(name) || i + 1 >= args.length) {
                    throw new IllegalArgumentException("bad option " + args[i] + ": the options are --" + String.join(" --", v.keySet()));
                }
                v.put(name, args[i + 1]);
            }
            return new Options(Integer.parseInt(v.get("nodes")), Integer.parseInt(v.get("shards")),
                    Integer.parseInt(v.get("duration")), kinds(v.get("nemesis")), Integer.parseInt(v.get("hold")),
                    Integer.parseInt(v.get("quiet")), v.get("target").equals("rotate") ? -1 : Integer.parseInt(v.get("target")),
                    Integer.parseInt(v.get("producers")), Integer.parseInt(v.get("keys")),
                    Integer.parseInt(v.get("pace")), Long.parseLong(v.get("seed")));
        }

        private static List<Nemesis.Kind> kinds(String list) {
            return list.isBlank() || list.equals("none") ? List.of() : Arrays.stream(list.split(","))
                    .map(s -> Nemesis.Kind.valueOf(s.trim().toUpperCase(Locale.ROOT))).toList();
        }
    }

    /** The verdict and its Markdown. */
    public record Outcome(Checker.Result result, String markdown) {
    }

    private FaultRun() {
    }

    public static Outcome run(Options o, Path dir) throws Exception {
        History history = new History();
        List<String> notes = new ArrayList<>();
        NativeApi api = new NativeApi(Duration.ofSeconds(5));
        try (NodeCluster cluster = new NodeCluster(dir, o.nodes())) {
            IntFunction<URI> endpoint = cluster::endpoint;
            cluster.startAll(Duration.ofSeconds(120));
            setUp(cluster, api, o);
            notes.add("nodes up and the stream served by every node " + history.now() / 1000 + " s after the start ("
                    + history.started + "; the nodes' logs show local time)");

            List<Producer> producers = new ArrayList<>();
            for (int p = 0; p < o.producers(); p++) {
                Producer.Door door = p % 2 == 0 ? Producer.nativeDoor(api, endpoint, STREAM)
                        : Producer.kinesisDoor(endpoint, o.nodes(), STREAM, Duration.ofSeconds(5));
                producers.add(new Producer((p % 2 == 0 ? "native" : "kinesis") + p, o.keysPerProducer(), door, o.nodes(),
                        history, Duration.ofMillis(o.paceMillis()), o.seed() * 31 + p));
            }
            GetRecordsConsumer polling = new GetRecordsConsumer(endpoint, o.nodes(), STREAM, o.shards(), history, o.seed() + 7);
            WebSocketConsumer pushed = new WebSocketConsumer(api.http(), endpoint, o.nodes(), STREAM, CONSUMER, history, o.seed() + 11);
            List<Thread> producerThreads = producers.stream().map(p -> thread(p.name(), p)).toList();
            Thread pollingThread = thread("getrecords", polling);
            Thread pushedThread = thread("websocket", pushed);

            try {
                Thread.sleep(5_000); // a calm start, so the first fault hits a cluster in its stride
                long until = history.now() + o.durationSeconds() * 1000L;
                Nemesis nemesis = new Nemesis(cluster, history, o.nemeses(), Duration.ofSeconds(o.holdSeconds()),
                        Duration.ofSeconds(o.quietSeconds()), o.target(), until, o.seed());
                Thread nemesisThread = thread("nemesis", nemesis);
                nemesisThread.join(o.durationSeconds() * 1000L + 300_000);
                if (nemesis.failure() != null) {
                    notes.add("the nemesis stopped early: " + nemesis.failure());
                }
                Thread.sleep(Math.max(0, until - history.now()));

                recover(cluster, notes, history, o.shards());
                long drainUntil = history.now() + 60_000;
                producers.forEach(p -> {
                    p.finishUnderWay();
                    p.stopAt(drainUntil);
                });
                for (Thread t : producerThreads) {
                    t.join(120_000);
                }
                int unfinished = producers.stream().mapToInt(Producer::unfinished).sum();
                if (unfinished > 0) {
                    notes.add(unfinished + " records under way were still unacknowledged when producers gave up (60 s after the heal)");
                }
                long acked = history.acks().stream().map(History.Ack::id).distinct().count();
                long catchUp = history.now() + 30_000;
                while (history.now() < catchUp && (history.distinctRead(GetRecordsConsumer.NAME) < acked
                        || history.distinctRead(WebSocketConsumer.NAME) < acked)) {
                    Thread.sleep(200);
                }
                polling.stop();
                pushed.stop();
                pollingThread.join(30_000);
                pushedThread.join(30_000);
                notes.add("the WebSocket consumer subscribed " + pushed.subscriptions() + " times");
            } finally {
                // Also when a wait above gave up: no thread of the run outlives it.
                producers.forEach(p -> p.stopAt(0));
                polling.stop();
                pushed.stop();
            }
            List<History.Read> finalRead = new ArrayList<>();
            for (int s = 0; s < o.shards(); s++) {
                finalRead.addAll(api.readShard(cluster.endpoint(0), STREAM, NativeApi.shardId(s), 100));
            }
            notes.add("node logs: " + cluster.logs());
            Checker.Result result = Checker.check(history, finalRead);
            return new Outcome(result, Report.markdown(o, result, notes));
        }
    }

    private static void setUp(NodeCluster cluster, NativeApi api, Options o) throws Exception {
        // A lost answer makes a retried create see its own stream (409): both mean it exists.
        await("the stream to be created", 60, () -> {
            int s = api.post(cluster.endpoint(0), "/v1/streams", new JsonObject().put("name", STREAM).put("shardCount", o.shards())).status();
            return s == 201 || s == 409;
        });
        await("the WebSocket consumer to be registered", 60, () -> {
            int s = api.post(cluster.endpoint(0), "/v1/streams/" + STREAM + "/consumers", new JsonObject().put("name", CONSUMER)).status();
            return s == 201 || s == 409;
        });
        await("every node to serve every shard", 60, () -> servesAll(cluster, api, o.shards()));
    }

    /**
     * Undoes every fault: resumes, heals, starts the dead; then waits until every node serves every shard. A
     * cluster that does not get there in 60 s by itself is restarted whole (kill -9 of every node, then a
     * start of all): acknowledged records must then be back all the same, and the report says it happened.
     */
    private static void recover(NodeCluster cluster, List<String> notes, History history, int shards) throws Exception {
        cluster.heal();
        for (int i = 0; i < cluster.size(); i++) {
            cluster.resume(i);
            if (!cluster.alive(i)) {
                cluster.start(i);
            }
        }
        for (int i = 0; i < cluster.size(); i++) {
            cluster.awaitHealthy(i, Duration.ofSeconds(90));
        }
        long start = history.now();
        NativeApi api = new NativeApi(Duration.ofSeconds(5));
        try {
            await("every node to serve every shard after the faults", 60, () -> servesAll(cluster, api, shards));
            notes.add("after the last fault was undone every node served every shard within " + (history.now() - start) / 1000 + " s");
        } catch (IOException e) {
            notes.add("**the cluster did not recover by itself**: 60 s after the last fault was undone, reads answered "
                    + statuses(cluster, api, shards) + "; every node was then killed and started again");
            for (int i = 0; i < cluster.size(); i++) {
                cluster.kill(i);
            }
            cluster.startAll(Duration.ofSeconds(120));
            await("every node to serve every shard after a whole-cluster restart", 120, () -> servesAll(cluster, api, shards));
        }
    }

    /** Each node's answers to a read of each shard, e.g. {@code node0=[200, 503, ...]}. */
    private static String statuses(NodeCluster cluster, NativeApi api, int shards) throws InterruptedException {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < cluster.size(); i++) {
            List<Integer> codes = new ArrayList<>();
            for (int s = 0; s < shards; s++) {
                try {
                    codes.add(api.get(cluster.endpoint(i), "/v1/streams/" + STREAM + "/shards/" + NativeApi.shardId(s) + "/records?limit=1").status());
                } catch (IOException e) {
                    codes.add(-1);
                }
            }
            out.add("node" + i + "=" + codes);
        }
        return String.join(" ", out);
    }

    private static boolean servesAll(NodeCluster cluster, NativeApi api, int shards) throws Exception {
        for (int i = 0; i < cluster.size(); i++) {
            for (int s = 0; s < shards; s++) {
                if (api.get(cluster.endpoint(i), "/v1/streams/" + STREAM + "/shards/" + NativeApi.shardId(s) + "/records?limit=1").status() != 200) {
                    return false;
                }
            }
        }
        return true;
    }

    interface Check {
        boolean ok() throws Exception;
    }

    private static void await(String what, int seconds, Check check) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (check.ok()) {
                    return;
                }
            } catch (IOException | RuntimeException e) {
                // not yet: a node is starting, a leader is being elected
            }
            Thread.sleep(250);
        }
        throw new IOException("timed out after " + seconds + " s waiting for " + what);
    }

    private static Thread thread(String name, Runnable r) {
        Thread t = new Thread(r, "fault-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    public static void main(String[] args) throws Exception {
        List<String> rest = new ArrayList<>(List.of(args));
        Path report = take(rest, "--report").map(Path::of).orElse(null);
        Path dir = take(rest, "--dir").map(Path::of).orElse(Files.createTempDirectory("riffle-fault"));
        Options o = Options.parse(rest.toArray(String[]::new));
        Outcome out = run(o, dir);
        System.out.println(out.markdown());
        if (report != null) {
            Files.writeString(report, out.markdown());
        }
        Checker.Result r = out.result();
        System.exit(r.lost() == 0 && r.misplaced() == 0 && r.unacknowledgedReads() == 0 && r.orderViolations() == 0 ? 0 : 1);
    }

    private static Optional<String> take(List<String> args, String flag) {
        int i = args.indexOf(flag);
        if (i < 0 || i + 1 >= args.size()) {
            return Optional.empty();
        }
        String v = args.get(i + 1);
        args.remove(i + 1);
        args.remove(i);
        return Optional.of(v);
    }
}
