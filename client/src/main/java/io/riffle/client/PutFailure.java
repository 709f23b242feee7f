package io.riffle.client;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import java.util.Objects;

/**
 * A record the node did not store, after the client's retries (for throttling and transient failures)
 * ran out or because the record itself was refused (validation, unknown stream, too large).
 *
 * @param code     the error, as far as the client could map it
 * @param wireName the error name the node sent (the Kinesis error type)
 * @param message  the node's message
 * @param attempts how many requests were made for this record
 */
public record PutFailure(ErrorCode code, String wireName, String message, int attempts) implements PutRecordResult {
    public PutFailure {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(wireName, "wireName");
        Objects.requireNonNull(message, "message");
    }

    static PutFailure of(RiffleException e, int attempts) {
        return new PutFailure(e.code(), e.code().wireName(), String.valueOf(e.getMessage()), attempts);
    }

    /** This failure as the client's exception, as {@link RiffleClient#put} signals it. */
    public RiffleException toException() {
        return new RiffleException(code, wireName + ": " + message);
    }
}
