package io.riffle.log;

import io.riffle.log.crypto.KmsException;
import java.io.IOException;

/**
 * An append to an encrypted shard, or a read of a sealed segment, that needs a master key the keyring
 * does not hold or holds disabled. Nothing was written; the data stays on disk and reads again once the
 * key is back. {@link #errorType()} is the AWS error the APIs answer (KMSNotFoundException, ...).
 */
public final class KeyUnavailableException extends IOException {
    private final String errorType;

    KeyUnavailableException(KmsException cause) {
        super(cause.getMessage(), cause);
        this.errorType = cause.errorType();
    }

    public String errorType() {
        return errorType;
    }
}
