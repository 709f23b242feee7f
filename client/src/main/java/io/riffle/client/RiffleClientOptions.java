package io.riffle.client;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link RiffleClient}.
 *
 * @param host                 the node's host (default 127.0.0.1)
 * @param port                 the node's HTTP port (default 4567)
 * @param maxInFlightRequests  put requests in flight per stream at once; also the HTTP pool size
 * @param maxRecordsPerKeyPerRequest records of one partition key per request (default 500: Riffle
 *                             throttles a shard's records of a request as a suffix, so retrying the refused
 *                             ones keeps per-key order; set 1 for a server that checks records one by one)
 * @param maxAttempts          requests per record before a throttled record is given up as failed
 * @param maxBufferedRecords   records per stream accepted but not yet answered; beyond it puts fail at
 *                             once with LimitExceededException instead of buffering without bound
 * @param backoff              delays between attempts of a throttled record, and between reconnects
 * @param requestTimeout       how long one HTTP request may take before it counts as a transient failure
 * @param maxReconnects        consecutive failed reconnects of a subscription before it fails
 * @param idleTimeout          a subscription that waits this long for a frame it asked for reconnects
 *                             (the node sends a heartbeat at least every 5 s)
 * @param clock                time for retry schedules; tests may pass a fixed clock
 */
public record RiffleClientOptions(String host, int port, int maxInFlightRequests, int maxRecordsPerKeyPerRequest, int maxAttempts,
                                  int maxBufferedRecords, Backoff backoff, Duration requestTimeout,
                                  int maxReconnects, Duration idleTimeout, Clock clock) {
    public RiffleClientOptions {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(clock, "clock");
        if (port < 1 || port > 65535 || maxInFlightRequests < 1 || maxRecordsPerKeyPerRequest < 1 || maxAttempts < 1 || maxBufferedRecords < 1
                || maxReconnects < 0) {
            throw new IllegalArgumentException("Invalid client options: " + port + ", " + maxInFlightRequests
                    + ", " + maxAttempts + ", " + maxBufferedRecords + ", " + maxReconnects);
        }
    }

    /** Defaults for a node on 127.0.0.1 at the given port. */
    public static RiffleClientOptions local(int port) {
        return new RiffleClientOptions("127.0.0.1", port, 8, 500, 30, 100_000, Backoff.defaults(),
                Duration.ofSeconds(30), 20, Duration.ofSeconds(20), Clock.systemUTC());
    }

    public RiffleClientOptions withHost(String h) {
        return new RiffleClientOptions(h, port, maxInFlightRequests, maxRecordsPerKeyPerRequest, maxAttempts, maxBufferedRecords, backoff,
                requestTimeout, maxReconnects, idleTimeout, clock);
    }

    public RiffleClientOptions withMaxInFlightRequests(int n) {
        return new RiffleClientOptions(host, port, n, maxRecordsPerKeyPerRequest, maxAttempts, maxBufferedRecords, backoff,
                requestTimeout, maxReconnects, idleTimeout, clock);
    }

    public RiffleClientOptions withMaxRecordsPerKeyPerRequest(int n) {
        return new RiffleClientOptions(host, port, maxInFlightRequests, n, maxAttempts, maxBufferedRecords, backoff,
                requestTimeout, maxReconnects, idleTimeout, clock);
    }

    public RiffleClientOptions withMaxAttempts(int n) {
        return new RiffleClientOptions(host, port, maxInFlightRequests, maxRecordsPerKeyPerRequest, n, maxBufferedRecords, backoff,
                requestTimeout, maxReconnects, idleTimeout, clock);
    }

    public RiffleClientOptions withMaxBufferedRecords(int n) {
        return new RiffleClientOptions(host, port, maxInFlightRequests, maxRecordsPerKeyPerRequest, maxAttempts, n, backoff,
                requestTimeout, maxReconnects, idleTimeout, clock);
    }

    public RiffleClientOptions withBackoff(Backoff b) {
        return new RiffleClientOptions(host, port, maxInFlightRequests, maxRecordsPerKeyPerRequest, maxAttempts, maxBufferedRecords, b,
                requestTimeout, maxReconnects, idleTimeout, clock);
    }

    public RiffleClientOptions withMaxReconnects(int n) {
        return new RiffleClientOptions(host, port, maxInFlightRequests, maxRecordsPerKeyPerRequest, maxAttempts, maxBufferedRecords, backoff,
                requestTimeout, n, idleTimeout, clock);
    }
}
