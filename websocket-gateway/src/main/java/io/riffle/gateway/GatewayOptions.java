package io.riffle.gateway;

import io.vertx.core.http.HttpServerOptions;

/**
 * The HTTP side of a gateway: where it listens and the limits it enforces before buffering anything.
 *
 * @param maxBodyBytes        request bodies beyond this get 413 while streaming in, never buffered whole
 * @param maxHeaderBytes      total header size (431 beyond it)
 * @param maxInitialLineBytes request line size, which bounds the URL (414 beyond it)
 * @param idleTimeoutSeconds  silent connections are closed after this (0 = never)
 * @param shutdownTimeoutSeconds how long a stopping gateway waits for in-flight requests
 */
public record GatewayOptions(String host, int port, int maxBodyBytes, int maxHeaderBytes, int maxInitialLineBytes,
                             int idleTimeoutSeconds, int shutdownTimeoutSeconds) {

    /**
     * The server options every gateway instance uses. HTTP/2 cleartext (h2c, both prior knowledge and
     * {@code Upgrade: h2c}) stays on, as Vert.x has it by default: the Kinesis SubscribeToShard of the AWS
     * SDK v2 needs it.
     */
    public HttpServerOptions httpServerOptions() {
        return new HttpServerOptions()
                .setHost(host)
                .setPort(port)
                .setMaxHeaderSize(maxHeaderBytes)
                .setMaxInitialLineLength(maxInitialLineBytes)
                .setIdleTimeout(idleTimeoutSeconds)
                .setHttp2ClearTextEnabled(true)
                // Browsers pass a token as the subprotocol "bearer.<token>" next to this one, which the node answers.
                .setWebSocketSubProtocols(java.util.List.of(io.riffle.security.Security.WEBSOCKET_PROTOCOL))
                .setMaxWebSocketFrameSize(65_536)
                .setMaxWebSocketMessageSize(262_144);
    }

    public GatewayOptions withPort(int p) {
        return new GatewayOptions(host, p, maxBodyBytes, maxHeaderBytes, maxInitialLineBytes, idleTimeoutSeconds,
                shutdownTimeoutSeconds);
    }
}
