package io.riffle.error;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;
import org.junit.jupiter.api.Test;

class RiffleExceptionTest {
    @Test
    void aConstraintMessageCutsALongValueShort() {
        String message = RiffleException.constraint("records", Collections.nCopies(10_000, "record"),
                "have length less than or equal to 500").getMessage();
        assertThat(message).hasSizeLessThan(400).contains("...' at 'records'")
                .endsWith("Member must have length less than or equal to 500");
    }

    @Test
    void aConstraintMessageQuotesAShortValueWhole() {
        assertThat(RiffleException.constraint("shardCount", 0, "have value greater than or equal to 1").getMessage())
                .isEqualTo("1 validation error detected: Value '0' at 'shardCount' failed to satisfy constraint: "
                        + "Member must have value greater than or equal to 1");
    }
}
