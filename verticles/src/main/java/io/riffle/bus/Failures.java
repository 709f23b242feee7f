package io.riffle.bus;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries {@link RiffleException}s across the event bus: a handler fails a request with the error code's
 * {@link ErrorCode#failureCode()}, and the requester turns the {@link ReplyException} back into the same
 * RiffleException. The only place that knows this mapping.
 */
public final class Failures {
    private static final Logger LOG = LoggerFactory.getLogger(Failures.class);
    private Failures() {
    }

    /**
     * Fails a request with the RiffleException {@code t}, or passes on the failure of a request this handler
     * made in turn (its text follows these rules already). Anything else is unexpected (an I/O error, a
     * bug) and its message may name files or classes: it is logged here with the address, and the
     * requester gets an internal failure without its text.
     */
    public static void fail(Message<?> message, Throwable t) {
        if (t instanceof RiffleException || t instanceof ReplyException) {
            RiffleException e = toRiffle(t, "A shard");
            message.fail(e.code().failureCode(), e.getMessage());
            return;
        }
        LOG.error("Request to {} failed", message.address(), t);
        message.fail(ErrorCode.INTERNAL_FAILURE.failureCode(), "Internal failure; the node's log has the details");
    }

    /** Turns an event bus failure into a RiffleException; {@code what} names the target for messages. */
    public static RiffleException toRiffle(Throwable t, String what) {
        if (t instanceof ReplyException re) {
            if (re.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
                return new RiffleException(ErrorCode.fromFailureCode(re.failureCode()), re.getMessage());
            }
            if (re.failureType() == ReplyFailure.NO_HANDLERS) {
                // Nobody serves it now (a catalog leader being elected, a node starting): worth a retry.
                return new RiffleException(ErrorCode.SERVICE_UNAVAILABLE, what + " is not running on any node now; retry");
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
