package io.riffle.security;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * SigV4's canonical request: method, the path encoded once more than on the wire (as every service but S3
 * signs it), the sorted and re-encoded query, the signed headers with trimmed values, the signed header
 * names and the payload hash, one per line.
 */
final class CanonicalRequest {
    private CanonicalRequest() {
    }

    static String of(SignedRequest r, Map<String, String> query, boolean presigned, List<String> signedHeaders,
                                   String payloadHash) {
        StringBuilder c = new StringBuilder();
        c.append(r.method()).append('\n');
        String path = r.rawPath() == null || r.rawPath().isEmpty() ? "/" : r.rawPath();
        // Non-S3 services sign the path encoded twice: the wire form, encoded once more.
        c.append(encode(path, false)).append('\n');
        TreeMap<String, String> sorted = new TreeMap<>();
        query.forEach((k, v) -> {
            if (!(presigned && k.equals("X-Amz-Signature"))) {
                sorted.put(encode(k, true), encode(v, true));
            }
        });
        StringBuilder q = new StringBuilder();
        sorted.forEach((k, v) -> q.append(q.length() == 0 ? "" : "&").append(k).append('=').append(v));
        c.append(q).append('\n');
        for (String h : signedHeaders) {
            List<String> values = r.headers().get(h);
            String value;
            if ((values == null || values.isEmpty()) && h.equals("host")) {
                value = r.authority();
            } else {
                value = values == null ? "" : String.join(",", values.stream().map(v -> v.trim().replaceAll(" +", " ")).toList());
            }
            c.append(h).append(':').append(value).append('\n');
        }
        c.append('\n').append(String.join(";", signedHeaders)).append('\n').append(payloadHash);
        return c.toString();
    }

    /** Query parameters, percent-decoded (a '+' stays a '+', as SigV4 clients encode a space as %20). */
    static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            out.put(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
        }
        return out;
    }

    private static String decode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length() && isHex(s.charAt(i + 1)) && isHex(s.charAt(i + 2))) {
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0;
    }

    /** RFC 3986 encoding as SigV4 defines it: unreserved characters stay, '/' too unless {@code slash}. */
    static String encode(String s, boolean slash) {
        StringBuilder b = new StringBuilder();
        for (byte x : utf8(s)) {
            char c = (char) (x & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                    || c == '.' || c == '~' || (c == '/' && !slash)) {
                b.append(c);
            } else {
                b.append('%').append(String.format("%02X", x & 0xff));
            }
        }
        return b.toString();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
