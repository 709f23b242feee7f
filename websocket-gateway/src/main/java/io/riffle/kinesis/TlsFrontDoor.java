package io.riffle.kinesis;

import io.riffle.security.TlsPolicy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's optional TLS port: terminates TLS and relays the decrypted bytes to the node's own plain HTTP
 * port, where Vert.x tells HTTP/2 with prior knowledge from HTTP/1.1. So a TLS client gets h2 whether it
 * negotiates it by ALPN (offered: {@code h2}, {@code http/1.1}) or simply assumes it, as the AWS SDK's
 * async client may; a Vert.x TLS HttpServer alone answers HTTP/1.1 to a client that offers no ALPN.
 *
 * <p>Only TLS 1.2 and 1.3 with forward-secret AEAD suites are accepted ({@link TlsPolicy}).
 *
 * <p>Start it once per node, after the plain port listens:
 * <pre>{@code TlsFrontDoor.start(vertx, "0.0.0.0", 4568, TlsFrontDoor.selfSigned(dataDir), "127.0.0.1", node.port())}</pre>
 * The gateway then sees every TLS request as coming from loopback.
 */
public final class TlsFrontDoor {
    private static final Logger LOG = LoggerFactory.getLogger(TlsFrontDoor.class);
    /** Directory under the data dir holding the generated certificate and key (PEM). */
    public static final String SELF_SIGNED_DIR = "kinesis-tls";

    private TlsFrontDoor() {
    }

    /**
     * Listens for TLS on {@code host:port} (0 for any free port) and relays each connection to
     * {@code backendHost:backendPort}. The returned server's {@code actualPort()} is the TLS port; closing
     * it stops accepting (relayed connections end with their clients).
     */
    public static Future<NetServer> start(Vertx vertx, String host, int port, KeyCertOptions keyCert,
                                          String backendHost, int backendPort) {
        NetServerOptions options = TlsPolicy.apply(new NetServerOptions().setHost(host).setPort(port).setSsl(true)
                .setUseAlpn(true).setKeyCertOptions(keyCert));
        options.getSslOptions().setApplicationLayerProtocols(List.of("h2", "http/1.1"));
        NetClient backend = vertx.createNetClient();
        return vertx.createNetServer(options)
                .connectHandler(front -> relay(front, backend, backendHost, backendPort))
                .listen()
                .onSuccess(s -> LOG.info("TLS port {} relays to {}:{}", s.actualPort(), backendHost, backendPort));
    }

    private static void relay(NetSocket front, NetClient backend, String host, int port) {
        front.pause();
        backend.connect(port, host)
                .onSuccess(back -> {
                    // Each pipe ends its destination when its source ends, so a close on either side closes both.
                    front.pipeTo(back);
                    back.pipeTo(front);
                })
                .onFailure(e -> {
                    LOG.warn("TLS relay cannot reach {}:{}: {}", host, port, e.getMessage());
                    front.close();
                });
    }

    /**
     * A self-signed certificate for {@code localhost}, generated at the first call and kept (PEM) under
     * {@code dataDir/kinesis-tls}, so clients that pinned it keep trusting it after a restart. It is valid for a
     * year ({@link TlsPolicy#SELF_SIGNED_VALIDITY}) and generated anew, with a WARN, at the first start within
     * {@link TlsPolicy#RENEW_BEFORE} of its expiry (or if it is valid longer than the policy allows). Blocking:
     * call at node start. For anything but local use, configure a real certificate instead.
     */
    public static PemKeyCertOptions selfSigned(Path dataDir) {
        return selfSigned(dataDir, Instant.now());
    }

    /** As {@link #selfSigned(Path)}, at {@code now}. */
    static PemKeyCertOptions selfSigned(Path dataDir, Instant now) {
        Path dir = dataDir.resolve(SELF_SIGNED_DIR);
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        try {
            if (!Files.exists(cert) || !Files.exists(key)) {
                Files.createDirectories(dir);
                TlsPolicy.writeSelfSigned("localhost", now, cert, key);
                LOG.info("Generated a self-signed TLS certificate for localhost in {}", dir);
            } else {
                String reason = TlsPolicy.renewalReason(cert, now);
                if (reason != null) {
                    TlsPolicy.writeSelfSigned("localhost", now, cert, key);
                    LOG.warn("Replaced the self-signed TLS certificate in {} ({}): clients that pinned the old one must "
                            + "trust the new cert.pem", dir, reason);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the self-signed TLS certificate in " + dir, e);
        }
        return new PemKeyCertOptions().setCertPath(cert.toString()).setKeyPath(key.toString());
    }
}
