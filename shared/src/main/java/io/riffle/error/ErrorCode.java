package io.riffle.error;

/**
 * Every failure Riffle reports, with its wire name (the Kinesis {@code __type}) and the HTTP status of
 * Riffle's native API. The Kinesis API answers every client error with 400 and internal ones with 500,
 * whatever {@link #httpStatus()} says; several codes share one wire name but differ in native status
 * (for example a record that is too large is a {@code ValidationException} with 413).
 */
public enum ErrorCode {
    VALIDATION("ValidationException", 400),
    INVALID_ARGUMENT("InvalidArgumentException", 400),
    SERIALIZATION("SerializationException", 400),
    PAYLOAD_TOO_LARGE("ValidationException", 413),
    RESOURCE_NOT_FOUND("ResourceNotFoundException", 404),
    RESOURCE_IN_USE("ResourceInUseException", 409),
    LIMIT_EXCEEDED("LimitExceededException", 400),
    PROVISIONED_THROUGHPUT_EXCEEDED("ProvisionedThroughputExceededException", 429),
    EXPIRED_ITERATOR("ExpiredIteratorException", 400),
    EXPIRED_NEXT_TOKEN("ExpiredNextTokenException", 400),
    UNKNOWN_OPERATION("UnknownOperationException", 400),
    ACCESS_DENIED("AccessDeniedException", 403),
    UNSUPPORTED_OPERATION("UnsupportedOperationException", 400),
    SERVICE_UNAVAILABLE("ServiceUnavailable", 503),
    INTERNAL_FAILURE("InternalFailure", 500);

    private final String wireName;
    private final int httpStatus;

    ErrorCode(String wireName, int httpStatus) {
        this.wireName = wireName;
        this.httpStatus = httpStatus;
    }

    /** The Kinesis {@code __type} name, also the {@code code} of a native API error. */
    public String wireName() {
        return wireName;
    }

    /** The HTTP status of Riffle's native API for this error. */
    public int httpStatus() {
        return httpStatus;
    }

    /** Whether this is the client's fault (4xx) rather than the server's. */
    public boolean isClientError() {
        return httpStatus < 500;
    }

    /** Event bus failure codes: the ordinal shifted away from Vert.x's own negative codes. */
    public int failureCode() {
        return 1000 + ordinal();
    }

    /** The inverse of {@link #failureCode()}; unknown codes map to {@link #INTERNAL_FAILURE}. */
    public static ErrorCode fromFailureCode(int code) {
        int i = code - 1000;
        ErrorCode[] all = values();
        return i >= 0 && i < all.length ? all[i] : INTERNAL_FAILURE;
    }
}
