package io.riffle.node;

import io.riffle.security.Security;
import io.riffle.security.SecurityOptions;
import java.time.Clock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Parses and checks the security settings ({@code auth}, {@code credentialsFile}, {@code allowedOrigins}, ...). */
final class SecuritySettings {
    private SecuritySettings() {
    }

    static SecurityOptions parse(NodeConfig.Parser p) {
        SecurityOptions.AuthMode auth = switch (p.text(Setting.AUTH).toLowerCase(Locale.ROOT)) {
            case "off", "false", "none" -> SecurityOptions.AuthMode.OFF;
            case "sigv4", "on", "true" -> SecurityOptions.AuthMode.SIGV4;
            default -> throw p.bad(Setting.AUTH, "must be off or sigv4");
        };
        String file = p.text(Setting.CREDENTIALS_FILE);
        if (!file.isEmpty() && !Files.isReadable(Path.of(file))) {
            throw p.bad(Setting.CREDENTIALS_FILE, "must be a readable YAML or JSON file");
        }
        String id = p.text(Setting.ACCESS_KEY_ID);
        String secret = p.text(Setting.SECRET_ACCESS_KEY);
        if (id.isEmpty() != secret.isEmpty()) {
            throw p.bad(Setting.ACCESS_KEY_ID, "must be given together with secretAccessKey");
        }
        if (!id.isEmpty() && !id.matches("[A-Za-z0-9]{4,128}")) {
            throw p.bad(Setting.ACCESS_KEY_ID, "must be 4 to 128 letters and digits");
        }
        String principal = p.matching(Setting.PRINCIPAL_NAME, "[A-Za-z0-9+=,.@_-]{1,64}", "must be an IAM user name");
        if (auth == SecurityOptions.AuthMode.SIGV4 && file.isEmpty() && id.isEmpty()) {
            throw p.bad(Setting.AUTH, "needs credentials: set credentialsFile, or accessKeyId and secretAccessKey");
        }
        List<String> origins = list(p.text(Setting.ALLOWED_ORIGINS));
        for (String o : origins) {
            if (!o.equals("*") && !o.equals("null") && !o.matches("https?://[^/?#\\s]+")) {
                throw p.bad(Setting.ALLOWED_ORIGINS, "must be origins such as https://app.example.com (no path), * or null");
            }
        }
        return new SecurityOptions(auth, p.bool(Setting.ALLOW_UNAUTHENTICATED),
                file.isEmpty() ? Optional.empty() : Optional.of(Path.of(file)),
                id.isEmpty() ? Optional.empty() : Optional.of(new SecurityOptions.StaticKey(id, secret, principal)),
                origins, list(p.text(Setting.ALLOWED_HOSTS)));
    }

    private static List<String> list(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /**
     * The node's {@link Security}, its credentials read (blocking).
     *
     * @throws ConfigException if the node would be exposed without auth, or the credentials file is invalid
     */
    static Security security(NodeConfig config) {
        requireSafeExposure(config);
        try {
            return new Security(config.security(), config.region(), config.accountId(), Clock.systemUTC());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("Invalid setting 'credentialsFile' = '" + config.security().credentialsFile()
                    .map(Path::toString).orElse("") + "': " + e.getMessage());
        }
    }

    /**
     * Refuses auth off on an interface beyond loopback unless {@code allowUnauthenticated} says it is meant.
     *
     * @throws ConfigException naming both ways out
     */
    static void requireSafeExposure(NodeConfig config) {
        SecurityOptions s = config.security();
        if (s.auth() == SecurityOptions.AuthMode.OFF && !SecurityOptions.isLoopback(config.host()) && !s.allowUnauthenticated()) {
            throw new ConfigException("Setting 'host' = '" + config.host() + "' exposes the node beyond this machine while "
                    + "'auth' is off: set auth: sigv4 (with credentialsFile, or accessKeyId and secretAccessKey), or, to serve "
                    + "everyone without authentication anyway, allowUnauthenticated: true");
        }
    }
}
