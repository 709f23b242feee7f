package io.riffle.gateway.http;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.security.AuditLog;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where a failure becomes a native HTTP answer:
 * {@code {"error":{"code":"<ErrorCode.wireName()>","message":"..."}}} with {@link ErrorCode#httpStatus()},
 * plus {@code Retry-After} on 429. Handlers never write error responses themselves: they fail the
 * {@link RoutingContext} (or throw), and the router's failure handler lands here. A Kinesis request
 * ({@code X-Amz-Target}) refused here, e.g. for its size, is answered in the AWS shape instead.
 */
public final class ErrorResponses {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);
    /** Seconds a throttled client should wait when the engine gave no hint: buckets refill within one second. */
    static final String RETRY_AFTER_SECONDS = "1";
    /** Context key under which the gateway puts its body limit, so a 413 can name it. */
    public static final String MAX_BODY_BYTES = "riffle.maxBodyBytes";

    private ErrorResponses() {
    }

    /** Router failure handler: maps the failure (or the status Vert.x Web set) to an error answer. */
    public static void handle(RoutingContext ctx) {
        send(ctx, toRiffle(ctx));
    }

    /** Router error handler for unmatched routes (404). */
    public static void noRoute(RoutingContext ctx) {
        send(ctx, RiffleException.notFound("No such resource: " + ctx.request().method() + " " + ctx.request().path()));
    }

    /** Router error handler for a path that exists under other methods: 405 with {@code Allow} naming them. */
    public static void methodNotAllowed(RoutingContext ctx, AllowedMethods allowed) {
        String methods = allowed.of(ctx.request().path());
        ctx.response().putHeader("Allow", methods);
        send(ctx, new RiffleException(ErrorCode.UNKNOWN_OPERATION, "Method " + ctx.request().method() + " is not allowed on "
                + ctx.request().path() + "; allowed: " + methods), 405);
    }

    private static RiffleException toRiffle(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        if (failure instanceof RiffleException r) {
            return r;
        }
        return switch (ctx.statusCode()) {
            case 413 -> new RiffleException(ErrorCode.PAYLOAD_TOO_LARGE,
                    "Request body exceeds the node's limit of " + maxBodyBytes(ctx) + " bytes (maxBodyBytes)");
            case 414, 431 -> RiffleException.validation("Request line or headers too large");
            case 400 -> RiffleException.validation(failure == null ? "Bad request" : "Bad request: " + failure.getMessage());
            case 404 -> RiffleException.notFound("No such resource: " + ctx.request().path());
            case 405 -> new RiffleException(ErrorCode.UNKNOWN_OPERATION, "Method not allowed: " + ctx.request().method());
            default -> {
                LOG.error("Internal failure on {} {}", ctx.request().method(), ctx.request().path(), failure);
                yield new RiffleException(ErrorCode.INTERNAL_FAILURE, "Internal failure");
            }
        };
    }

    /** The limit the gateway put in the context (see {@link #MAX_BODY_BYTES}), for messages. */
    private static Object maxBodyBytes(RoutingContext ctx) {
        Object limit = ctx.get(MAX_BODY_BYTES);
        return limit == null ? "maxBodyBytes" : limit;
    }

    private static void send(RoutingContext ctx, RiffleException e) {
        send(ctx, e, e.code().httpStatus());
    }

    private static void send(RoutingContext ctx, RiffleException e, int status) {
        if (ctx.response().headWritten()) {
            ctx.response().reset();
            return;
        }
        ErrorCode code = e.code();
        ctx.put(AuditLog.ERROR_TYPE, code.wireName());
        if (code == ErrorCode.INTERNAL_FAILURE && e.getCause() != null) {
            LOG.error("Internal failure on {} {}", ctx.request().method(), ctx.request().path(), e.getCause());
        }
        var response = ctx.response();
        if (ctx.request().version() != io.vertx.core.http.HttpVersion.HTTP_2
                && (!ctx.request().isEnded() || ctx.statusCode() == 414 || ctx.statusCode() == 431)) {
            // Answered before the request was read whole (a body over the limit, an oversized request line or
            // headers): the connection cannot carry another request, so tell the client not to reuse it.
            response.putHeader("Connection", "close");
        }
        if (code == ErrorCode.PROVISIONED_THROUGHPUT_EXCEEDED || code == ErrorCode.SERVICE_UNAVAILABLE) {
            // A throttled or unavailable request is worth retrying: say when.
            response.putHeader("Retry-After", e instanceof ThrottledException t
                    ? String.valueOf(t.retryAfterSeconds()) : RETRY_AFTER_SECONDS);
        }
        if (status == 401) {
            // RFC 9110: a 401 names the schemes that would work.
            response.putHeader("WWW-Authenticate", "Bearer realm=\"riffle\", AWS4-HMAC-SHA256");
        }
        if (KinesisErrorShape.applies(ctx)) {
            KinesisErrorShape.send(ctx, response, status, e);
            return;
        }
        response.setStatusCode(status).putHeader("Content-Type", "application/json");
        response.end(new JsonObject().put("error", new JsonObject()
                .put("code", code.wireName())
                .put("message", e.getMessage())).encode());
    }
}
