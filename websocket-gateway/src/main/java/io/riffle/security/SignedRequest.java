package io.riffle.security;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What SigV4 signs, as the request arrived: method, the path and query exactly as sent (still
 * percent-encoded), headers by lower-case name (each with all its values, in order), the authority (HTTP/2's
 * {@code :authority}, which stands for {@code host}) and the body, if the caller read it.
 */
public record SignedRequest(String method, String rawPath, String rawQuery, Map<String, List<String>> headers,
                            String authority, Optional<byte[]> body) {
    public SignedRequest {
        headers = Map.copyOf(headers);
        rawQuery = rawQuery == null ? "" : rawQuery;
    }

    /** The first value of a header (name in lower case). */
    public Optional<String> header(String lowerName) {
        List<String> v = headers.get(lowerName);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
    }
}
