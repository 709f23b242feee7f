package io.riffle.error;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Every failure Riffle reports, with its wire name (the Kinesis {@code __type}) and the HTTP status of
 * Riffle's native API. The Kinesis API answers every client error with 400 and internal ones with 500,
 * whatever {@link #httpStatus()} says; several codes share one wire name but differ in native status
 * (for example a record that is too large is a {@code ValidationException} with 413).
 */
public enum ErrorCode {
    VALIDATION("ValidationException", 400, 1000),
    INVALID_ARGUMENT("InvalidArgumentException", 400, 1001),
    SERIALIZATION("SerializationException", 400, 1002),
    PAYLOAD_TOO_LARGE("ValidationException", 413, 1003),
    RESOURCE_NOT_FOUND("ResourceNotFoundException", 404, 1004),
    RESOURCE_IN_USE("ResourceInUseException", 409, 1005),
    LIMIT_EXCEEDED("LimitExceededException", 400, 1006),
    PROVISIONED_THROUGHPUT_EXCEEDED("ProvisionedThroughputExceededException", 429, 1007),
    EXPIRED_ITERATOR("ExpiredIteratorException", 400, 1008),
    EXPIRED_NEXT_TOKEN("ExpiredNextTokenException", 400, 1009),
    UNKNOWN_OPERATION("UnknownOperationException", 400, 1010),
    ACCESS_DENIED("AccessDeniedException", 403, 1011),
    UNSUPPORTED_OPERATION("UnsupportedOperationException", 400, 1012),
    SERVICE_UNAVAILABLE("ServiceUnavailable", 503, 1013),
    INTERNAL_FAILURE("InternalFailure", 500, 1014),
    /** No credentials at all (no Authorization header, no presigned query, no bearer token). */
    MISSING_AUTHENTICATION_TOKEN("MissingAuthenticationTokenException", 401, 1015),
    /** A SigV4 Authorization header or presigned query that lacks a part (Credential, Signature, date ...). */
    INCOMPLETE_SIGNATURE("IncompleteSignatureException", 401, 1016),
    /** A signature that does not verify, or a request time more than 5 minutes off. */
    INVALID_SIGNATURE("InvalidSignatureException", 401, 1017),
    /** An access key id or bearer token no principal has. */
    UNRECOGNIZED_CLIENT("UnrecognizedClientException", 401, 1018),
    /** A native request body whose Content-Type is not JSON where JSON is required. */
    UNSUPPORTED_MEDIA_TYPE("UnsupportedMediaTypeException", 415, 1019),
    /** A request whose Host names no host this node answers for (DNS rebinding defense). */
    MISDIRECTED_REQUEST("MisdirectedRequestException", 421, 1020),
    /** The stream's KMS key is disabled in the keyring (StartStreamEncryption, puts and reads of its records). */
    KMS_DISABLED("KMSDisabledException", 400, 1021),
    /** The stream's KMS key is not in the keyring. */
    KMS_NOT_FOUND("KMSNotFoundException", 400, 1022),
    /** The principal may not use the stream's KMS key (kms:GenerateDataKey to put, kms:Decrypt to read). */
    KMS_ACCESS_DENIED("KMSAccessDeniedException", 403, 1023),
    /** The KMS key cannot be used in its state. */
    KMS_INVALID_STATE("KMSInvalidStateException", 400, 1024);

    private static final Map<Integer, ErrorCode> BY_FAILURE_CODE = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(ErrorCode::failureCode, c -> c));

    private final String wireName;
    private final int httpStatus;
    private final int failureCode;

    ErrorCode(String wireName, int httpStatus, int failureCode) {
        this.wireName = wireName;
        this.httpStatus = httpStatus;
        this.failureCode = failureCode;
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

    /**
     * The event bus failure code: fixed per constant (never derived from the declaration order), since it
     * crosses the wire between nodes of different versions. Above 1000, away from Vert.x's own codes. A new
     * constant takes a new number; a number is never reused.
     */
    public int failureCode() {
        return failureCode;
    }

    /** A problem with a stream's KMS key (KMSDisabledException and the like). */
    public boolean isKms() {
        return name().startsWith("KMS_");
    }

    /** The KMS* constant of an AWS KMS error name (as {@code io.riffle.log.crypto.KmsException} gives it), else INTERNAL_FAILURE. */
    public static ErrorCode ofKms(String wireName) {
        return Arrays.stream(values()).filter(c -> c.isKms() && c.wireName.equals(wireName))
                .findFirst().orElse(INTERNAL_FAILURE);
    }

    /** The inverse of {@link #failureCode()}; unknown codes (a newer node's, Vert.x's) map to {@link #INTERNAL_FAILURE}. */
    public static ErrorCode fromFailureCode(int code) {
        return BY_FAILURE_CODE.getOrDefault(code, INTERNAL_FAILURE);
    }
}
