package io.riffle.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.ProtocolNegotiation;
import software.amazon.awssdk.http.SdkHttpConfigurationOption;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.utils.AttributeMap;

/**
 * SubscribeToShard through the SDK's async client over the {@link TlsFrontDoor}, negotiating h2 by ALPN and
 * assuming h2 without ALPN, with the generated self-signed certificate (trusted by the test client).
 */
class KinesisTlsIT {
    @TempDir
    Path dataDir;
    private KinesisTestNode node;
    private final StaticCredentialsProvider credentials =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDRIFFLETLS", "riffle-tls-secret"));

    @BeforeEach
    void start() {
        System.setProperty("aws.disableEc2Metadata", "true");
        node = KinesisTestNode.startTls(dataDir);
    }

    @AfterEach
    void stop() {
        node.close();
    }

    @ParameterizedTest
    @EnumSource(ProtocolNegotiation.class)
    void theAsyncClientSubscribesOverTls(ProtocolNegotiation negotiation) throws Exception {
        var trustAll = AttributeMap.builder().put(SdkHttpConfigurationOption.TRUST_ALL_CERTIFICATES, true).build();
        try (KinesisAsyncClient async = KinesisAsyncClient.builder().endpointOverride(node.endpoint()).region(Region.EU_WEST_1)
                .credentialsProvider(credentials)
                .httpClient(NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP2).protocolNegotiation(negotiation)
                        .buildWithDefaults(trustAll))
                .build()) {
            async.createStream(b -> b.streamName("tls").shardCount(1)).get();
            StreamWaits.active(async, "tls");
            String arn = "arn:aws:kinesis:eu-west-1:123456789012:stream/tls";
            String consumer = async.registerStreamConsumer(b -> b.streamARN(arn).consumerName("c")).get().consumer().consumerARN();
            SdkSubscription sub = SdkSubscription.open(async, consumer, "shardId-000000000000", ShardIteratorType.LATEST);
            async.putRecord(b -> b.streamName("tls").partitionKey("k").data(SdkBytes.fromUtf8String("secret"))).get();
            sub.awaitRecords(1);
            sub.cancel();
            assertThat(sub.received.get(0).data().asUtf8String()).isEqualTo("secret");
        }
        assertThat(node.requestsSeen).anyMatch(x -> x.startsWith("SubscribeToShard ") && x.endsWith("HTTP_2"));
    }

    @Test
    void theSyncClientSpeaksHttp1OverTls() {
        var trustAll = AttributeMap.builder().put(SdkHttpConfigurationOption.TRUST_ALL_CERTIFICATES, true).build();
        try (KinesisClient kinesis = KinesisClient.builder().endpointOverride(node.endpoint()).region(Region.EU_WEST_1)
                .credentialsProvider(credentials).httpClient(Apache5HttpClient.builder().buildWithDefaults(trustAll)).build()) {
            kinesis.createStream(b -> b.streamName("tls-sync").shardCount(1));
            assertThat(kinesis.listStreams().streamNames()).contains("tls-sync");
        }
        assertThat(node.requestsSeen).anyMatch(x -> x.startsWith("ListStreams ") && x.endsWith("HTTP_1_1"));
    }

    @Test
    void theSelfSignedCertificateIsGeneratedOnceAndKept() throws Exception {
        Path cert = dataDir.resolve(TlsFrontDoor.SELF_SIGNED_DIR).resolve("cert.pem");
        String first = Files.readString(cert);
        assertThat(first).contains("BEGIN CERTIFICATE");
        assertThat(TlsFrontDoor.selfSigned(dataDir).getCertPath()).isEqualTo(cert.toString());
        assertThat(Files.readString(cert)).isEqualTo(first);
    }
}
