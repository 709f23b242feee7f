package io.riffle.gateway.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FrontDoorTransportTest {
    /** A request the guard refuses before any handler (RFC 9112: both lengths), answering 400 and closing. */
    private static final String SMUGGLED = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n";

    private final Vertx vertx = Vertx.builder()
            .withTransport(FrontDoorTransport.nio(new GuardOptions(new ConnectionLimit(100), 10_000, 4096, 8192)))
            .build();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void httpAndTlsServersAreGuardedAndTheClusteredEventBusIsNot() {
        assertThat(FrontDoorTransport.guards(new HttpServerOptions().setPort(4567))).isTrue();
        assertThat(FrontDoorTransport.guards(new NetServerOptions().setSsl(true))).isTrue();
        assertThat(FrontDoorTransport.guards(eventBusServerOptions())).isFalse();
    }

    @Test
    void aServerLikeTheClusteredEventBusGetsItsBytesUntouchedWhileHttpIsGuarded() throws Exception {
        int eventBus = echo(eventBusServerOptions());
        int http = await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .requestHandler(r -> r.response().end("handled")).listen()).actualPort();

        assertThat(exchange(eventBus, SMUGGLED.length())).isEqualTo(SMUGGLED);
        assertThat(exchange(http, Integer.MAX_VALUE)).startsWith("HTTP/1.1 400");
    }

    /** How the clustered event bus builds its server's options (ClusteredEventBus: from EventBusOptions). */
    private static NetServerOptions eventBusServerOptions() {
        return new NetServerOptions(new EventBusOptions().setHost("127.0.0.1").setPort(0).toJson());
    }

    private int echo(NetServerOptions options) throws Exception {
        NetServer server = await(vertx.createNetServer(options).connectHandler(s -> s.handler(s::write)).listen());
        return server.actualPort();
    }

    /** Sends {@link #SMUGGLED}; what comes back until {@code expected} bytes or the end of the stream. */
    private static String exchange(int port, int expected) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(SMUGGLED.getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            for (int b = in.read(); b >= 0; b = in.read()) {
                got.write(b);
                if (got.size() >= expected) {
                    break;
                }
            }
            return got.toString(StandardCharsets.US_ASCII);
        }
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
