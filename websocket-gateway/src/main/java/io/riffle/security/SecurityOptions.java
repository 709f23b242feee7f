package io.riffle.security;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How a node authenticates and which browsers it serves.
 *
 * @param auth                 OFF (anyone is everyone) or SIGV4 (SigV4 or a bearer token on every API request)
 * @param allowUnauthenticated true to run with auth OFF on an interface other than loopback
 * @param credentialsFile      principals, keys, tokens and policies (see {@link CredentialStore}); reloaded on change
 * @param settingsKey          one key from the settings, with full access
 * @param allowedOrigins       origins (scheme://host[:port]) allowed cross-origin: CORS and WebSocket upgrades;
 *                             empty = same origin only; {@code *} = any
 * @param allowedHosts         Host names accepted while auth is OFF besides IP literals and {@code localhost};
 *                             {@code *} = any
 */
public record SecurityOptions(AuthMode auth, boolean allowUnauthenticated, Optional<Path> credentialsFile,
                              Optional<StaticKey> settingsKey, List<String> allowedOrigins, List<String> allowedHosts) {
    public SecurityOptions {
        allowedOrigins = allowedOrigins.stream().map(o -> o.toLowerCase(Locale.ROOT)).toList();
        allowedHosts = allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
    }

    /** Whether requests must authenticate. */
    public enum AuthMode {
        OFF, SIGV4
    }

    /** A key given in the settings: access key id, secret and the name of its principal. */
    public record StaticKey(String accessKeyId, String secretAccessKey, String principalName) {
        @Override
        public String toString() {
            return "StaticKey[" + accessKeyId + ", " + principalName + "]";
        }
    }

    /** Auth off, same-origin browsers only: what a node on loopback runs with by default. */
    public static SecurityOptions off() {
        return new SecurityOptions(AuthMode.OFF, false, Optional.empty(), Optional.empty(), List.of(), List.of());
    }

    /** Auth on with the given credentials file. */
    public static SecurityOptions sigv4(Path credentialsFile) {
        return new SecurityOptions(AuthMode.SIGV4, false, Optional.of(credentialsFile), Optional.empty(), List.of(), List.of());
    }

    public SecurityOptions withAllowedOrigins(List<String> origins) {
        return new SecurityOptions(auth, allowUnauthenticated, credentialsFile, settingsKey, origins, allowedHosts);
    }

    /** Whether {@code host} (a bind address) reaches this machine only. */
    public static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("[::1]");
    }
}
