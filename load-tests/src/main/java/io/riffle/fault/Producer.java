package io.riffle.fault;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;

/**
 * One producer thread: a few partition keys of its own, each with its own sequence 0, 1, 2 ... in the
 * record's data ({@link History#id}). Each round puts, in one batch through a random node, the record under
 * way of every key; an acknowledged record moves its key on, anything else (a per-record error, an error
 * answer, a timeout, a refused connection) is retried in the next round, through another random node. A key
 * so never has two records in flight: the order of a key's acknowledgements is the order it must be read in,
 * and a record is only ever duplicated by a retry of an attempt whose answer was lost.
 */
final class Producer implements Runnable {
    /** How a batch reaches the cluster: the native API or the Kinesis API. */
    interface Door extends AutoCloseable {
        /** One result per record, in order: {@code [shardId, sequenceNumber]}, or null when it failed. */
        List<String[]> put(int node, List<String[]> keysAndData) throws Exception;

        /** Releases the door's clients; called when the producer ends. */
        @Override
        default void close() {
        }
    }

    private final String name;
    private final List<String> keys = new ArrayList<>();
    private final Map<String, Long> underWay = new ConcurrentHashMap<>();
    private final Door door;
    private final int nodes;
    private final History history;
    private final Duration pace;
    private final Random random;
    private volatile boolean generating = true;
    private volatile long stopAt = Long.MAX_VALUE;

    Producer(String name, int keyCount, Door door, int nodes, History history, Duration pace, long seed) {
        this.name = name;
        for (int k = 0; k < keyCount; k++) {
            keys.add(name + "k" + k);
        }
        this.door = door;
        this.nodes = nodes;
        this.history = history;
        this.pace = pace;
        this.random = new Random(seed);
    }

    /** Stops starting new records; the ones under way are still retried until acknowledged or {@link #stopAt}. */
    void finishUnderWay() {
        generating = false;
    }

    /** Ends the thread at {@code deadline} (a {@link History#now} time) even with records unacknowledged. */
    void stopAt(long deadline) {
        stopAt = deadline;
    }

    /** Keys whose record under way was never acknowledged. */
    int unfinished() {
        return underWay.size();
    }

    @Override
    public void run() {
        try (door) {
            produce();
        }
    }

    private void produce() {
        keys.forEach(k -> underWay.put(k, 0L));
        while (history.now() < stopAt && !underWay.isEmpty()) {
            List<String> batchKeys = new ArrayList<>(underWay.keySet());
            List<String[]> batch = new ArrayList<>();
            batchKeys.forEach(k -> batch.add(new String[] {k, History.id(k, underWay.get(k))}));
            long start = history.now();
            List<String[]> results;
            try {
                results = door.put(random.nextInt(nodes), batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                results = null; // the whole batch failed or its answer was lost: retry it all
            }
            long end = history.now();
            for (int i = 0; i < batch.size(); i++) {
                String key = batchKeys.get(i);
                String[] r = results == null ? null : results.get(i);
                history.attempted(new History.Attempt(key, start, end, r != null));
                if (r != null) {
                    long seq = underWay.get(key);
                    history.acked(new History.Ack(batch.get(i)[1], key, seq, r[0], r[1], end));
                    if (generating) {
                        underWay.put(key, seq + 1);
                    } else {
                        underWay.remove(key);
                    }
                }
            }
            sleep(results == null ? pace.toMillis() + 200 : pace.toMillis());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    String name() {
        return name;
    }

    /** The native batch put, {@code POST /v1/streams/{name}/records}. */
    static Door nativeDoor(NativeApi api, IntFunction<URI> endpoint, String stream) {
        return (node, batch) -> {
            JsonArray records = new JsonArray();
            batch.forEach(r -> records.add(new JsonObject().put("partitionKey", r[0]).put("text", r[1])));
            NativeApi.Answer a = api.post(endpoint.apply(node), "/v1/streams/" + stream + "/records",
                    new JsonObject().put("records", records));
            if (a.status() != 200) {
                return null;
            }
            List<String[]> out = new ArrayList<>();
            for (Object o : a.json().getJsonArray("records")) {
                JsonObject r = (JsonObject) o;
                out.add(r.containsKey("sequenceNumber") ? new String[] {r.getString("shardId"), r.getString("sequenceNumber")} : null);
            }
            return out;
        };
    }

    /** Kinesis PutRecords through the AWS SDK v2, one client per node, the SDK's own retries off. */
    static Door kinesisDoor(IntFunction<URI> endpoint, int nodes, String stream, Duration timeout) {
        KinesisClient[] clients = new KinesisClient[nodes];
        for (int i = 0; i < nodes; i++) {
            clients[i] = kinesis(endpoint.apply(i), timeout);
        }
        return new Door() {
            @Override
            public List<String[]> put(int node, List<String[]> batch) {
                List<PutRecordsRequestEntry> entries = new ArrayList<>();
                batch.forEach(r -> entries.add(PutRecordsRequestEntry.builder().partitionKey(r[0])
                        .data(SdkBytes.fromUtf8String(r[1])).build()));
                List<String[]> out = new ArrayList<>();
                for (PutRecordsResultEntry e : clients[node].putRecords(b -> b.streamName(stream).records(entries)).records()) {
                    out.add(e.errorCode() == null ? new String[] {e.shardId(), e.sequenceNumber()} : null);
                }
                return out;
            }

            @Override
            public void close() {
                for (KinesisClient c : clients) {
                    c.close();
                }
            }
        };
    }

    /** A Kinesis client for one node: any credentials (auth is off), no SDK retries (the harness retries). */
    static KinesisClient kinesis(URI endpoint, Duration timeout) {
        return KinesisClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("fault", "fault")))
                .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(1)).apiCallTimeout(timeout))
                .build();
    }
}
