package io.riffle.gateway;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * The hook for the Kinesis API: requests {@code POST /} (they carry {@code X-Amz-Target}) are handed to
 * the handler this creates, once per gateway verticle instance (so on that instance's event loop). The
 * body is already read (at most {@link GatewayOptions#maxBodyBytes()}, else the gateway answered 413 itself, in
 * the AWS error shape and the request's encoding);
 * the handler answers the request itself, errors included, in the AWS shape.
 */
@FunctionalInterface
public interface KinesisEndpoint {
    Handler<RoutingContext> create(GatewayServices services);

}
