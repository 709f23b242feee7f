package io.riffle.gateway.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The methods a path accepts, read from the router's own routes (so the {@code Allow} header of a 405 never
 * drifts from what is mounted). Path parameters ({@code :name}) match one segment.
 */
public final class AllowedMethods {
    private final Router router;

    public AllowedMethods(Router router) {
        this.router = router;
    }

    /** The methods of every route whose path matches {@code path}, sorted and comma separated (may be empty). */
    public String of(String path) {
        TreeSet<String> methods = new TreeSet<>();
        for (Route r : router.getRoutes()) {
            if (r.getPath() != null && r.methods() != null && matches(r.getPath(), path)) {
                r.methods().stream().map(HttpMethod::name).forEach(methods::add);
            }
        }
        return String.join(", ", methods);
    }

    private static boolean matches(String template, String path) {
        String regex = Pattern.compile("/").splitAsStream(template)
                .map(segment -> segment.startsWith(":") ? "[^/]+" : Pattern.quote(segment))
                .collect(Collectors.joining("/"));
        return path.matches(template.equals("/") ? "/" : regex + "/?");
    }
}
