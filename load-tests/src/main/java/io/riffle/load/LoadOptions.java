package io.riffle.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The load generator's flags. Every loop the generator runs is bounded by {@code duration} (plus a short
 * drain) and by {@code maxRecords}.
 *
 * @param host         node host (loopback by default)
 * @param port         node HTTP port
 * @param scenario     ingest, e2e, fanout, throttle or idle (node RSS with idle shards)
 * @param rate         target records/s of the producers together (0: as fast as the node takes them)
 * @param recordSize   data bytes per record
 * @param producers    producer clients (each on its own event loop)
 * @param subscribers  WebSocket subscribers (e2e and fanout)
 * @param durationSeconds measured seconds, after {@code warmupSeconds}
 * @param warmupSeconds   seconds of load before measuring
 * @param coldSeconds  the cold window: the first seconds of load, also reported (0 = off)
 * @param streams      streams to create (fanout uses one per {@code consumersPerStream} subscribers)
 * @param consumersPerStream consumers registered per stream: the node's maxConsumersPerStream (Kinesis: 20)
 * @param shards       shards per stream
 * @param batch        records per putAll call (ingest)
 * @param window       putAll calls in flight per producer (ingest)
 * @param keys         distinct partition keys
 * @param limit        the per-shard write limit the node runs with (throttle), records/s
 * @param nodePid      the node's process id, to sample its heap with jcmd (0: do not sample)
 * @param progressSeconds seconds between progress lines
 * @param maxRecords   a hard cap on records sent
 * @param label        a free text put into the RESULT line
 */
public record LoadOptions(String host, int port, String scenario, long rate, int recordSize, int producers,
                          int subscribers, int durationSeconds, int warmupSeconds, int streams, int shards,
                          int batch, int window, int keys, long limit, long nodePid, int progressSeconds,
                          long maxRecords, String label, int consumersPerStream, int coldSeconds,
                          long stepRate, int repeat) {

    static final String USAGE = """
            java -jar load-tests/target/riffle-load.jar [flags]
              --host H             node host (127.0.0.1)
              --port N             node HTTP port (4567)
              --scenario S         ingest | e2e | fanout | throttle | idle | reshard | ondemand (ingest)
              --rate N             target records/s, all producers together; 0 = as fast as possible (0)
              --record-size N      data bytes per record (100)
              --producers N        producer clients (2)
              --subscribers N      WebSocket subscribers for e2e / fanout (1)
              --duration N         measured seconds (20)
              --warmup N           seconds of load before measuring (5)
              --cold N             also report the first N seconds of load as cold_* fields; 0 = off (10)
              --streams N          streams; fanout uses max(N, subscribers/consumers-per-stream) (1)
              --consumers-per-stream N  consumers per stream, at most the node's maxConsumersPerStream (20)
              --shards N           shards per stream (2)
              --batch N            records per putAll call, ingest (500)
              --window N           putAll calls in flight per producer, ingest (4)
              --keys N             distinct partition keys (10000)
              --limit N            the node's per-shard write limit in records/s, throttle (1000)
              --node-pid N         sample the node's heap with jcmd, and its RSS for idle (0 = off)
              --progress N         seconds between progress lines (5)
              --max-records N      hard cap on records sent (100000000)
              --label TEXT         copied into the RESULT line
              --step-rate N        ondemand: records/s after the warm-up at --rate (5000)
              --repeat N           reshard: split/merge rounds to time (5)
            """;

    static LoadOptions parse(String[] args) {
        String host = "127.0.0.1";
        int port = 4567;
        String scenario = "ingest";
        long rate = 0;
        int recordSize = 100;
        int producers = 2;
        int subscribers = 1;
        int duration = 20;
        int warmup = 5;
        int streams = 1;
        int shards = 2;
        int batch = 500;
        int window = 4;
        int keys = 10_000;
        long limit = 1000;
        long nodePid = 0;
        int progress = 5;
        long maxRecords = 100_000_000;
        String label = "";
        int consumersPerStream = 20;
        int cold = 10;
        long stepRate = 5000;
        int repeat = 5;
        List<String> a = new ArrayList<>(List.of(args));
        for (int i = 0; i < a.size(); i += 2) {
            String flag = a.get(i);
            if (i + 1 >= a.size()) {
                throw new IllegalArgumentException("Flag " + flag + " needs a value");
            }
            String v = a.get(i + 1);
            switch (flag) {
                case "--host" -> host = v;
                case "--port" -> port = Integer.parseInt(v);
                case "--scenario" -> scenario = v.toLowerCase(Locale.ROOT);
                case "--rate" -> rate = Long.parseLong(v);
                case "--record-size" -> recordSize = Integer.parseInt(v);
                case "--producers" -> producers = Integer.parseInt(v);
                case "--subscribers" -> subscribers = Integer.parseInt(v);
                case "--duration" -> duration = Integer.parseInt(v);
                case "--warmup" -> warmup = Integer.parseInt(v);
                case "--streams" -> streams = Integer.parseInt(v);
                case "--shards" -> shards = Integer.parseInt(v);
                case "--batch" -> batch = Integer.parseInt(v);
                case "--window" -> window = Integer.parseInt(v);
                case "--keys" -> keys = Integer.parseInt(v);
                case "--limit" -> limit = Long.parseLong(v);
                case "--node-pid" -> nodePid = Long.parseLong(v);
                case "--progress" -> progress = Integer.parseInt(v);
                case "--max-records" -> maxRecords = Long.parseLong(v);
                case "--label" -> label = v;
                case "--consumers-per-stream" -> consumersPerStream = Integer.parseInt(v);
                case "--cold" -> cold = Integer.parseInt(v);
                case "--step-rate" -> stepRate = Long.parseLong(v);
                case "--repeat" -> repeat = Integer.parseInt(v);
                default -> throw new IllegalArgumentException("Unknown flag " + flag);
            }
        }
        if (!List.of("ingest", "e2e", "fanout", "throttle", "idle", "reshard", "ondemand").contains(scenario)) {
            throw new IllegalArgumentException("Unknown scenario " + scenario);
        }
        if (recordSize < 8 || producers < 1 || subscribers < 0 || duration < 1 || warmup < 0 || streams < 1
                || shards < 1 || consumersPerStream < 1 || batch < 1 || batch > 500 || window < 1 || keys < 1 || progress < 1 || rate < 0
                || cold < 0 || stepRate < 0 || repeat < 1) {
            throw new IllegalArgumentException("Out of range: record size >= 8, batch 1..500, others positive");
        }
        return new LoadOptions(host, port, scenario, rate, recordSize, producers, subscribers, duration, warmup,
                streams, shards, batch, window, keys, limit, nodePid, progress, maxRecords, label, consumersPerStream,
                cold, stepRate, repeat);
    }
}
