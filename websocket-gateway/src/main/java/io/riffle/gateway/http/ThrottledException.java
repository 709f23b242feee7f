package io.riffle.gateway.http;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;

/** A PROVISIONED_THROUGHPUT_EXCEEDED failure that knows when the shard expects room again. */
final class ThrottledException extends RiffleException {
    private final long retryAfterMillis;

    ThrottledException(String message, long retryAfterMillis) {
        super(ErrorCode.PROVISIONED_THROUGHPUT_EXCEEDED, message);
        this.retryAfterMillis = retryAfterMillis;
    }

    /** Whole seconds for a Retry-After header: rounded up, at least 1. */
    long retryAfterSeconds() {
        return Math.max(1, (retryAfterMillis + 999) / 1000);
    }
}
