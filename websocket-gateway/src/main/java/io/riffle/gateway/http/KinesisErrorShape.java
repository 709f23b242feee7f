package io.riffle.gateway.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import io.riffle.error.RiffleException;
import io.vertx.core.buffer.Buffer;
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
    private static final String CBOR_TYPE = "application/x-amz-cbor-1.1";
    private static final String JSON_TYPE = "application/x-amz-json-1.1";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper CBOR = new ObjectMapper(new CBORFactory());

    private KinesisErrorShape() {
    }

    static boolean applies(RoutingContext ctx) {
        return ctx.request().getHeader("X-Amz-Target") != null;
    }

    /** Ends {@code response} with {@code e} at {@code status}. */
    static void send(RoutingContext ctx, HttpServerResponse response, int status, RiffleException e) {
        String contentType = ctx.request().getHeader("Content-Type");
        boolean cbor = contentType != null && contentType.toLowerCase().startsWith(CBOR_TYPE);
        Map<String, String> body = new LinkedHashMap<>();
        body.put("__type", e.code().wireName());
        body.put("message", e.getMessage());
        byte[] encoded;
        try {
            encoded = (cbor ? CBOR : JSON).writeValueAsBytes(body);
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException("A map of two strings cannot fail to encode", impossible);
        }
        response.setStatusCode(status)
                .putHeader("Content-Type", cbor ? CBOR_TYPE : JSON_TYPE)
                .putHeader("x-amzn-ErrorType", e.code().wireName())
                .putHeader("x-amzn-RequestId", UUID.randomUUID().toString())
                .end(Buffer.buffer(encoded));
    }
}
