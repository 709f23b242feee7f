package io.riffle.fault;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** The few native-API calls the harness makes, blocking, with the JDK's HTTP client. */
final class NativeApi {
    /** An answer: status and body (JSON for every answer of ours). */
    record Answer(int status, String body) {
        JsonObject json() {
            return new JsonObject(body);
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Duration timeout;

    NativeApi(Duration timeout) {
        this.timeout = timeout;
    }

    HttpClient http() {
        return http;
    }

    Answer post(URI node, String path, JsonObject body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(node.resolve(path)).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build();
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body());
    }

    Answer get(URI node, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(node.resolve(path)).timeout(timeout).build(),
                HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body());
    }

    static String shardId(int shard) {
        return String.format("shardId-%012d", shard);
    }

    /**
     * Every record of one shard from its start, in log order, as (sequence number, data): pages of up to
     * 10,000 until an empty one, at most {@code maxPages}.
     */
    List<History.Read> readShard(URI node, String stream, String shardId, int maxPages)
            throws IOException, InterruptedException {
        List<History.Read> out = new ArrayList<>();
        String from = "from=TRIM_HORIZON";
        for (int page = 0; page < maxPages; page++) {
            Answer a = get(node, "/v1/streams/" + stream + "/shards/" + shardId + "/records?limit=10000&" + from);
            if (a.status() != 200) {
                throw new IOException("reading " + shardId + " through " + node + ": " + a.status() + " " + a.body());
            }
            JsonArray records = a.json().getJsonArray("records");
            if (records.isEmpty()) {
                return out;
            }
            for (Object o : records) {
                JsonObject r = (JsonObject) o;
                out.add(new History.Read(shardId, r.getString("sequenceNumber"),
                        new String(Base64.getDecoder().decode(r.getString("data")))));
            }
            from = "from=AT_SEQUENCE_NUMBER&sequenceNumber=" + a.json().getString("nextSequenceNumber");
        }
        throw new IOException(shardId + " has more than " + maxPages + " pages");
    }
}
