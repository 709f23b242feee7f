package io.riffle.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.node.RunningNode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The connection limit and the header-read timeout, over raw sockets against a node allowing 5 connections. */
@Timeout(90)
class ConnectionGuardIT {
    private static final int MAX = 5;
    private static final int RESERVE = io.riffle.gateway.tcp.ConnectionLimit.RESERVE;

    @TempDir
    static Path dataDir;
    static RunningNode node;

    @BeforeAll
    static void start() {
        node = RunningNode.start(dataDir, "--max-connections", String.valueOf(MAX), "--header-read-timeout-seconds", "2");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static Socket open() throws IOException {
        Socket s = new Socket("127.0.0.1", node.port());
        s.setSoTimeout(10_000);
        return s;
    }

    private static void send(Socket s, String request) throws IOException {
        s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    @Test
    void atTheLimitOnlyHealthIsAnsweredAndBeyondTheReserveConnectionsAreClosedAtOnce() throws Exception {
        awaitNoOtherConnections();
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < MAX; i++) {
                Socket s = open();
                held.add(s);
                send(s, RawHttp.get("/health/live", false));
                assertThat(RawHttp.readAnswer(s).status()).isEqualTo(200);
            }
            try (Socket over = open()) {
                send(over, RawHttp.get("/v1/streams", false));
                RawHttp.Reply refused = RawHttp.read(over);
                assertThat(refused.status()).as(refused.body()).isEqualTo(503);
                assertThat(refused.body()).contains("ServiceUnavailable").contains("maxConnections");
                assertThat(refused.closed()).isTrue();
            }
            try (Socket probe = open()) {
                send(probe, RawHttp.get("/health", true));
                RawHttp.Reply health = RawHttp.read(probe);
                assertThat(health.status()).as(health.body()).isEqualTo(200);
                assertThat(health.body()).contains("UP");
            }
            List<Socket> reserve = new ArrayList<>();
            try {
                // Each reserve connection asks for health and stays open, kept alive: a silent one would be
                // closed by the 2 s header-read timeout, and a slow run would then admit the one beyond.
                for (int i = 0; i < RESERVE; i++) {
                    Socket s = open();
                    reserve.add(s);
                    send(s, RawHttp.get("/health", false));
                    assertThat(RawHttp.readAnswer(s).status()).as("health on reserve connection %d", i).isEqualTo(200);
                }
                try (Socket beyond = open()) {
                    assertThat(answersAtAll(beyond)).as("a connection beyond the reserve is closed unanswered").isFalse();
                }
            } finally {
                for (Socket s : reserve) {
                    s.close();
                }
            }
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
        assertThat(servedAgain()).as("connections are served again once the held ones close").isTrue();
    }

    private static boolean answersAtAll(Socket s) {
        try {
            send(s, RawHttp.get("/health", true));
            return RawHttp.readAnswer(s).status() > 0;
        } catch (IOException closed) {
            return false;
        }
    }

    /**
     * Waits until the node counts only the connection asking (sockets of earlier tests are released
     * asynchronously), reading {@code riffle_connections_open} from {@code /metrics}.
     */
    private static void awaitNoOtherConnections() throws Exception {
        for (int attempt = 0; attempt < 100; attempt++) {
            String metrics = RawHttp.exchange(node.port(), RawHttp.get("/metrics", true)).body();
            if (metrics.lines().anyMatch(l -> l.startsWith("riffle_connections_open ") && l.endsWith(" 1.0"))) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("Connections of earlier tests are still open");
    }

    /** The server notices closed sockets asynchronously: try a few times. */
    private static boolean servedAgain() throws Exception {
        for (int attempt = 0; attempt < 50; attempt++) {
            RawHttp.Reply r = RawHttp.exchange(node.port(), RawHttp.get("/v1/streams", true));
            if (r.status() == 200) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    @Test
    void aClientDribblingItsHeadersIsClosed() throws Exception {
        try (Socket s = open()) {
            send(s, "GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ");
            assertThat(closedWhileDribbling(s, 30)).as("closed within 30 s (timeout 2 s)").isTrue();
        }
    }

    @Test
    void aLaterRequestDribbledOnAKeptAliveConnectionIsClosedToo() throws Exception {
        try (Socket s = open()) {
            send(s, RawHttp.get("/health/live", false));
            assertThat(RawHttp.readAnswer(s).status()).isEqualTo(200);
            send(s, "GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ");
            assertThat(closedWhileDribbling(s, 30)).as("closed within 30 s (timeout 2 s)").isTrue();
        }
    }

    @Test
    void aSilentConnectionIsClosed() throws Exception {
        try (Socket s = open()) {
            s.setSoTimeout(30_000);
            assertThat(RawHttp.closesSoon(s)).isTrue();
        }
    }

    @Test
    void aSlowBodyAfterAWholeHeadIsNotCut() throws Exception {
        String body = "{\"name\":\"slowbody\"}";
        try (Socket s = open()) {
            send(s, "POST /v1/streams HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length() + "\r\n\r\n");
            OutputStream out = s.getOutputStream();
            for (char c : body.toCharArray()) {
                out.write(c);
                out.flush();
                Thread.sleep(250); // the whole body takes longer than the 2 s header-read timeout
            }
            RawHttp.Reply r = RawHttp.readAnswer(s);
            assertThat(r.status()).as(r.body()).isEqualTo(201);
        }
    }

    @Test
    void aKeptAliveConnectionMayIdleBetweenRequestsLongerThanTheHeaderTimeout() throws Exception {
        try (Socket s = open()) {
            send(s, RawHttp.get("/health/live", false));
            assertThat(RawHttp.readAnswer(s).status()).isEqualTo(200);
            s.setSoTimeout(3_000); // longer than the 2 s header-read timeout, shorter than the idle timeout
            assertThat(RawHttp.closesSoon(s)).isFalse();
            send(s, RawHttp.get("/health/live", false));
            assertThat(RawHttp.readAnswer(s).status()).isEqualTo(200);
        }
    }

    private static boolean closedWhileDribbling(Socket s, int bytes) throws IOException {
        s.setSoTimeout(1000);
        for (int i = 0; i < bytes; i++) {
            try {
                s.getOutputStream().write('a');
                s.getOutputStream().flush();
                if (s.getInputStream().read() == -1) {
                    return true;
                }
            } catch (SocketTimeoutException stillOpen) {
                // one more byte
            } catch (IOException closed) {
                return true;
            }
        }
        return false;
    }
}
