package io.riffle.client;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.model.Limits;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one stream's puts: drives a {@link PutScheduler} on the client's Vert.x context, keeping at most
 * {@code maxInFlightRequests} requests open and waking up when a throttled key's backoff ends. Every field
 * is touched only on that context.
 */
final class PutPipeline {
    private static final Logger LOG = LoggerFactory.getLogger(PutPipeline.class);

    private final Context context;
    private final WebClient http;
    private final RiffleClientOptions options;
    private final String stream;
    private final String path;
    private final PutScheduler scheduler;
    private int inFlight;
    private long timerId = -1;
    private long timerAt = Long.MAX_VALUE;

    PutPipeline(Context context, WebClient http, RiffleClientOptions options, String stream) {
        this.context = context;
        this.http = http;
        this.options = options;
        this.stream = stream;
        this.path = Queries.stream(stream) + "/records";
        this.scheduler = new PutScheduler(Limits.PUT_RECORDS_MAX_ENTRIES, Limits.PUT_RECORDS_MAX_BYTES,
                options.maxRecordsPerKeyPerRequest(), options.maxAttempts(), options.backoff());
    }

    /** Queues records (on the context) and sends what may go; refuses all of them when the buffer is full. */
    void submit(List<PutScheduler.Entry> entries) {
        if (scheduler.buffered() + entries.size() > options.maxBufferedRecords()) {
            RiffleException full = new RiffleException(ErrorCode.LIMIT_EXCEEDED, "The client already buffers "
                    + scheduler.buffered() + " records for stream " + stream + " (maxBufferedRecords "
                    + options.maxBufferedRecords() + ")");
            entries.forEach(e -> e.fail(full));
            return;
        }
        entries.forEach(scheduler::add);
        pump();
    }

    private long now() {
        return options.clock().millis();
    }

    private void pump() {
        while (inFlight < options.maxInFlightRequests()) {
            List<PutScheduler.Entry> request = scheduler.nextRequest(now());
            if (request.isEmpty()) {
                break;
            }
            send(request);
        }
        scheduler.nextWakeUp().ifPresent(this::wakeUpAt);
    }

    private void wakeUpAt(long at) {
        if (timerId >= 0 && timerAt <= at) {
            return;
        }
        if (timerId >= 0) {
            context.owner().cancelTimer(timerId);
        }
        timerAt = at;
        timerId = context.owner().setTimer(Math.max(1, at - now()), id -> {
            timerId = -1;
            timerAt = Long.MAX_VALUE;
            pump();
        });
    }

    private void send(List<PutScheduler.Entry> request) {
        io.vertx.core.Future<HttpResponse<Buffer>> sent;
        try {
            sent = http.post(path)
                    .putHeader("Content-Type", "application/json")
                    .timeout(options.requestTimeout().toMillis())
                    .sendBuffer(Wire.encodePut(request));
        } catch (IllegalStateException closed) {
            // the client was closed: nothing can be sent any more, so no retry either
            RiffleException e = new RiffleException(ErrorCode.SERVICE_UNAVAILABLE,
                    "The client is closed; record for stream " + stream + " not sent");
            request.forEach(entry -> scheduler.giveUp(entry, e));
            return;
        }
        inFlight++;
        sent.onComplete(ar -> {
            inFlight--;
            if (ar.succeeded()) {
                answer(request, ar.result());
            } else {
                failAll(request, transientFailure(ar.cause()), 0);
            }
            pump();
        });
    }

    private void answer(List<PutScheduler.Entry> request, HttpResponse<Buffer> response) {
        if (response.statusCode() != 200) {
            failAll(request, Wire.decodeError(response.statusCode(), body(response)),
                    retryAfterMillis(response.getHeader("Retry-After")));
            return;
        }
        List<Wire.PutAnswer> answers;
        try {
            answers = Wire.decodePut(body(response), request.size());
        } catch (RiffleException e) {
            LOG.warn("Stream {}: unusable put response: {}", stream, e.getMessage());
            failAll(request, e, 0);
            return;
        }
        long now = now();
        // successes first, so a key's in-flight count only reaches zero after its retries are collected
        for (int i = 0; i < request.size(); i++) {
            if (answers.get(i) instanceof Wire.Stored s) {
                scheduler.onSuccess(request.get(i), s.shardId(), s.sequenceNumber());
            }
        }
        for (int i = 0; i < request.size(); i++) {
            if (answers.get(i) instanceof Wire.Refused r) {
                scheduler.onFailure(request.get(i), r.error(), now, 0);
            }
        }
    }

    private void failAll(List<PutScheduler.Entry> request, RiffleException error, long retryAfterMillis) {
        long now = now();
        for (PutScheduler.Entry e : request) {
            scheduler.onFailure(e, error, now, retryAfterMillis);
        }
    }

    private static Buffer body(HttpResponse<Buffer> response) {
        Buffer b = response.body();
        return b == null ? Buffer.buffer() : b;
    }

    /** A request that got no answer (connection lost, timeout) may be retried like a 503. */
    private RiffleException transientFailure(Throwable cause) {
        String what = cause instanceof TimeoutException ? "timed out" : "failed";
        return new RiffleException(ErrorCode.SERVICE_UNAVAILABLE,
                "Put request to stream " + stream + " " + what + ": " + cause.getMessage(), cause);
    }

    /** Retry-After in seconds (the only form the node sends); anything else counts as no hint. */
    static long retryAfterMillis(String header) {
        if (header == null) {
            return 0;
        }
        try {
            return Math.max(0, Math.round(Double.parseDouble(header.trim()) * 1000));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
