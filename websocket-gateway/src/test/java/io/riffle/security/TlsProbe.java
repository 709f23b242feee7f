package io.riffle.security;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/** A real TLS client for tests: the JDK's, offering exactly one protocol and one cipher suite. */
public final class TlsProbe {
    private TlsProbe() {
    }

    /**
     * Connects and completes the handshake (which throws if the server refuses), trusting the certificate in
     * {@code trust}, showing {@code clientCert} with its PKCS#8 {@code clientKey} when they are not null.
     */
    public static SSLSocket connect(String host, int port, Path trust, Path clientCert, Path clientKey, String protocol,
                                    String suite) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("trusted", TlsPolicy.read(trust));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        KeyManagerFactory kmf = null;
        if (clientCert != null) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("client", privateKey(clientKey), new char[0], new Certificate[] {TlsPolicy.read(clientCert)});
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, new char[0]);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(host, port);
        try {
            socket.setSoTimeout(10_000);
            socket.setEnabledProtocols(new String[] {protocol});
            socket.setEnabledCipherSuites(new String[] {suite});
            socket.startHandshake();
            return socket;
        } catch (Exception e) {
            socket.close();
            throw e;
        }
    }

    /** An RSA private key from a PEM {@code BEGIN PRIVATE KEY} (PKCS#8) file, as the node generates them. */
    private static PrivateKey privateKey(Path pem) throws Exception {
        String base64 = Files.readString(pem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }
}
