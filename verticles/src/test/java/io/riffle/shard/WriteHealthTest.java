package io.riffle.shard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import org.junit.jupiter.api.Test;

/** The reason a failing shard gives in health answers: the OS error, never a file or an exception class. */
class WriteHealthTest {
    private static IOException asTheLogThrowsIt(IOException cause) {
        return new IOException("Append of 20 records (20480 bytes) at offset 40 to /data/streams/s/shards/0/"
                + "00000000000000000000.log failed in write, none of them was stored: " + cause, cause);
    }

    @Test
    void theReasonIsTheOperatingSystemsErrorText() {
        assertThat(WriteHealth.reasonOf(asTheLogThrowsIt(new IOException("No space left on device"))))
                .isEqualTo("No space left on device");
        assertThat(WriteHealth.reasonOf(asTheLogThrowsIt(new IOException("Input/output error"))))
                .isEqualTo("Input/output error");
    }

    @Test
    void aFileSystemErrorGivesItsReasonWithoutTheFile() {
        FileSystemException e = new FileSystemException("/data/streams/s/shards/0/x.log", null, "Read-only file system");
        assertThat(WriteHealth.reasonOf(e)).isEqualTo("Read-only file system");
        assertThat(WriteHealth.reasonOf(new AccessDeniedException("/data/x"))).isEqualTo("I/O error");
    }

    @Test
    void aMessageThatNamesAFileIsReplacedByAGenericReason() {
        assertThat(WriteHealth.reasonOf(new IOException("Shard log /data/streams/s/shards/0 is closed")))
                .isEqualTo("I/O error");
        assertThat(WriteHealth.reasonOf(new IOException("cannot open C:\\data\\x.log"))).isEqualTo("I/O error");
        assertThat(WriteHealth.reasonOf(new IOException())).isEqualTo("I/O error");
    }
}
