package io.riffle.security;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's security: who a request comes from ({@link #authenticate}) and what they may do
 * ({@link #authorizer()}). Shared by every gateway verticle of the node; thread-safe.
 *
 * <p>A request authenticates with, in this order: SigV4 (header or presigned query); {@code Authorization:
 * Bearer <token>}; for WebSocket upgrades only (browsers cannot set headers on them), a query parameter
 * {@code access_token=<token>} or a {@code Sec-WebSocket-Protocol} entry {@code bearer.<token>} next to
 * {@link #WEBSOCKET_PROTOCOL}.
 */
public final class Security {
    private static final Logger LOG = LoggerFactory.getLogger(Security.class);
    /** The subprotocol the node answers when a browser passes its token as {@code bearer.<token>}. */
    public static final String WEBSOCKET_PROTOCOL = "riffle";
    private static final String BEARER_PROTOCOL_PREFIX = "bearer.";
    /** How often the credentials file is checked for changes. */
    public static final long RELOAD_CHECK_MILLIS = 1000;

    private final SecurityOptions options;
    private final CredentialStore credentials;
    private final SigV4Verifier verifier;
    private final Authorizer authorizer;
    private final String accountId;
    private final String region;
    private final Clock clock;
    private final AuditLog audit;

    /**
     * Reads the credentials (blocking, at node start).
     *
     * @throws IllegalArgumentException if the credentials file is unreadable or invalid
     */
    public Security(SecurityOptions options, String region, String accountId, Clock clock) {
        this.options = options;
        this.accountId = accountId;
        this.region = region;
        this.clock = clock;
        this.credentials = new CredentialStore(options.credentialsFile(), accountId, options.settingsKey());
        this.verifier = new SigV4Verifier(credentials, region, "kinesis", clock);
        this.authorizer = new Authorizer(accountId);
        this.audit = new AuditLog(clock);
    }

    /** No authentication, same-origin browsers only. */
    public static Security off() {
        return new Security(SecurityOptions.off(), "us-east-1", "000000000000", Clock.systemUTC());
    }

    public SecurityOptions options() {
        return options;
    }

    public boolean enabled() {
        return options.auth() == SecurityOptions.AuthMode.SIGV4;
    }

    public Authorizer authorizer() {
        return authorizer;
    }

    /** Where both APIs log control-plane changes, stamped by {@link #clock()}. */
    public AuditLog audit() {
        return audit;
    }

    /** The clock signatures are checked against (and the Kinesis API's {@code Date} header tells clients). */
    public Clock clock() {
        return clock;
    }

    /** The region in the ARNs policies name, and that SigV4 credential scopes must name. */
    public String region() {
        return region;
    }

    public String accountId() {
        return accountId;
    }

    public CredentialStore credentials() {
        return credentials;
    }

    /** Checks the credentials file for changes every second, off the event loops; stops when Vert.x closes. */
    public void watch(Vertx vertx) {
        if (options.credentialsFile().isPresent()) {
            vertx.setPeriodic(RELOAD_CHECK_MILLIS, id -> vertx.executeBlocking(credentials::reloadIfChanged, false));
        }
    }

    /**
     * Who sent {@code request}.
     *
     * @param body the body when the caller read it (SigV4 may sign it); empty for bodiless requests
     * @throws RiffleException MissingAuthenticationTokenException, IncompleteSignatureException,
     *                         InvalidSignatureException or UnrecognizedClientException
     */
    public Principal authenticate(HttpServerRequest request, Optional<byte[]> body) {
        SignedRequest signed = signedRequest(request, body);
        if (SigV4Verifier.isSigned(signed)) {
            return verifier.verify(signed);
        }
        Optional<String> auth = signed.header("authorization");
        if (auth.isPresent()) {
            String a = auth.get().trim();
            if (a.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return byToken(a.substring(7).trim());
            }
            throw new RiffleException(ErrorCode.INCOMPLETE_SIGNATURE, "Unsupported Authorization scheme '"
                    + a.split(" ", 2)[0] + "': sign the request with " + SigV4Verifier.ALGORITHM
                    + " (SigV4) or send Authorization: Bearer <token>");
        }
        if (request.canUpgradeToWebSocket()) {
            String param = request.getParam("access_token");
            if (param != null) {
                return byToken(param);
            }
            Optional<String> protocol = webSocketToken(request);
            if (protocol.isPresent()) {
                return byToken(protocol.get());
            }
        }
        throw new RiffleException(ErrorCode.MISSING_AUTHENTICATION_TOKEN, "Missing Authentication Token: sign the "
                + "request with SigV4 or send Authorization: Bearer <token> (WebSocket: ?access_token=<token> or the "
                + "subprotocols '" + WEBSOCKET_PROTOCOL + "' and '" + BEARER_PROTOCOL_PREFIX + "<token>')");
    }

    private Principal byToken(String token) {
        return credentials.token(token).orElseThrow(() -> new RiffleException(ErrorCode.UNRECOGNIZED_CLIENT,
                "The security token included in the request is invalid."));
    }

    private static Optional<String> webSocketToken(HttpServerRequest request) {
        String protocols = request.getHeader("Sec-WebSocket-Protocol");
        if (protocols == null) {
            return Optional.empty();
        }
        for (String p : protocols.split(",")) {
            String t = p.trim();
            if (t.startsWith(BEARER_PROTOCOL_PREFIX)) {
                return Optional.of(t.substring(BEARER_PROTOCOL_PREFIX.length()));
            }
        }
        return Optional.empty();
    }

    /** The parts of a Vert.x request that SigV4 signs. */
    static SignedRequest signedRequest(HttpServerRequest request, Optional<byte[]> body) {
        Map<String, List<String>> headers = new HashMap<>();
        request.headers().forEach(e -> headers.computeIfAbsent(e.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                .add(e.getValue()));
        String uri = request.uri();
        int q = uri.indexOf('?');
        String rawPath = q < 0 ? uri : uri.substring(0, q);
        if (rawPath.startsWith("http://") || rawPath.startsWith("https://")) {
            // An absolute-form request target: the path starts after the authority.
            int slash = rawPath.indexOf('/', rawPath.indexOf("//") + 2);
            rawPath = slash < 0 ? "/" : rawPath.substring(slash);
        }
        HostAndPort authority = request.authority();
        String host = authority == null ? "" : authority.host() + (authority.port() >= 0 ? ":" + authority.port() : "");
        return new SignedRequest(request.method().name(), rawPath, q < 0 ? "" : uri.substring(q + 1), headers, host, body);
    }

    /** Logs once at start how the node authenticates (never a secret). */
    public void logMode(String host) {
        if (enabled()) {
            LOG.info("Authentication on (SigV4 and bearer tokens): {} principals", credentials.size());
        } else if (!SecurityOptions.isLoopback(host)) {
            LOG.warn("Authentication is OFF on {} (allowUnauthenticated=true): anyone who can reach this node can read, "
                    + "write and delete every stream. Set auth: sigv4 to require credentials.", host);
        }
    }
}
