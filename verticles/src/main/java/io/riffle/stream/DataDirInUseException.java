package io.riffle.stream;

/** Another node holds the data directory's lock; the message names the directory (and the holder's pid). */
public final class DataDirInUseException extends RuntimeException {
    public DataDirInUseException(String message) {
        super(message);
    }
}
