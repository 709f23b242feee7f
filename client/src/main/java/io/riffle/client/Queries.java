package io.riffle.client;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** URL pieces of the native API, built in one place. */
final class Queries {
    private Queries() {
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Timestamps travel as epoch milliseconds. */
    static String timestamp(Instant t) {
        return Long.toString(t.toEpochMilli());
    }

    static String stream(String stream) {
        return "/v1/streams/" + encode(stream);
    }
}
