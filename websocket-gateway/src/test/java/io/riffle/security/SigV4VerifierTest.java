package io.riffle.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.testing.MutableClock;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Requests signed by the AWS SDK's own SigV4 signer, header and presigned forms, checked by the verifier
 * with an injected clock: accepted when right, and AWS's error for each way they go wrong.
 */
class SigV4VerifierTest {
    private static final long T0 = Instant.parse("2026-03-01T12:00:00Z").toEpochMilli();
    private static final String BODY = "{\"StreamName\":\"orders\"}";
    private final MutableClock serverClock = new MutableClock(T0);
    private SigV4Verifier verifier;

    @BeforeEach
    void credentials(@TempDir Path dir) {
        CredentialStore store = new CredentialStore(Optional.of(SecurityFixtures.write(dir)), SecurityFixtures.ACCOUNT,
                Optional.empty());
        verifier = new SigV4Verifier(store, SecurityFixtures.REGION, "kinesis", serverClock);
    }

    /** Signs a Kinesis POST with the SDK's signer, at {@code T0} unless {@code props} says otherwise. */
    private static SignedRequest sdkSigned(String secret, String body, boolean presign, boolean signPayload,
                                           UnaryOperator<String> region) {
        SdkHttpRequest http = SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(URI.create("http://127.0.0.1:4567/"))
                .putHeader("Content-Type", "application/x-amz-json-1.1")
                .putHeader("X-Amz-Target", "Kinesis_20131202.DescribeStream").build();
        var signed = AwsV4HttpSigner.create().sign(r -> {
            r.identity(AwsCredentialsIdentity.create(SecurityFixtures.ADMIN_KEY, secret)).request(http)
                    .payload(ContentStreamProvider.fromUtf8String(BODY))
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "kinesis")
                    .putProperty(AwsV4HttpSigner.REGION_NAME, region.apply(SecurityFixtures.REGION))
                    .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, Clock.fixed(Instant.ofEpochMilli(T0), ZoneOffset.UTC))
                    .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, signPayload);
            if (presign) {
                r.putProperty(AwsV4HttpSigner.AUTH_LOCATION, AwsV4HttpSigner.AuthLocation.QUERY_STRING)
                        .putProperty(AwsV4HttpSigner.EXPIRATION_DURATION, Duration.ofMinutes(10));
            }
        });
        SdkHttpRequest req = signed.request();
        Map<String, List<String>> headers = new HashMap<>();
        req.headers().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), new ArrayList<>(v)));
        return new SignedRequest("POST", req.getUri().getRawPath(), req.getUri().getRawQuery(), headers, "127.0.0.1:4567",
                Optional.of(body.getBytes(StandardCharsets.UTF_8)));
    }

    private static SignedRequest signed(boolean presign) {
        return sdkSigned(SecurityFixtures.ADMIN_SECRET, BODY, presign, true, r -> r);
    }

    @Test
    void theSdksHeaderAndPresignedSignaturesVerify() {
        assertThat(verifier.verify(signed(false)).name()).isEqualTo("admin");
        assertThat(verifier.verify(signed(true)).name()).isEqualTo("admin");
        assertThat(verifier.verify(sdkSigned(SecurityFixtures.ADMIN_SECRET, BODY, false, false, r -> r)).name()).isEqualTo("admin");
        assertThat(SigV4Verifier.isSigned(signed(true))).isTrue();
    }

    @Test
    void aChangedBodyOrAWrongSecretDoesNotVerify() {
        SignedRequest tampered = sdkSigned(SecurityFixtures.ADMIN_SECRET, "{\"StreamName\":\"other\"}", false, true, r -> r);
        // The SDK's signer sends the payload hash it signed in x-amz-content-sha256: the body no longer has it.
        assertFails(tampered, ErrorCode.INVALID_SIGNATURE, "The provided 'x-amz-content-sha256' header does not match");
        Map<String, List<String>> headers = new HashMap<>(tampered.headers());
        headers.remove("x-amz-content-sha256");
        assertFails(new SignedRequest("POST", "/", "", headers, "127.0.0.1:4567", tampered.body()), ErrorCode.INVALID_SIGNATURE,
                "The request signature we calculated does not match");
        assertFails(sdkSigned("wrong", BODY, false, true, r -> r), ErrorCode.INVALID_SIGNATURE, "does not match");
        assertFails(sdkSigned("wrong", BODY, true, true, r -> r), ErrorCode.INVALID_SIGNATURE, "does not match");
    }

    @Test
    void moreThanFiveMinutesOfSkewEitherWayIsRefusedAsAwsWordsIt() {
        serverClock.advance(Duration.ofMinutes(4).toMillis());
        assertThat(verifier.verify(signed(false)).name()).isEqualTo("admin");
        serverClock.advance(Duration.ofMinutes(2).toMillis());
        assertFails(signed(false), ErrorCode.INVALID_SIGNATURE,
                "Signature expired: 20260301T120000Z is now earlier than 20260301T120100Z (20260301T120600Z - 5 min.)");
        serverClock.advance(-Duration.ofMinutes(12).toMillis());
        assertFails(signed(false), ErrorCode.INVALID_SIGNATURE,
                "Signature not yet current: 20260301T120000Z is still later than 20260301T115900Z (20260301T115400Z + 5 min.)");
    }

    @Test
    void aPresignedRequestLastsItsExpiryPlusTheAllowedSkew() {
        serverClock.advance(Duration.ofMinutes(14).toMillis());
        assertThat(verifier.verify(signed(true)).name()).isEqualTo("admin");
        serverClock.advance(Duration.ofMinutes(2).toMillis());
        assertFails(signed(true), ErrorCode.INVALID_SIGNATURE, "Signature expired");
    }

    @Test
    void anotherRegionAnUnknownKeyAndMissingPartsGetTheirErrors() {
        assertFails(sdkSigned(SecurityFixtures.ADMIN_SECRET, BODY, false, true, r -> "us-west-2"), ErrorCode.INVALID_SIGNATURE,
                "Credential should be scoped to a valid region, not 'us-west-2'");
        SignedRequest good = signed(false);
        Map<String, List<String>> headers = new HashMap<>(good.headers());
        headers.put("authorization", List.of(good.header("authorization").orElseThrow().replace(SecurityFixtures.ADMIN_KEY, "AKIDNOSUCHKEY")));
        assertFails(new SignedRequest("POST", "/", "", headers, "127.0.0.1:4567", good.body()), ErrorCode.UNRECOGNIZED_CLIENT,
                "The security token included in the request is invalid.");
        headers.put("authorization", List.of(SigV4Verifier.ALGORITHM + " Credential=" + SecurityFixtures.ADMIN_KEY));
        headers.remove("x-amz-date");
        assertFails(new SignedRequest("POST", "/", "", headers, "127.0.0.1:4567", good.body()), ErrorCode.INCOMPLETE_SIGNATURE,
                "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. "
                        + "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    }

    private void assertFails(SignedRequest r, ErrorCode code, String message) {
        assertThatThrownBy(() -> verifier.verify(r)).isInstanceOfSatisfying(RiffleException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).contains(message);
        });
    }
}
