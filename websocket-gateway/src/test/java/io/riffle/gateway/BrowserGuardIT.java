package io.riffle.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.node.RunningNode;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a web page in the user's browser cannot do to a node with auth off (the default on 127.0.0.1):
 * open a WebSocket from another origin, reach it through a rebound DNS name, change anything with a
 * cross-site "simple" request; and what CORS allows once {@code allowedOrigins} names a page.
 */
class BrowserGuardIT {
    private static final String EVIL = "http://evil.example";
    @TempDir
    Path dataDir;
    private RunningNode node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    private String host() {
        return "127.0.0.1:" + node.port();
    }

    /** One raw HTTP/1.1 request; {@code headers} are whole lines without CRLF. */
    private RawHttp.Reply ask(String method, String path, String host, String body, String... headers) throws IOException {
        boolean upgrade = java.util.Arrays.stream(headers).anyMatch(h -> h.startsWith("Upgrade:"));
        StringBuilder r = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n"
                + (upgrade ? "" : "Connection: close\r\n"));
        for (String h : headers) {
            r.append(h).append("\r\n");
        }
        if (body != null) {
            r.append("Content-Length: ").append(body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).append("\r\n");
        }
        r.append("\r\n").append(body == null ? "" : body);
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", node.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(r.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            return RawHttp.readAnswer(socket);
        }
    }

    private RawHttp.Reply upgrade(String origin) throws IOException {
        return ask("GET", "/v1/streams/s/subscribe?consumer=c", host(), null, "Upgrade: websocket", "Connection: Upgrade",
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13",
                origin == null ? "X-No-Origin: 1" : "Origin: " + origin);
    }

    private void streamWithConsumer() {
        node.createStream("s", 1);
        assertThat(node.postJson("/v1/streams/s/consumers", new JsonObject().put("name", "c")).statusCode()).isEqualTo(201);
    }

    @Test
    void webSocketsOpenOnlyFromThisNodesPagesAndNonBrowserClients() throws IOException {
        node = RunningNode.start(dataDir);
        streamWithConsumer();
        RawHttp.Reply evil = upgrade(EVIL);
        assertThat(evil.status()).isEqualTo(403);
        assertThat(evil.body()).contains("AccessDeniedException").contains("Origin http://evil.example is not allowed");
        assertThat(upgrade("http://" + host()).status()).isEqualTo(101);
        assertThat(upgrade(null).status()).isEqualTo(101);
        assertThat(upgrade("http://localhost:" + node.port()).status()).as("another name is another origin").isEqualTo(403);
    }

    @Test
    void aRebondDnsNameIsMisdirectedWhileAuthIsOff() throws IOException {
        node = RunningNode.start(dataDir);
        RawHttp.Reply rebound = ask("GET", "/v1/streams", "evil.example:" + node.port(), null);
        assertThat(rebound.status()).isEqualTo(421);
        assertThat(rebound.body()).contains("MisdirectedRequestException").contains("allowedHosts");
        assertThat(ask("GET", "/v1/streams", "localhost:" + node.port(), null).status()).isEqualTo(200);
        assertThat(ask("GET", "/v1/streams", host(), null).status()).isEqualTo(200);
        assertThat(ask("GET", "/v1/streams", "[::1]:" + node.port(), null).status()).isEqualTo(200);
        node.close();
        node = RunningNode.start(dataDir, "--allowed-hosts", "riffle.internal");
        assertThat(ask("GET", "/v1/streams", "riffle.internal:" + node.port(), null).status()).isEqualTo(200);
        assertThat(ask("GET", "/v1/streams", "evil.example", null).status()).isEqualTo(421);
    }

    @Test
    void nativeChangesNeedJsonOrHeadersNoCrossSiteRequestCanSend() throws IOException {
        node = RunningNode.start(dataDir);
        String create = "{\"name\":\"typed\",\"shardCount\":1}";
        RawHttp.Reply plain = ask("POST", "/v1/streams", host(), create, "Content-Type: text/plain");
        assertThat(plain.status()).isEqualTo(415);
        assertThat(plain.body()).contains("UnsupportedMediaTypeException").contains("must be application/json");
        assertThat(ask("POST", "/v1/streams", host(), create).status()).as("no Content-Type").isEqualTo(415);
        assertThat(ask("POST", "/v1/streams", host(), create, "Content-Type: application/x-www-form-urlencoded").status()).isEqualTo(415);
        assertThat(ask("POST", "/v1/streams", host(), create, "Content-Type: application/json; charset=utf-8").status()).isEqualTo(201);
        String records = "/v1/streams/typed/records";
        RawHttp.Reply form = ask("POST", records + "?partitionKey=k", host(), "x", "Content-Type: text/plain");
        assertThat(form.status()).isEqualTo(415);
        assertThat(form.body()).contains("Partition-Key");
        assertThat(ask("POST", records, host(), "x", "Content-Type: text/plain", "Partition-Key: k").status()).isEqualTo(200);
        assertThat(ask("POST", records + "?partitionKey=k", host(), "x", "Content-Type: application/octet-stream").status())
                .isEqualTo(200);
    }

    @Test
    void corsIsOffUntilAllowedOriginsNamesAPage() throws IOException {
        node = RunningNode.start(dataDir);
        String[] preflight = {"Origin: https://app.example", "Access-Control-Request-Method: POST",
                "Access-Control-Request-Headers: content-type,x-amz-target"};
        assertThat(ask("OPTIONS", "/v1/streams", host(), null, preflight).status()).isEqualTo(403);
        node.close();
        node = RunningNode.start(dataDir, "--allowed-origins", "https://app.example");
        RawHttp.Reply ok = ask("OPTIONS", "/v1/streams", host(), null, preflight);
        assertThat(ok.status()).isBetween(200, 204);
        assertThat(ok.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example");
        assertThat(ok.header("Access-Control-Allow-Methods")).contains("POST");
        assertThat(ok.header("Access-Control-Allow-Headers").toLowerCase()).contains("x-amz-target").contains("content-type");
        RawHttp.Reply get = ask("GET", "/v1/streams", host(), null, "Origin: https://app.example");
        assertThat(get.status()).isEqualTo(200);
        assertThat(get.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example");
        assertThat(ask("OPTIONS", "/v1/streams", host(), null, "Origin: " + EVIL, "Access-Control-Request-Method: POST").status())
                .isEqualTo(403);
        streamWithConsumer();
        assertThat(upgrade("https://app.example").status()).isEqualTo(101);
        assertThat(upgrade(EVIL).status()).isEqualTo(403);
    }
}
