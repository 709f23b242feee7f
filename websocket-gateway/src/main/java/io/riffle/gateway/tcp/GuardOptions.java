package io.riffle.gateway.tcp;

/**
 * What {@link FrontDoorTransport} enforces on every accepted connection.
 *
 * @param limit                    the node's connection count
 * @param headerReadTimeoutMillis  time for a whole request head, and the lifetime of a reserve connection
 * @param maxInitialLineBytes      the gateway's request line limit (Vert.x answers 414 beyond it)
 * @param maxHeaderBytes           the gateway's header limit (Vert.x answers 431 beyond it)
 */
public record GuardOptions(ConnectionLimit limit, long headerReadTimeoutMillis, int maxInitialLineBytes,
                           int maxHeaderBytes) {
}
