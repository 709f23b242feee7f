package io.riffle.node;

import static io.riffle.node.RunningNode.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.security.TlsPolicy;
import io.riffle.security.TlsProbe;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two clustered nodes whose event bus runs over mutual TLS ({@code clusterTls}, one certificate both show and
 * trust): a stream's shards spread over both work through either node, the event-bus port takes only TLS 1.2+
 * AEAD clients with a trusted certificate, and a Vert.x cluster member holding another certificate can
 * neither send to them nor be reached by them.
 */
class ClusterTlsIT {
    @TempDir
    static Path dir;
    private static final List<RunningNode> nodes = new ArrayList<>();
    private static int[] busPorts;
    private static Path cert;
    private static Path key;
    private static String members;

    @BeforeAll
    static void startTwoNodes() throws Exception {
        cert = dir.resolve("cluster-cert.pem");
        key = dir.resolve("cluster-key.pem");
        TlsPolicy.writeSelfSigned("riffle-cluster", Instant.now(), cert, key);
        int[] ports = ClusterIT.freePorts(4);
        busPorts = new int[] {ports[2], ports[3]};
        members = Arrays.stream(ports, 0, 2).mapToObj(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
        for (int i = 0; i < 2; i++) {
            nodes.add(RunningNode.start(dir.resolve("node" + i), clusterFlags(ports[i], busPorts[i], cert, key, cert)));
        }
    }

    @AfterAll
    static void stopNodes() {
        nodes.forEach(RunningNode::close);
    }

    private static String[] clusterFlags(int port, int busPort, Path cert, Path key, Path trust) {
        return new String[] {"--cluster", "true", "--cluster-name", "tls-it", "--cluster-port", String.valueOf(port),
                "--cluster-members", members, "--cluster-cp-members", "0", "--event-bus-host", "127.0.0.1",
                "--event-bus-port", String.valueOf(busPort), "--cluster-tls", "true",
                "--cluster-tls-cert-file", cert.toString(), "--cluster-tls-key-file", key.toString(),
                "--cluster-tls-trust-file", trust.toString()};
    }

    @Test
    void recordsPutThroughOneNodeToShardsOnBothAreReadThroughTheOther() {
        awaitMembers(nodes.get(0), 2);
        nodes.get(0).createStream("over-tls", 2);
        JsonArray records = new JsonArray();
        for (int i = 0; i < 20; i++) {
            records.add(new JsonObject().put("partitionKey", "k" + i).put("text", "r" + i));
        }
        HttpResponse<Buffer> put = nodes.get(1).postJson("/v1/streams/over-tls/records", new JsonObject().put("records", records));
        assertThat(put.statusCode()).as(put.bodyAsString()).isEqualTo(200);
        assertThat(put.bodyAsJsonObject().getInteger("failedRecordCount")).isZero();
        int read = 0;
        for (String shard : List.of("shardId-000000000000", "shardId-000000000001")) {
            HttpResponse<Buffer> r = nodes.get(0).get("/v1/streams/over-tls/shards/" + shard + "/records?from=TRIM_HORIZON");
            assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
            read += r.bodyAsJsonObject().getJsonArray("records").size();
        }
        assertThat(read).isEqualTo(20);
        JsonObject placement = nodes.get(0).get("/v1/cluster").bodyAsJsonObject().getJsonObject("placement");
        assertThat(placement.getJsonObject("over-tls").getMap().values()).as("a shard on each node").doesNotHaveDuplicates();
    }

    @Test
    void theEventBusPortTakesOnlyTrustedClientsOverTls12OrLaterWithAeadSuites() throws Exception {
        int port = busPorts[0];
        try (SSLSocket ok = connect(port, true, "TLSv1.3", "TLS_AES_128_GCM_SHA256")) {
            assertThat(ok.getSession().getProtocol()).isEqualTo("TLSv1.3");
        }
        try (SSLSocket ok = connect(port, true, "TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384")) {
            assertThat(ok.getSession().getCipherSuite()).isEqualTo("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
            // The server checks the client's certificate in TLS 1.2's handshake: it succeeded, so it was trusted.
        }
        assertThatThrownBy(() -> connect(port, true, "TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256").close())
                .isInstanceOfAny(SSLException.class, java.net.SocketException.class);
        // Without a certificate of its own the handshake fails (TLS 1.2 reports it in the handshake itself).
        assertThatThrownBy(() -> connect(port, false, "TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256").close())
                .isInstanceOfAny(SSLException.class, java.net.SocketException.class);
    }

    @Test
    void aMemberWithoutTheTrustCanNeitherSendToTheNodesNorBeReachedByThem() throws Exception {
        awaitMembers(nodes.get(0), 2);
        Vertx trusted = nodes.get(0).node.vertx();
        await(nodes.get(1).node.vertx().eventBus().<String>consumer("tls-it.echo", m -> m.reply("echo " + m.body())).completion());
        DeliveryOptions quick = new DeliveryOptions().setSendTimeout(3000);
        assertThat(await(trusted.eventBus().<String>request("tls-it.echo", "a", quick)).body()).isEqualTo("echo a");

        Path strangerCert = dir.resolve("stranger-cert.pem");
        Path strangerKey = dir.resolve("stranger-key.pem");
        TlsPolicy.writeSelfSigned("stranger", Instant.now(), strangerCert, strangerKey);
        int[] ports = ClusterIT.freePorts(2);
        // The same cluster name and seeds, so Hazelcast lets it in; only the event bus's TLS keeps it out.
        ClusterConfig config = NodeConfig.load(clusterFlags(ports[0], ports[1], strangerCert, strangerKey, strangerCert),
                Map.of()).cluster();
        Vertx stranger = await(ClusterBoot.start(Vertx.builder(), new VertxOptions(), config)).vertx();
        try {
            await(stranger.eventBus().<String>consumer("tls-it.stranger", m -> m.reply("leaked")).completion());
            // Both sides see the other's handler (Hazelcast shares the registrations): each message is sent, and
            // no answer comes back, since no TLS connection between them can be made.
            assertThat(failureOf(stranger, "tls-it.echo")).as("the stranger sends to a node").isEqualTo(ReplyFailure.TIMEOUT);
            assertThat(failureOf(trusted, "tls-it.stranger")).as("a node sends to the stranger").isEqualTo(ReplyFailure.TIMEOUT);
        } finally {
            await(stranger.close());
        }
        assertThat(await(trusted.eventBus().<String>request("tls-it.echo", "d", quick)).body()).isEqualTo("echo d");
    }

    /**
     * How a request from {@code from} to {@code address} fails; asked again (for 10 s at most) while the handler's
     * registration has not reached {@code from} yet.
     */
    private static ReplyFailure failureOf(Vertx from, String address) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try {
                Object answer = from.eventBus().request(address, "hello", new DeliveryOptions().setSendTimeout(2000))
                        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS).body();
                throw new AssertionError("answered: " + answer);
            } catch (ExecutionException e) {
                ReplyFailure failure = ((ReplyException) e.getCause()).failureType();
                if (failure != ReplyFailure.NO_HANDLERS || System.nanoTime() > deadline) {
                    return failure;
                }
            } catch (TimeoutException e) {
                throw new AssertionError(e);
            }
            sleep();
        }
    }

    private static void awaitMembers(RunningNode n, int size) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            JsonObject view = n.get("/v1/cluster").bodyAsJsonObject();
            if (view.getJsonArray("members").size() == size && view.getJsonObject("catalog") != null) {
                return;
            }
            sleep();
        }
        throw new AssertionError("the cluster did not reach " + size + " members");
    }

    /** A TLS client of the event bus, trusting the cluster's certificate, showing it too or no certificate. */
    private static SSLSocket connect(int port, boolean withCertificate, String protocol, String suite) throws Exception {
        return TlsProbe.connect("127.0.0.1", port, cert, withCertificate ? cert : null, withCertificate ? key : null,
                protocol, suite);
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
