package io.riffle.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.security.Security;
import io.riffle.security.SecurityFixtures;
import io.riffle.security.SecurityOptions;
import io.riffle.testing.MutableClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkGlobalTime;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * Time and the presigned form against the Kinesis API: the node's verifier runs on a clock the test moves,
 * so a client whose clock is more than 5 minutes off is refused as AWS refuses it; a presigned URL made by the
 * SDK's signer works until it expires.
 */
class KinesisSignatureIT {
    @TempDir
    Path dataDir;
    @TempDir
    Path etc;
    private final MutableClock clock = new MutableClock(System.currentTimeMillis());
    private KinesisTestNode node;

    @BeforeEach
    void start() {
        // The SDK keeps the skew it learned from Date headers in one JVM-wide offset: start and leave it at 0.
        SdkGlobalTime.setGlobalTimeOffset(0);
        System.setProperty("aws.disableEc2Metadata", "true");
        node = KinesisTestNode.startSecured(dataDir, new Security(SecurityOptions.sigv4(SecurityFixtures.write(etc)),
                SecurityFixtures.REGION, SecurityFixtures.ACCOUNT, clock));
    }

    @AfterEach
    void stop() {
        SdkGlobalTime.setGlobalTimeOffset(0);
        node.close();
    }

    @Test
    void aClientMoreThanFiveMinutesOffIsRefusedWithSignatureExpired() {
        try (KinesisClient sdk = KinesisClient.builder().endpointOverride(node.endpoint()).region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(SecurityFixtures.ADMIN_KEY,
                        SecurityFixtures.ADMIN_SECRET)))
                .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(1))).build()) {
            clock.advance(Duration.ofMinutes(4).toMillis());
            sdk.listStreams();
            clock.advance(Duration.ofMinutes(3).toMillis());
            KinesisAuthIT.assertError(sdk::listStreams, "InvalidSignatureException", "Signature expired: ");
            // The SDK learned the node's time from the answer's Date; forget it to see the other direction.
            SdkGlobalTime.setGlobalTimeOffset(0);
            clock.advance(-Duration.ofMinutes(14).toMillis());
            KinesisAuthIT.assertError(sdk::listStreams, "InvalidSignatureException", "Signature not yet current: ");
        }
    }

    @Test
    void theSdkCorrectsItsSkewFromTheDateHeaderAndRetriesAsWithAws() {
        clock.advance(Duration.ofMinutes(20).toMillis());
        // A skewed client's first attempt is refused; the SDK reads the node's Date, corrects its offset, retries.
        try (KinesisClient sdk = KinesisClient.builder().endpointOverride(node.endpoint()).region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(SecurityFixtures.ADMIN_KEY,
                        SecurityFixtures.ADMIN_SECRET))).build()) {
            assertThat(sdk.listStreams().streamNames()).isEmpty();
        }
    }

    @Test
    void aPresignedRequestWorksUntilItExpires() throws Exception {
        String body = "{}";
        SdkHttpRequest http = SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(node.endpoint())
                .putHeader("Content-Type", "application/x-amz-json-1.1")
                .putHeader("X-Amz-Target", "Kinesis_20131202.ListStreams").build();
        SdkHttpRequest presigned = AwsV4HttpSigner.create().sign(r -> r
                .identity(AwsCredentialsIdentity.create(SecurityFixtures.READER_KEY, SecurityFixtures.READER_SECRET))
                .request(http).payload(ContentStreamProvider.fromUtf8String(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "kinesis")
                .putProperty(AwsV4HttpSigner.REGION_NAME, SecurityFixtures.REGION)
                .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, clock)
                .putProperty(AwsV4HttpSigner.AUTH_LOCATION, AwsV4HttpSigner.AuthLocation.QUERY_STRING)
                .putProperty(AwsV4HttpSigner.EXPIRATION_DURATION, Duration.ofMinutes(1))).request();
        URI url = presigned.getUri();
        assertThat(url.getRawQuery()).contains("X-Amz-Signature=").contains("X-Amz-Expires=60");
        HttpResponse<String> ok = send(url, body);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(ok.body()).contains("StreamNames");
        HttpResponse<String> forged = send(URI.create(url.toString().replaceAll("X-Amz-Signature=[0-9a-f]{4}",
                "X-Amz-Signature=0000")), body);
        assertThat(forged.statusCode()).isEqualTo(400);
        assertThat(forged.body()).contains("InvalidSignatureException");
        clock.advance(Duration.ofMinutes(7).toMillis());
        HttpResponse<String> late = send(url, body);
        assertThat(late.statusCode()).isEqualTo(400);
        assertThat(late.body()).contains("InvalidSignatureException").contains("Signature expired");
    }

    private static HttpResponse<String> send(URI url, String body) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        return client.send(HttpRequest.newBuilder(url).header("Content-Type", "application/x-amz-json-1.1")
                .header("X-Amz-Target", "Kinesis_20131202.ListStreams").POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
