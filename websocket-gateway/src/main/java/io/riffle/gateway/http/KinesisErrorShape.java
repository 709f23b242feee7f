package io.riffle.gateway.http;

import io.riffle.error.RiffleException;
import io.riffle.kinesis.WireFormat;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The AWS error shape for Kinesis requests (they carry {@code X-Amz-Target}) that the gateway refuses before
 * the Kinesis API sees them, such as a body over {@code maxBodyBytes}: {@code {"__type","message"}} in the
 * request's encoding (AWS JSON 1.1 or CBOR 1.1), with {@code x-amzn-ErrorType} and {@code x-amzn-RequestId},
 * so AWS SDKs report the error instead of failing to parse it. Everything the Kinesis API answers itself
 * it shapes itself.
 */
final class KinesisErrorShape {
    private KinesisErrorShape() {
    }

    static boolean applies(RoutingContext ctx) {
        return ctx.request().getHeader("X-Amz-Target") != null;
    }

    /** Ends {@code response} with {@code e} at {@code status}, encoded as the Kinesis API encodes its answers. */
    static void send(RoutingContext ctx, HttpServerResponse response, int status, RiffleException e) {
        WireFormat format = WireFormat.of(ctx.request().getHeader("Content-Type"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("__type", e.code().wireName());
        body.put("message", e.getMessage());
        response.setStatusCode(status)
                .putHeader("Content-Type", format.contentType())
                .putHeader("x-amzn-ErrorType", e.code().wireName())
                .putHeader("x-amzn-RequestId", UUID.randomUUID().toString())
                .end(format.write(body));
    }
}
