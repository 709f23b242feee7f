package io.riffle.kinesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.riffle.security.TlsPolicy;
import io.riffle.security.TlsProbe;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.stream.Collectors;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The TLS port's policy seen by a real TLS client (the JDK's, offering exactly one protocol and one suite):
 * TLS 1.2 with ECDHE and an AEAD cipher, and TLS 1.3, are served; TLS 1.1, CBC suites and static-RSA key
 * exchange are refused. Each refusal is checked against a control: the same Vert.x TLS server and certificate
 * without the policy accepts that client, so the refusal is the policy's and not the client's or the JVM's.
 */
@Order(1)
class TlsPolicyIT {
    static {
        // The JDK refuses TLS 1.0 and 1.1 itself; let this JVM's clients offer them so the node's own refusal
        // is what is tested. The JDK reads it once, when its TLS first initializes: this class runs first
        // (junit-platform.properties), and the control server tells (skipping the case) if it was too late.
        String disabled = java.security.Security.getProperty("jdk.tls.disabledAlgorithms");
        java.security.Security.setProperty("jdk.tls.disabledAlgorithms", Arrays.stream(disabled.split(","))
                .map(String::trim).filter(a -> !a.equals("TLSv1") && !a.equals("TLSv1.1")).collect(Collectors.joining(", ")));
    }

    @TempDir
    static Path dataDir;
    private static KinesisTestNode node;
    private static int tlsPort;
    private static Path cert;

    @BeforeAll
    static void start() {
        node = KinesisTestNode.startTls(dataDir);
        tlsPort = node.endpoint().getPort();
        cert = dataDir.resolve(TlsFrontDoor.SELF_SIGNED_DIR).resolve("cert.pem");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @ParameterizedTest
    @CsvSource({
            "TLSv1.3, TLS_AES_128_GCM_SHA256",
            "TLSv1.3, TLS_AES_256_GCM_SHA384",
            "TLSv1.3, TLS_CHACHA20_POLY1305_SHA256",
            "TLSv1.2, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLSv1.2, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLSv1.2, TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"})
    void forwardSecretAeadSuitesOfTls12And13AreServed(String protocol, String suite) throws Exception {
        try (SSLSocket socket = connect(tlsPort, protocol, suite)) {
            assertThat(socket.getSession().getProtocol()).isEqualTo(protocol);
            assertThat(socket.getSession().getCipherSuite()).isEqualTo(suite);
            socket.getOutputStream().write("GET /x HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] head = socket.getInputStream().readNBytes(12);
            assertThat(new String(head, StandardCharsets.US_ASCII))
                    .isEqualTo("HTTP/1.1 " + KinesisTestNode.PASSED_ON_STATUS);
        }
    }

    @ParameterizedTest
    @CsvSource({
            "TLSv1.1, TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
            "TLSv1.2, TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
            "TLSv1.2, TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
            "TLSv1.2, TLS_RSA_WITH_AES_128_GCM_SHA256",
            "TLSv1.2, TLS_RSA_WITH_AES_256_CBC_SHA256"})
    void oldProtocolsCbcSuitesAndStaticRsaAreRefused(String protocol, String suite) throws Exception {
        NetServer control = KinesisTestNode.await(node.vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1")
                        .setPort(0).setSsl(true).addEnabledSecureTransportProtocol("TLSv1.1")
                        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert.toString())
                                .setKeyPath(dataDir.resolve(TlsFrontDoor.SELF_SIGNED_DIR).resolve("key.pem").toString())))
                .connectHandler(s -> s.handler(b -> { })).listen());
        try {
            boolean controlAccepts;
            try (SSLSocket socket = connect(control.actualPort(), protocol, suite)) {
                controlAccepts = socket.getSession().getCipherSuite().equals(suite);
            } catch (SSLException | java.net.SocketException e) {
                controlAccepts = false;
            }
            assumeTrue(controlAccepts, "this JVM's client cannot offer " + protocol + " " + suite + " at all");
        } finally {
            KinesisTestNode.await(control.close());
        }
        assertThatThrownBy(() -> connect(tlsPort, protocol, suite).close())
                .isInstanceOfAny(SSLException.class, java.net.SocketException.class);
    }

    @Test
    void theSelfSignedCertificateIsValidForAtMostAYearFromAboutNow() throws Exception {
        X509Certificate c = TlsPolicy.read(cert);
        Instant notBefore = c.getNotBefore().toInstant();
        Instant notAfter = c.getNotAfter().toInstant();
        assertThat(Duration.between(notBefore, notAfter)).isLessThanOrEqualTo(Duration.ofDays(365));
        assertThat(notBefore).isBetween(Instant.now().minus(Duration.ofDays(1)), Instant.now());
        assertThat(notAfter).isAfter(Instant.now().plus(Duration.ofDays(300)));
    }

    @Test
    void aKeptCertificateNearItsExpiryOrValidTooLongIsReplacedAndOtherwiseKept(@TempDir Path otherDir) throws Exception {
        TlsFrontDoor.selfSigned(otherDir);
        Path cert = otherDir.resolve(TlsFrontDoor.SELF_SIGNED_DIR).resolve("cert.pem");
        String first = Files.readString(cert);
        TlsFrontDoor.selfSigned(otherDir, Instant.now().plus(Duration.ofDays(300)));
        assertThat(Files.readString(cert)).as("kept while more than 30 days are left").isEqualTo(first);

        Instant later = Instant.now().plus(Duration.ofDays(340));
        TlsFrontDoor.selfSigned(otherDir, later);
        X509Certificate renewed = TlsPolicy.read(cert);
        assertThat(Files.readString(cert)).isNotEqualTo(first);
        assertThat(renewed.getNotAfter().toInstant()).isAfter(later.plus(Duration.ofDays(300)));

        // A certificate of an older node (Netty's defaults: valid until the year 9999) is replaced at start.
        io.netty.handler.ssl.util.SelfSignedCertificate old = new io.netty.handler.ssl.util.SelfSignedCertificate("localhost");
        try {
            Files.copy(old.certificate().toPath(), cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } finally {
            old.delete();
        }
        assertThat(TlsPolicy.read(cert).getNotAfter().toInstant()).isAfter(Instant.now().plus(Duration.ofDays(3650)));
        TlsFrontDoor.selfSigned(otherDir);
        X509Certificate replaced = TlsPolicy.read(cert);
        assertThat(Duration.between(replaced.getNotBefore().toInstant(), replaced.getNotAfter().toInstant()))
                .isLessThanOrEqualTo(Duration.ofDays(365));
    }

    /** A TLS client offering only {@code protocol} and {@code suite}, trusting the node's certificate. */
    private static SSLSocket connect(int port, String protocol, String suite) throws Exception {
        return TlsProbe.connect("localhost", port, cert, null, null, protocol, suite);
    }
}
