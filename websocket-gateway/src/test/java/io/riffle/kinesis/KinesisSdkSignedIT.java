package io.riffle.kinesis;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.KinesisException;

/**
 * The AWS SDK for Java v2 scenario, every operation, against a node with {@code auth: sigv4}: the clients sign
 * every request (CBOR, the SDK's default) as a principal allowed everything.
 */
class KinesisSdkSignedIT extends KinesisSdkScenario {
    @Override
    boolean cbor() {
        return true;
    }

    @Override
    boolean signed() {
        return true;
    }

    @Test
    void aKeyTheNodeDoesNotKnowIsRefused() {
        try (KinesisClient stranger = KinesisClient.builder().endpointOverride(node.endpoint()).region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDRIFFLETEST", "x")))
                .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(1))).build()) {
            assertThatThrownBy(() -> stranger.listStreams()).isInstanceOf(KinesisException.class)
                    .hasMessageContaining("The security token included in the request is invalid.");
        }
    }
}
