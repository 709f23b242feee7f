package io.riffle.gateway.http;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.CSPHandler;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The web console: static files from the jar's {@code console/} folder under {@code /console/}, and
 * {@code /} redirecting there. The console talks to the node only through the public API, so no handler
 * here does anything but serve files. Its content security policy allows scripts, styles and connections
 * (fetch and WebSocket) to this origin only.
 */
public final class ConsoleRoutes {
    private static final String PATH = "/console/";
    private static final int MAX_AGE_SECONDS = 60;

    private ConsoleRoutes() {
    }

    public static void mount(Router router) {
        router.get("/").handler(ctx -> ctx.redirect(PATH));
        // Vert.x matches "/console" for "/console/" too: only the bare path is redirected.
        router.get("/console").handler(ctx -> {
            if (ctx.request().path().endsWith("/")) {
                ctx.next();
            } else {
                ctx.redirect(PATH);
            }
        });
        router.get(PATH + "*")
                .handler(CSPHandler.create().addDirective("connect-src", "'self'").addDirective("img-src", "'self' data:"))
                .handler(StaticHandler.create("console").setMaxAgeSeconds(MAX_AGE_SECONDS));
    }
}
