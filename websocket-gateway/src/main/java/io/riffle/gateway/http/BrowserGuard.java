package io.riffle.gateway.http;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.security.SecurityOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What keeps web pages a user visits from using the node through the user's browser. In order:
 * <ol>
 *   <li><b>Host</b> (auth off only): a Host naming neither an IP address, {@code localhost}, the bound host nor
 *       one of {@code allowedHosts} is 421: a page whose DNS name was rebound to this node's address sends its
 *       own name, so it is refused (with auth on, the page has no credentials anyway);</li>
 *   <li><b>Origin</b>: a request with an {@code Origin} that is neither this node's own (same scheme-less
 *       host:port as {@code Host}) nor in {@code allowedOrigins} is 403, WebSocket upgrades included (a
 *       browser's WebSocket is not bound by CORS); non-browser clients send no Origin and pass;</li>
 *   <li><b>CORS</b>: allowed cross-origin requests, preflights included, are answered by Vert.x Web's
 *       {@link CorsHandler};</li>
 *   <li><b>Content-Type</b>: a native {@code POST} under {@code /v1/} must be {@code application/json},
 *       except a single raw record put that a cross-site form or simple request could not send: one with an
 *       {@code Authorization}, {@code Partition-Key} or {@code Explicit-Hash-Key} header, or a Content-Type
 *       other than the three a simple request may use. Else 415.</li>
 * </ol>
 * Stateless; one per gateway verticle.
 */
public final class BrowserGuard {
    /** The Content-Types a cross-site "simple" request can carry without a CORS preflight (and none). */
    private static final Set<String> SIMPLE_TYPES = Set.of("", "text/plain", "application/x-www-form-urlencoded",
            "multipart/form-data");
    private static final Pattern RAW_PUT = Pattern.compile("/v1/streams/[^/]+/records");
    /** The native routes that take a POST (others answer 405 whatever the body). */
    private static final Pattern POST_ROUTES = Pattern.compile("/v1/streams(/[^/]+/(records|consumers))?");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Set<String> ALLOWED_HEADERS = Set.of("Content-Type", "Authorization", "X-Amz-Target", "X-Amz-Date",
            "X-Amz-Content-Sha256", "X-Amz-Security-Token", "X-Amz-User-Agent", "Amz-Sdk-Invocation-Id", "Amz-Sdk-Request",
            "Partition-Key", "Explicit-Hash-Key");
    private static final Set<String> EXPOSED_HEADERS = Set.of("x-amzn-RequestId", "x-amzn-ErrorType", "x-amz-id-2",
            "Retry-After", "Location");

    private final SecurityOptions options;
    private final boolean authOn;
    private final String boundHost;
    private final Optional<CorsHandler> cors;

    public BrowserGuard(SecurityOptions options, String boundHost) {
        this.options = options;
        this.authOn = options.auth() == SecurityOptions.AuthMode.SIGV4;
        this.boundHost = boundHost.toLowerCase(Locale.ROOT);
        this.cors = options.allowedOrigins().isEmpty() ? Optional.empty() : Optional.of(corsHandler(options.allowedOrigins()));
    }

    private static CorsHandler corsHandler(List<String> origins) {
        CorsHandler h = CorsHandler.create();
        if (!origins.contains("*")) {
            h.addOrigins(origins);
        }
        return h.allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.DELETE, HttpMethod.OPTIONS))
                .allowedHeaders(ALLOWED_HEADERS)
                .exposedHeaders(EXPOSED_HEADERS)
                .maxAgeSeconds(600);
    }

    public void handle(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        HostAndPort authority = req.authority();
        if (!authOn && authority != null && !hostAllowed(authority.host())) {
            throw new RiffleException(ErrorCode.MISDIRECTED_REQUEST, "Host '" + authority.host() + "' is not a name of "
                    + "this node: while auth is off it answers only IP addresses, localhost and allowedHosts (DNS "
                    + "rebinding defense). Add the name to allowedHosts, or turn auth on.");
        }
        String origin = req.getHeader("Origin");
        if (origin != null && !sameOrigin(origin, authority)) {
            if (!originAllowed(origin)) {
                throw new RiffleException(ErrorCode.ACCESS_DENIED, "Origin " + origin + " is not allowed: only pages of "
                        + "this node and allowedOrigins may call it from a browser.");
            }
            if (cors.isPresent() && !req.canUpgradeToWebSocket()) {
                checkContentType(ctx);
                cors.get().handle(ctx);
                return;
            }
        }
        checkContentType(ctx);
        ctx.next();
    }

    private boolean hostAllowed(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.equals("localhost") || h.equals(boundHost) || IPV4.matcher(h).matches() || h.contains(":")
                || options.allowedHosts().contains("*") || options.allowedHosts().contains(h);
    }

    private boolean originAllowed(String origin) {
        return options.allowedOrigins().contains("*") || options.allowedOrigins().contains(origin.toLowerCase(Locale.ROOT));
    }

    /** Whether the page's origin is this node: same host and port as the request's Host. */
    static boolean sameOrigin(String origin, HostAndPort authority) {
        if (authority == null) {
            return false;
        }
        try {
            URI o = URI.create(origin);
            if (o.getHost() == null || o.getScheme() == null) {
                return false;
            }
            int defaultPort = o.getScheme().equalsIgnoreCase("https") ? 443 : 80;
            int originPort = o.getPort() < 0 ? defaultPort : o.getPort();
            int hostPort = authority.port() < 0 ? defaultPort : authority.port();
            String oh = o.getHost().toLowerCase(Locale.ROOT);
            String ah = authority.host().toLowerCase(Locale.ROOT);
            return originPort == hostPort && (oh.equals(ah) || oh.equals("[" + ah + "]") || ah.equals("[" + oh + "]"));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static void checkContentType(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        if (req.method() != HttpMethod.POST || !POST_ROUTES.matcher(req.path()).matches()) {
            return;
        }
        String type = Optional.ofNullable(req.getHeader("Content-Type")).orElse("");
        String base = type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (base.equals("application/json")) {
            return;
        }
        boolean rawPut = RAW_PUT.matcher(req.path()).matches();
        if (rawPut && (req.getHeader("Authorization") != null || req.getHeader("Partition-Key") != null
                || req.getHeader("Explicit-Hash-Key") != null || !SIMPLE_TYPES.contains(base))) {
            return;
        }
        throw new RiffleException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json, not '" + type
                + "'" + (rawPut ? ". A single raw record may have another type if the request carries an Authorization or "
                + "Partition-Key header, or a Content-Type other than text/plain, application/x-www-form-urlencoded and "
                + "multipart/form-data (which any web page can send cross-site)" : "") + ".");
    }
}
