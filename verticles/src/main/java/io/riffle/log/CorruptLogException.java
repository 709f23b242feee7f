package io.riffle.log;

import java.io.IOException;

/**
 * A read reached a {@link DamagedRange}. The message names the offsets and what is wrong, never a file
 * path, so it can be shown to clients; logs carry the file and byte position.
 */
public final class CorruptLogException extends IOException {
    private final transient DamagedRange range;

    CorruptLogException(DamagedRange range) {
        super("records at offsets " + range.fromOffset() + ".." + range.toOffset() + " are damaged on disk ("
                + range.reason() + "); records from offset " + (range.toOffset() + 1) + " on are readable");
        this.range = range;
    }

    public DamagedRange range() {
        return range;
    }
}
