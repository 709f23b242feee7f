package io.riffle.security;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies AWS Signature Version 4 ({@code AWS4-HMAC-SHA256}) in both forms: the {@code Authorization} header
 * and the presigned query ({@code X-Amz-Algorithm}, {@code X-Amz-Credential}, {@code X-Amz-Date},
 * {@code X-Amz-Expires}, {@code X-Amz-SignedHeaders}, {@code X-Amz-Signature}). The credential scope must be
 * this node's region and service. The payload hash is {@code x-amz-content-sha256} when the client sent it
 * ({@code UNSIGNED-PAYLOAD}, or a hex SHA-256 that must match the body), else the body's SHA-256 or, as
 * presigned URLs and some SDK paths sign, {@code UNSIGNED-PAYLOAD}. Errors carry AWS's types and wording.
 * Thread-safe; the clock is injected so tests can skew it.
 */
public final class SigV4Verifier {
    public static final String ALGORITHM = "AWS4-HMAC-SHA256";
    public static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
    private static final Duration SKEW = Duration.ofMinutes(5);
    private static final long MAX_EXPIRES_SECONDS = 604_800;
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final CredentialStore credentials;
    private final String region;
    private final String service;
    private final Clock clock;

    public SigV4Verifier(CredentialStore credentials, String region, String service, Clock clock) {
        this.credentials = credentials;
        this.region = region;
        this.service = service;
        this.clock = clock;
    }

    /** Whether the request carries SigV4 in either form (else the caller looks for other credentials). */
    public static boolean isSigned(SignedRequest r) {
        return r.header("authorization").map(a -> a.startsWith(ALGORITHM)).orElse(false)
                || CanonicalRequest.query(r.rawQuery()).containsKey("X-Amz-Signature")
                || CanonicalRequest.query(r.rawQuery()).containsKey("X-Amz-Credential");
    }

    /**
     * The principal that signed {@code r}.
     *
     * @throws RiffleException IncompleteSignatureException, InvalidSignatureException or UnrecognizedClientException
     */
    public Principal verify(SignedRequest r) {
        Map<String, String> query = CanonicalRequest.query(r.rawQuery());
        boolean presigned = !r.header("authorization").map(a -> a.startsWith(ALGORITHM)).orElse(false);
        Parts parts = presigned ? fromQuery(query) : fromHeader(r);
        String[] scope = parts.credential().split("/", -1);
        if (scope.length != 5 || !scope[4].equals("aws4_request")) {
            throw new RiffleException(ErrorCode.INCOMPLETE_SIGNATURE, "Credential should be scoped to a valid region. "
                    + "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '"
                    + parts.credential() + "'");
        }
        Instant date = requestTime(r, parts, presigned);
        String day = AMZ_DATE.format(date).substring(0, 8);
        if (!scope[1].equals(day)) {
            throw new RiffleException(ErrorCode.INVALID_SIGNATURE, "Date in Credential scope does not match YYYYMMDD from "
                    + "ISO-8601 version of date from HTTP: '" + scope[1] + "' != '" + day + "', from '" + AMZ_DATE.format(date) + "'.");
        }
        if (!scope[2].equals(region)) {
            throw new RiffleException(ErrorCode.INVALID_SIGNATURE, "Credential should be scoped to a valid region, not '"
                    + scope[2] + "'. This node's region is '" + region + "'.");
        }
        if (!scope[3].equals(service)) {
            throw new RiffleException(ErrorCode.INVALID_SIGNATURE, "Credential should be scoped to correct service: '"
                    + service + "'. ");
        }
        checkTime(date, presigned ? parts.expiresSeconds() : 0);
        CredentialStore.AccessKey key = credentials.accessKey(scope[0]).orElseThrow(() -> new RiffleException(
                ErrorCode.UNRECOGNIZED_CLIENT, "The security token included in the request is invalid."));
        if (!parts.signedHeaders().contains("host")) {
            throw new RiffleException(ErrorCode.INCOMPLETE_SIGNATURE,
                    "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
        }
        byte[] signingKey = signingKey(key.secret(), scope[1]);
        String credentialScope = scope[1] + "/" + scope[2] + "/" + scope[3] + "/aws4_request";
        for (String payloadHash : payloadHashes(r, presigned)) {
            String canonical = CanonicalRequest.of(r, query, presigned, parts.signedHeaders(), payloadHash);
            String toSign = ALGORITHM + "\n" + AMZ_DATE.format(date) + "\n" + credentialScope + "\n" + hex(sha256(utf8(canonical)));
            String expected = hex(hmac(signingKey, toSign));
            if (MessageDigest.isEqual(utf8(expected), utf8(parts.signature().toLowerCase(Locale.ROOT)))) {
                return key.principal();
            }
        }
        throw new RiffleException(ErrorCode.INVALID_SIGNATURE, "The request signature we calculated does not match the "
                + "signature you provided. Check your AWS Secret Access Key and signing method. Consult the service "
                + "documentation for details.");
    }

    /** The parts of a signature, from the header or the query. */
    private record Parts(String credential, List<String> signedHeaders, String signature, Optional<String> date,
                         long expiresSeconds) {
    }

    private static Parts fromHeader(SignedRequest r) {
        String auth = r.header("authorization").orElseThrow();
        Map<String, String> kv = new LinkedHashMap<>();
        for (String part : auth.substring(ALGORITHM.length()).split(",")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                kv.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
            }
        }
        StringBuilder missing = new StringBuilder();
        for (String need : List.of("Credential", "Signature", "SignedHeaders")) {
            if (!kv.containsKey(need) || kv.get(need).isEmpty()) {
                missing.append("Authorization header requires '").append(need).append("' parameter. ");
            }
        }
        Optional<String> date = r.header("x-amz-date").or(() -> r.header("date"));
        if (date.isEmpty()) {
            missing.append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ");
        }
        if (missing.length() > 0) {
            throw new RiffleException(ErrorCode.INCOMPLETE_SIGNATURE, missing + "Authorization=" + ALGORITHM);
        }
        return new Parts(kv.get("Credential"), List.of(kv.get("SignedHeaders").split(";")), kv.get("Signature"), date, 0);
    }

    private static Parts fromQuery(Map<String, String> q) {
        StringBuilder missing = new StringBuilder();
        for (String need : List.of("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date")) {
            if (q.getOrDefault(need, "").isEmpty()) {
                missing.append("AWS query-string parameters must include '").append(need).append("'. ");
            }
        }
        if (missing.length() > 0) {
            throw new RiffleException(ErrorCode.INCOMPLETE_SIGNATURE, missing + "Re-examine the query-string parameters.");
        }
        if (!q.get("X-Amz-Algorithm").equals(ALGORITHM)) {
            throw new RiffleException(ErrorCode.INCOMPLETE_SIGNATURE, "Unsupported AWS 'algorithm': '" + q.get("X-Amz-Algorithm") + "'");
        }
        long expires = 900;
        if (q.containsKey("X-Amz-Expires")) {
            try {
                expires = Long.parseLong(q.get("X-Amz-Expires"));
            } catch (NumberFormatException e) {
                expires = -1;
            }
            if (expires < 1 || expires > MAX_EXPIRES_SECONDS) {
                throw new RiffleException(ErrorCode.INCOMPLETE_SIGNATURE,
                        "X-Amz-Expires must be an integer from 1 to " + MAX_EXPIRES_SECONDS + ", not '" + q.get("X-Amz-Expires") + "'");
            }
        }
        return new Parts(q.get("X-Amz-Credential"), List.of(q.get("X-Amz-SignedHeaders").split(";")), q.get("X-Amz-Signature"),
                Optional.of(q.get("X-Amz-Date")), expires);
    }

    private static Instant requestTime(SignedRequest r, Parts parts, boolean presigned) {
        String text = parts.date().orElseThrow();
        try {
            return LocalDateTime.parse(text, DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException basic) {
            if (!presigned && r.header("x-amz-date").isEmpty()) {
                try {
                    return ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                } catch (DateTimeParseException ignored) {
                    // reported below
                }
            }
            throw new RiffleException(ErrorCode.INCOMPLETE_SIGNATURE, "Date must be in ISO-8601 'basic format'. Got '"
                    + text + "'. See http://en.wikipedia.org/wiki/ISO_8601");
        }
    }

    /** AWS allows 5 minutes of skew either way; a presigned URL also lasts X-Amz-Expires seconds. */
    private void checkTime(Instant date, long expiresSeconds) {
        Instant now = clock.instant();
        Instant earliest = now.minus(SKEW).minusSeconds(expiresSeconds);
        if (date.isBefore(earliest)) {
            throw new RiffleException(ErrorCode.INVALID_SIGNATURE, "Signature expired: " + AMZ_DATE.format(date)
                    + " is now earlier than " + AMZ_DATE.format(earliest) + " (" + AMZ_DATE.format(now) + " - 5 min.)");
        }
        Instant latest = now.plus(SKEW);
        if (date.isAfter(latest)) {
            throw new RiffleException(ErrorCode.INVALID_SIGNATURE, "Signature not yet current: " + AMZ_DATE.format(date)
                    + " is still later than " + AMZ_DATE.format(latest) + " (" + AMZ_DATE.format(now) + " + 5 min.)");
        }
    }

    /** The payload hashes a valid signature may have used, most likely first. */
    private static List<String> payloadHashes(SignedRequest r, boolean presigned) {
        Optional<String> declared = r.header("x-amz-content-sha256");
        if (declared.isPresent()) {
            String d = declared.get();
            if (!d.equals(UNSIGNED_PAYLOAD) && r.body().isPresent() && !d.equalsIgnoreCase(hex(sha256(r.body().get())))) {
                throw new RiffleException(ErrorCode.INVALID_SIGNATURE,
                        "The provided 'x-amz-content-sha256' header does not match what was computed.");
            }
            return List.of(d);
        }
        List<String> hashes = new ArrayList<>();
        hashes.add(hex(sha256(r.body().orElse(new byte[0]))));
        hashes.add(UNSIGNED_PAYLOAD);
        if (presigned) {
            java.util.Collections.reverse(hashes);
        }
        return hashes;
    }

    private byte[] signingKey(String secret, String day) {
        byte[] k = hmac(utf8("AWS4" + secret), day);
        return hmac(hmac(hmac(k, region), service), "aws4_request");
    }

    static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(utf8(data));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
