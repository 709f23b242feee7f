package io.riffle.client;

/** The outcome of one record of a put: {@link PutResult} when stored, {@link PutFailure} when not. */
public sealed interface PutRecordResult permits PutResult, PutFailure {
    /** Whether the node stored the record. */
    default boolean succeeded() {
        return this instanceof PutResult;
    }
}
