package io.riffle.node;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -XX:ArchiveClassesAtExit=riffle.jsa -cp riffle.jar io.riffle.node.CdsTraining DIR}, run by the
 * build right after the jar is made (websocket-gateway/pom.xml): starts a standalone node on a free port with
 * its data under DIR, makes the requests a first user makes, stops it and exits, so that the JVM writes the
 * classes of a start (and of those requests) to an AppCDS archive. A node started with
 * {@code -XX:SharedArchiveFile=riffle.jsa} maps them instead of loading, verifying and linking them from the
 * jar: about half the CPU of a start (RESULTS.md, #14 start-up). Always exits 0: a failed request only leaves
 * some classes out of the archive, and the tests are where a broken node is caught.
 */
final class CdsTraining {
    private static final List<String> REQUESTS = List.of(
            "GET /health",
            "POST /v1/streams {\"name\":\"cds\",\"shardCount\":1}",
            "POST /v1/streams/cds/records {\"records\":[{\"partitionKey\":\"k\",\"text\":\"hello\"},"
                    + "{\"partitionKey\":\"k\",\"data\":\"AAEC/w==\"}]}",
            "GET /v1/streams/cds",
            "GET /v1/streams/cds/shards/shardId-000000000000/records?from=TRIM_HORIZON&limit=10",
            "GET /metrics",
            "GET /console/",
            "DELETE /v1/streams/cds");

    private CdsTraining() {
    }

    public static void main(String[] args) throws IOException {
        RiffleMain.defaultSystemProperties();
        Path data = Files.createTempDirectory(Files.createDirectories(Path.of(args[0])), "cds-training");
        try {
            // The defaults and no environment: the builder's RIFFLE_* variables are not the users'.
            NodeConfig config = NodeConfig.load(new String[]{"--port", "0", "--data-dir", data.toString(),
                    "--stream-transition-millis", "0"}, Map.of());
            Node node = Node.start(config).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
            try {
                for (String request : REQUESTS) {
                    String status = send(node.port(), request);
                    if (!status.startsWith("HTTP/1.1 2")) {
                        System.err.println("CDS training: " + request + " answered " + status);
                    }
                }
            } finally {
                node.stop().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            System.err.println("CDS training: the archive will lack some classes: " + e);
        }
        System.exit(0);
    }

    /** One request ("METHOD PATH [JSON BODY]") on its own connection; the answer's status line. */
    private static String send(int port, String request) throws IOException {
        String[] parts = request.split(" ", 3);
        byte[] body = parts.length > 2 ? parts[2].getBytes(StandardCharsets.UTF_8) : new byte[0];
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write((parts[0] + " " + parts[1] + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int eol = answer.indexOf('\r');
            return eol < 0 ? answer : answer.substring(0, eol);
        }
    }
}
