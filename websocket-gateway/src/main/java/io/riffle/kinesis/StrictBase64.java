package io.riffle.kinesis;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import java.util.Base64;

/**
 * Blobs in AWS JSON 1.1 as AWS reads them: canonical base64 only. The length is a multiple of 4, every
 * character is of the base64 alphabet, {@code =} appears only as one or two final pad characters, and the
 * bits a pad leaves unused are zero. So {@code eA==eA==}, {@code eAB=junk}, {@code eA}, {@code eB==} and
 * whitespace are SerializationExceptions, never stored as something else than was sent. Messages are AWS's
 * (their {@code dectected} included), quoting at most the start of the value.
 */
final class StrictBase64 {
    private static final int QUOTED_CHARS = 32;

    private StrictBase64() {
    }

    static byte[] decode(String text) {
        int n = text.length();
        if (n % 4 != 0) {
            throw invalid(text, "Base64 encoded length is expected a multiple of 4 bytes but found: " + n);
        }
        int pads = n > 0 && text.charAt(n - 1) == '=' ? (n > 1 && text.charAt(n - 2) == '=' ? 2 : 1) : 0;
        for (int i = 0; i < n - pads; i++) {
            if (value(text.charAt(i)) < 0) {
                throw invalid(text, "Invalid Base64 character: '" + text.charAt(i) + "'");
            }
        }
        if (pads > 0) {
            // "xx==" carries 8 bits in 12, "xxx=" 16 in 18: the rest must be zero, or two texts mean one blob.
            int last = value(text.charAt(n - pads - 1));
            if ((last & (pads == 2 ? 0x0F : 0x03)) != 0) {
                throw invalid(text, "Invalid last non-pad Base64 character dectected");
            }
        }
        return Base64.getDecoder().decode(text);
    }

    private static int value(char c) {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a' + 26;
        }
        if (c >= '0' && c <= '9') {
            return c - '0' + 52;
        }
        return c == '+' ? 62 : c == '/' ? 63 : -1;
    }

    private static RiffleException invalid(String text, String why) {
        String quoted = text.length() <= QUOTED_CHARS ? text : text.substring(0, QUOTED_CHARS) + "...";
        return new RiffleException(ErrorCode.SERIALIZATION, "'" + quoted + "' can not be converted to a Blob: " + why);
    }
}
