package io.riffle.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LimitsTest {
    @Test
    void aKeysBilledBytesAreItsUtf8BytesAsTheEncoderWritesThem() {
        List<String> keys = List.of("", "k", "é", "€uro", "\uD83D\uDE00", "a\uD83D\uDE00b", "\uD83D", "\uDE00x",
                "x\uD83D", "\uDE00\uD83D", "\u07FF\u0800\uFFFF", "\u0000\u007F\u0080");
        for (String k : keys) {
            assertThat(Limits.billedBytes(k, 5)).as(k).isEqualTo(k.getBytes(StandardCharsets.UTF_8).length + 5);
        }
        // Random UTF-16, lone surrogates included.
        Random random = new Random(7);
        for (int i = 0; i < 2_000; i++) {
            char[] chars = new char[random.nextInt(8)];
            for (int j = 0; j < chars.length; j++) {
                chars[j] = (char) random.nextInt(0x10000);
            }
            String k = new String(chars);
            assertThat(Limits.billedBytes(k, 0)).as("%s", k.chars().boxed().toList())
                    .isEqualTo(k.getBytes(StandardCharsets.UTF_8).length);
        }
    }
}
