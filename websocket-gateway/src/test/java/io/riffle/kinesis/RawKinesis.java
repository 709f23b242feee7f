package io.riffle.kinesis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** A bare HTTP client for the Kinesis wire protocol, for tests that check the bytes AWS clients never show. */
final class RawKinesis {
    static final ObjectMapper JSON = new ObjectMapper();
    static final ObjectMapper CBOR = new ObjectMapper(new CBORFactory());
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final URI endpoint;

    RawKinesis(URI endpoint) {
        this.endpoint = endpoint;
    }

    /** An answer: status, headers and the body parsed in the answer's own encoding. */
    record Answer(int status, HttpResponse<byte[]> raw, JsonNode body) {
        String type() {
            return body.path("__type").asText(null);
        }

        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    Answer json(String operation, String body) {
        return send("Kinesis_20131202." + operation, "application/x-amz-json-1.1", body.getBytes());
    }

    Answer cbor(String operation, Map<String, ?> body) {
        try {
            return send("Kinesis_20131202." + operation, "application/x-amz-cbor-1.1", CBOR.writeValueAsBytes(body));
        } catch (java.io.IOException e) {
            throw new RuntimeException(e);
        }
    }

    /**
     * Waits (at most 10 s) until DescribeStreamSummary shows the stream in {@code status}, as AWS clients
     * wait after CreateStream (which answers while the stream is CREATING).
     */
    void awaitStatus(String stream, String status) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        String seen = null;
        while (System.nanoTime() < deadline) {
            Answer a = json("DescribeStreamSummary", "{\"StreamName\":\"" + stream + "\"}");
            seen = a.body().path("StreamDescriptionSummary").path("StreamStatus").asText(a.type());
            if (status.equals(seen)) {
                return;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("Stream " + stream + " did not become " + status + " in 10 s; last seen " + seen);
    }

    /** Waits until the stream is ACTIVE. */
    void awaitActive(String stream) {
        awaitStatus(stream, "ACTIVE");
    }

    Answer send(String target, String contentType, byte[] body) {
        return sendAsync(target, contentType, body).join();
    }

    /** Sends without waiting, so a test can put many requests in flight at once. */
    CompletableFuture<Answer> jsonAsync(String operation, String body) {
        return sendAsync("Kinesis_20131202." + operation, "application/x-amz-json-1.1", body.getBytes());
    }

    private CompletableFuture<Answer> sendAsync(String target, String contentType, byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint.resolve("/"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        if (target != null) {
            b.header("X-Amz-Target", target);
        }
        return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray()).thenApply(r -> {
            try {
                String ct = r.headers().firstValue("Content-Type").orElse("");
                JsonNode parsed = r.body().length == 0 ? JSON.createObjectNode()
                        : (ct.contains("cbor") ? CBOR : JSON).readTree(r.body());
                return new Answer(r.statusCode(), r, parsed);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }
}
