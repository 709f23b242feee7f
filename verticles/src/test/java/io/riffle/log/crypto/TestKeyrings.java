package io.riffle.log.crypto;

import java.util.Arrays;
import java.util.Base64;

/** A keyring file's text for tests: one key {@link #ARN}, alias {@code alias/orders}, enabled or not. */
public final class TestKeyrings {
    public static final String ARN = "arn:aws:kms:us-east-1:000000000000:key/5e1e0000-0000-0000-0000-00000000000a";

    private TestKeyrings() {
    }

    public static String json(boolean enabled) {
        byte[] material = new byte[32];
        Arrays.fill(material, (byte) 42);
        return "{\"keys\":[{\"keyId\":\"" + ARN + "\",\"aliases\":[\"alias/orders\"],\"material\":\""
                + Base64.getEncoder().encodeToString(material) + "\",\"enabled\":" + enabled + "}]}";
    }
}
