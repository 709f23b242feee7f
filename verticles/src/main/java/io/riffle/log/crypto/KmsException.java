package io.riffle.log.crypto;

/** A master-key problem, named by the AWS error type the APIs answer with (e.g. KMSDisabledException). */
public final class KmsException extends Exception {
    private final String errorType;

    public KmsException(String errorType, String message) {
        super(message);
        this.errorType = errorType;
    }

    public String errorType() {
        return errorType;
    }
}
