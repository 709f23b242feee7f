package io.riffle.security;

import io.netty.handler.ssl.util.SelfSignedCertificate;
import io.vertx.core.net.TCPSSLOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The node's one TLS policy, for its HTTPS port and its clustered event bus alike: TLS 1.2 and 1.3 only, and
 * only forward-secret AEAD cipher suites (TLS 1.3's, and ECDHE with AES-GCM or ChaCha20-Poly1305 in TLS 1.2).
 * So no CBC suite (padding oracles), no static-RSA key exchange (a stolen key decrypts recorded traffic), no
 * SSLv3 / TLS 1.0 / 1.1, whatever the JVM's own defaults allow. Also makes the self-signed certificates the
 * node generates, valid for {@link #SELF_SIGNED_VALIDITY} at most.
 */
public final class TlsPolicy {
    /** The protocols offered and accepted. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    /** The cipher suites offered and accepted (IANA names, as the JDK names them), strongest first. */
    public static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    /** How long a generated self-signed certificate is valid, from notBefore to notAfter. */
    public static final Duration SELF_SIGNED_VALIDITY = Duration.ofDays(365);
    /** A kept self-signed certificate is replaced this long before it expires. */
    public static final Duration RENEW_BEFORE = Duration.ofDays(30);
    /** notBefore lies this far in the past, so a client whose clock is a little behind accepts a new one. */
    private static final Duration BACKDATE = Duration.ofHours(1);

    private TlsPolicy() {
    }

    /** Restricts {@code options} (an HTTPS server's, the event bus's) to the protocols and suites above. */
    public static <T extends TCPSSLOptions> T apply(T options) {
        options.setEnabledSecureTransportProtocols(new LinkedHashSet<>(PROTOCOLS));
        // Vert.x enables the engine's defaults while this set is empty, and exactly these once it is not.
        CIPHER_SUITES.forEach(options::addEnabledCipherSuite);
        return options;
    }

    /**
     * Writes a new self-signed certificate for {@code fqdn} and its private key (PEM) to {@code cert} and
     * {@code key}, valid from an hour before {@code now} for {@link #SELF_SIGNED_VALIDITY} in all. (Netty's
     * default runs from a year ago to the year 9999.) Blocking.
     */
    public static void writeSelfSigned(String fqdn, Instant now, Path cert, Path key) throws IOException {
        Instant notBefore = now.minus(BACKDATE);
        SelfSignedCertificate generated;
        try {
            generated = SelfSignedCertificate.builder().fqdn(fqdn).notBefore(Date.from(notBefore))
                    .notAfter(Date.from(notBefore.plus(SELF_SIGNED_VALIDITY))).build();
        } catch (CertificateException e) {
            throw new IOException("Cannot generate a self-signed certificate for " + fqdn, e);
        }
        try {
            Files.copy(generated.privateKey().toPath(), key, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(generated.certificate().toPath(), cert, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            generated.delete();
        }
    }

    /**
     * Why the self-signed certificate kept in {@code cert} must be generated again at {@code now}, or null if
     * it may stay: it expires within {@link #RENEW_BEFORE}, or it is valid longer than the policy allows (one
     * generated before the policy, by Netty's defaults). Blocking.
     */
    public static String renewalReason(Path cert, Instant now) throws IOException {
        X509Certificate c = read(cert);
        Instant notAfter = c.getNotAfter().toInstant();
        if (Duration.between(c.getNotBefore().toInstant(), notAfter).compareTo(SELF_SIGNED_VALIDITY) > 0) {
            return "it is valid for longer than " + SELF_SIGNED_VALIDITY.toDays() + " days";
        }
        if (notAfter.minus(RENEW_BEFORE).isBefore(now)) {
            return "it expires on " + notAfter;
        }
        return null;
    }

    /** The first certificate of a PEM file. Blocking. */
    public static X509Certificate read(Path pem) throws IOException {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (CertificateException e) {
            throw new IOException("Not a PEM certificate: " + pem, e);
        }
    }
}
