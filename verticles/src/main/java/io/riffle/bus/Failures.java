package io.riffle.bus;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * Carries {@link RiffleException}s across the event bus: a handler fails a request with the error code's
 * {@link ErrorCode#failureCode()}, and the requester turns the {@link ReplyException} back into the same
 * RiffleException. The only place that knows this mapping.
 */
public final class Failures {
    private Failures() {
    }

    /** Fails a request with the RiffleException behind {@code t} (internal failure for anything else). */
    public static void fail(Message<?> message, Throwable t) {
        RiffleException e = RiffleException.of(t);
        message.fail(e.code().failureCode(), e.getMessage());
    }

    /** Turns an event bus failure into a RiffleException; {@code what} names the target for messages. */
    public static RiffleException toRiffle(Throwable t, String what) {
        if (t instanceof ReplyException re) {
            if (re.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
                return new RiffleException(ErrorCode.fromFailureCode(re.failureCode()), re.getMessage());
            }
            if (re.failureType() == ReplyFailure.NO_HANDLERS) {
                return new RiffleException(ErrorCode.RESOURCE_NOT_FOUND, what + " is not running on any node");
            }
            return new RiffleException(ErrorCode.SERVICE_UNAVAILABLE, what + " did not answer in time");
        }
        return RiffleException.of(t);
    }

    /** Whether the failure means nobody was listening at the address (a stale route). */
    public static boolean isNoHandlers(Throwable t) {
        return t instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS;
    }
}
