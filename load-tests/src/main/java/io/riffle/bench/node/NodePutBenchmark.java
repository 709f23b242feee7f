package io.riffle.bench.node;

import static io.riffle.bench.BenchSupport.await;

import io.riffle.bench.BenchSupport;
import io.riffle.node.Node;
import io.riffle.node.NodeConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The whole node path in one process: a real {@link Node} (HTTP server, RequestGuard, router, JSON and
 * base64 decoding, StreamClient, event bus, shard verticle, group commit, shard log on disk) started on
 * 127.0.0.1 port 0 with throttling off, and a Vert.x HTTP client keeping {@link #CONCURRENT} native
 * {@code POST /v1/streams/bench/records} requests of {@link #BATCH} records in flight over as many
 * keep-alive connections, as several producers would. The request body is encoded once at setup, so the
 * score is the node's: HTTP request in, acknowledgement out. Score: records per second.
 *
 * <p>Against {@code EnginePutBenchmark} (the engine alone) this shows what the gateway costs; run both in
 * one JMH invocation to compare them on a noisy machine.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class NodePutBenchmark {
    static final int CONCURRENT = 8;
    static final int BATCH = 500;

    @Param({"100", "1024"})
    int recordBytes;

    @Param({"PER_BATCH", "INTERVAL"})
    String fsync;

    /** Shards of the stream; the batch's keys spread over them. */
    @Param({"2"})
    int shards;

    private Path dir;
    private Node node;
    private Vertx clientVertx;
    private HttpClient http;
    private Buffer body;
    private RequestOptions put;

    @Setup(Level.Trial)
    public void start() throws Exception {
        dir = Files.createTempDirectory("riffle-node-bench");
        NodeConfig config = NodeConfig.load(new String[] {"--port", "0", "--data-dir", dir.resolve("data").toString(),
                "--throttling", "false", "--fsync", fsync}, Map.of());
        node = await(Node.start(config));
        clientVertx = Vertx.vertx();
        http = clientVertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
                .setDefaultPort(node.port()).setKeepAlive(true), new PoolOptions().setHttp1MaxSize(CONCURRENT));
        Buffer created = await(http.request(HttpMethod.POST, "/v1/streams")
                .compose(r -> r.putHeader("Content-Type", "application/json")
                        .send(new JsonObject().put("name", "bench").put("shardCount", shards).encode()))
                .compose(r -> r.body().map(b -> {
                    if (r.statusCode() != 201) {
                        throw new IllegalStateException("create stream: " + r.statusCode() + " " + b);
                    }
                    return b;
                })));
        if (created.length() == 0) {
            throw new IllegalStateException("create stream answered an empty body");
        }
        byte[] data = new byte[recordBytes];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) ('a' + i % 26);
        }
        String base64 = Base64.getEncoder().encodeToString(data);
        JsonArray records = new JsonArray();
        for (int i = 0; i < BATCH; i++) {
            records.add(new JsonObject().put("partitionKey", "key-" + (i % 64)).put("data", base64));
        }
        body = new JsonObject().put("records", records).toBuffer();
        put = new RequestOptions().setMethod(HttpMethod.POST).setURI("/v1/streams/bench/records")
                .putHeader("Content-Type", "application/json");
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        await(http.close());
        await(clientVertx.close());
        await(node.stop());
        BenchSupport.deleteTree(dir);
    }

    @Benchmark
    @OperationsPerInvocation(CONCURRENT * BATCH)
    public int putBatches() throws Exception {
        List<Future<Buffer>> puts = new ArrayList<>(CONCURRENT);
        for (int i = 0; i < CONCURRENT; i++) {
            puts.add(http.request(put).compose(r -> r.send(body)).compose(r -> r.body().map(b -> {
                if (r.statusCode() != 200) {
                    throw new IllegalStateException("put: " + r.statusCode() + " " + b);
                }
                return b;
            })));
        }
        int accepted = 0;
        for (Future<Buffer> f : puts) {
            JsonObject answer = new JsonObject(await(f));
            if (answer.getInteger("failedRecordCount") != 0) {
                throw new IllegalStateException("Records failed: " + answer.encode().substring(0, 200));
            }
            accepted += answer.getJsonArray("records").size();
        }
        return accepted;
    }
}
