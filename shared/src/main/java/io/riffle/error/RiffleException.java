package io.riffle.error;

/**
 * The one exception family of Riffle: an {@link ErrorCode} plus a message that names the stream, shard,
 * file or numbers involved. Messages are shown to clients, so they never carry payloads or secrets.
 */
public class RiffleException extends RuntimeException {
    private final ErrorCode code;

    public RiffleException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public RiffleException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    public static RiffleException validation(String message) {
        return new RiffleException(ErrorCode.VALIDATION, message);
    }

    public static RiffleException invalidArgument(String message) {
        return new RiffleException(ErrorCode.INVALID_ARGUMENT, message);
    }

    public static RiffleException notFound(String message) {
        return new RiffleException(ErrorCode.RESOURCE_NOT_FOUND, message);
    }

    public static RiffleException inUse(String message) {
        return new RiffleException(ErrorCode.RESOURCE_IN_USE, message);
    }

    /** Longest rendering of a value in a message; AWS too cuts long values short. */
    static final int MAX_VALUE_CHARS = 256;

    /**
     * A Kinesis-shaped constraint violation: {@code 1 validation error detected: Value 'x' at 'field'
     * failed to satisfy constraint: Member must ...}. A value longer than {@value #MAX_VALUE_CHARS} characters
     * is cut short, so an answer never echoes a large request back.
     */
    public static RiffleException constraint(String field, Object value, String constraint) {
        String shown = String.valueOf(value);
        if (shown.length() > MAX_VALUE_CHARS) {
            shown = shown.substring(0, MAX_VALUE_CHARS) + "...";
        }
        return validation("1 validation error detected: Value '" + shown + "' at '" + field
                + "' failed to satisfy constraint: Member must " + constraint);
    }

    /** Wraps any throwable as a RiffleException, keeping a RiffleException as it is. */
    public static RiffleException of(Throwable t) {
        if (t instanceof RiffleException r) {
            return r;
        }
        return new RiffleException(ErrorCode.INTERNAL_FAILURE, String.valueOf(t.getMessage()), t);
    }
}
