package io.riffle.kinesis;

import io.riffle.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.riffle.throttle.ThroughputLimits;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.eventstream.Message;
import software.amazon.awssdk.eventstream.MessageDecoder;

/**
 * SubscribeToShard as bytes over chunked HTTP/1.1 (what boto3 would speak), decoded by the AWS SDK's own
 * event stream decoder, which checks both CRCs of every message.
 */
class SubscribeToShardIT {
    private static final String STREAM_ARN = "arn:aws:kinesis:eu-west-1:123456789012:stream/sub";
    @TempDir
    Path dataDir;
    private KinesisTestNode node;
    private RawKinesis kinesis;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private String startWithConsumer(ThroughputLimits limits) {
        return startWithConsumer(limits, Clock.systemUTC());
    }

    private String startWithConsumer(ThroughputLimits limits, Clock clock) {
        node = KinesisTestNode.start(dataDir, limits, clock);
        kinesis = new RawKinesis(node.endpoint());
        assertThat(kinesis.json("CreateStream", "{\"StreamName\":\"sub\",\"ShardCount\":1}").status()).isEqualTo(200);
        kinesis.awaitActive("sub");
        return kinesis.json("RegisterStreamConsumer", "{\"StreamARN\":\"" + STREAM_ARN + "\",\"ConsumerName\":\"c\"}")
                .body().path("Consumer").path("ConsumerARN").asText();
    }

    @AfterEach
    void stop() {
        node.close();
    }

    /** An open subscription: its HTTP answer and the messages decoded so far (null marks the end of the body). */
    record Subscribed(HttpResponse<InputStream> response, BlockingQueue<Message> messages) {
        Message next() throws InterruptedException {
            Message m = messages.poll(15, TimeUnit.SECONDS);
            assertThat(m).as("a message within 15 s").isNotNull();
            return m;
        }
    }

    private static final Message END = new Message(java.util.Map.of(), new byte[0]);

    private Subscribed subscribe(String consumerArn, String type) throws Exception {
        return subscribeAt(consumerArn, "{\"Type\":\"" + type + "\"}");
    }

    private Subscribed subscribeAt(String consumerArn, String startingPosition) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(node.endpoint() + "/"))
                .header("Content-Type", "application/x-amz-json-1.1")
                .header("X-Amz-Target", "Kinesis_20131202.SubscribeToShard")
                .POST(HttpRequest.BodyPublishers.ofString("{\"ConsumerARN\":\"" + consumerArn
                        + "\",\"ShardId\":\"shardId-000000000000\",\"StartingPosition\":" + startingPosition + "}"))
                .build();
        HttpResponse<InputStream> response = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            MessageDecoder decoder = new MessageDecoder(messages::add);
            byte[] buf = new byte[8192];
            try (InputStream in = response.body()) {
                for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                    decoder.feed(buf, 0, n);
                }
            } catch (Exception e) {
                // The connection closed under us; END below tells the test.
            }
            messages.add(END);
        }, "subscription-reader");
        reader.setDaemon(true);
        reader.start();
        return new Subscribed(response, messages);
    }

    private static String header(Message m, String name) {
        return m.getHeaders().get(name).getString();
    }

    private static JsonNode payload(Message m) throws Exception {
        return RawKinesis.JSON.readTree(m.getPayload());
    }

    @Test
    void overChunkedHttp1TheInitialResponseComesFirstAndAnIdleSubscriptionGetsHeartbeatEvents() throws Exception {
        String consumer = startWithConsumer(ThroughputLimits.OFF);
        Subscribed s = subscribe(consumer, "LATEST");
        assertThat(s.response().statusCode()).isEqualTo(200);
        assertThat(s.response().headers().firstValue("Content-Type")).hasValue("application/vnd.amazon.eventstream");
        assertThat(s.response().headers().firstValue("Transfer-Encoding")).hasValue("chunked");
        assertThat(s.response().headers().firstValue("x-amzn-RequestId")).isPresent();
        Message first = s.next();
        assertThat(header(first, ":message-type")).isEqualTo("event");
        assertThat(header(first, ":event-type")).isEqualTo("initial-response");
        Message heartbeat = s.next();
        assertThat(header(heartbeat, ":event-type")).isEqualTo("SubscribeToShardEvent");
        JsonNode body = payload(heartbeat);
        assertThat(body.path("Records")).isEmpty();
        assertThat(body.path("ContinuationSequenceNumber").asText()).matches("\\d+");
        assertThat(body.path("MillisBehindLatest").asLong()).isZero();
    }

    @Test
    void aSecondSubscriptionOfTheSameConsumerAndShardTakesOverTheFirst() throws Exception {
        String consumer = startWithConsumer(ThroughputLimits.OFF);
        Subscribed first = subscribe(consumer, "LATEST");
        assertThat(header(first.next(), ":event-type")).isEqualTo("initial-response");
        Subscribed second = subscribe(consumer, "LATEST");
        assertThat(header(second.next(), ":event-type")).isEqualTo("initial-response");
        Message ended = first.next();
        assertThat(header(ended, ":message-type")).isEqualTo("exception");
        assertThat(header(ended, ":exception-type")).isEqualTo("ResourceInUseException");
        assertThat(first.next()).isSameAs(END);
        kinesis.json("PutRecord", "{\"StreamName\":\"sub\",\"PartitionKey\":\"k\",\"Data\":\"AQI=\"}");
        JsonNode event = payload(second.next());
        assertThat(event.path("Records")).hasSize(1);
        assertThat(event.path("Records").get(0).path("Data").asText()).isEqualTo("AQI=");
    }

    @Test
    void aSubscriptionStallsWhenItsByteBudgetIsSpentAndGoesOnAsTimePasses() throws Exception {
        // Time is frozen, so the 1000 B/s bucket only refills when the test moves the clock.
        MutableClock clock = new MutableClock(System.currentTimeMillis());
        String consumer = startWithConsumer(new ThroughputLimits(0, 0, 0, 0, 1000), clock);
        String data = Base64.getEncoder().encodeToString(new byte[400]);
        StringBuilder records = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            records.append(i == 0 ? "" : ",").append("{\"PartitionKey\":\"k\",\"Data\":\"").append(data).append("\"}");
        }
        assertThat(kinesis.json("PutRecords", "{\"StreamName\":\"sub\",\"Records\":[" + records + "]}")
                .body().path("FailedRecordCount").asInt()).isZero();
        Subscribed s = subscribe(consumer, "TRIM_HORIZON");
        assertThat(header(s.next(), ":event-type")).isEqualTo("initial-response");
        int beforeTimeMoves = receiveUntilQuiet(s);
        assertThat(beforeTimeMoves).isBetween(1, 9);
        int received = beforeTimeMoves;
        for (int i = 0; i < 20 && received < 10; i++) {
            clock.advance(1000);
            received += receiveUntilQuiet(s);
        }
        assertThat(received).isEqualTo(10);
    }

    /** Records received until no message came for 3 s. */
    private static int receiveUntilQuiet(Subscribed s) throws Exception {
        int n = 0;
        for (Message m = s.messages().poll(3, TimeUnit.SECONDS); m != null && m != END; m = s.messages().poll(3, TimeUnit.SECONDS)) {
            n += payload(m).path("Records").size();
        }
        return n;
    }

    @Test
    void resumingAfterTheContinuationOfAnEmptyShardMissesNoRecord() throws Exception {
        String consumer = startWithConsumer(ThroughputLimits.OFF);
        Subscribed first = subscribe(consumer, "LATEST");
        assertThat(header(first.next(), ":event-type")).isEqualTo("initial-response");
        String continuation = payload(first.next()).path("ContinuationSequenceNumber").asText();
        assertThat(continuation).matches("\\d+");
        first.response().body().close();

        Subscribed resumed = subscribeAt(consumer, "{\"Type\":\"AFTER_SEQUENCE_NUMBER\",\"SequenceNumber\":\"" + continuation + "\"}");
        assertThat(header(resumed.next(), ":event-type")).isEqualTo("initial-response");
        String seq = kinesis.json("PutRecord", "{\"StreamName\":\"sub\",\"PartitionKey\":\"k\",\"Data\":\"AQI=\"}")
                .body().path("SequenceNumber").asText();
        JsonNode event = payload(resumed.next());
        while (event.path("Records").isEmpty()) {
            event = payload(resumed.next());
        }
        assertThat(event.path("Records").get(0).path("SequenceNumber").asText()).isEqualTo(seq);
        assertThat(new java.math.BigInteger(continuation)).isLessThan(new java.math.BigInteger(seq));

        String iterator = kinesis.json("GetShardIterator", "{\"StreamName\":\"sub\",\"ShardId\":\"shardId-000000000000\","
                + "\"ShardIteratorType\":\"AFTER_SEQUENCE_NUMBER\",\"StartingSequenceNumber\":\"" + continuation + "\"}")
                .body().path("ShardIterator").asText();
        assertThat(kinesis.json("GetRecords", "{\"ShardIterator\":\"" + iterator + "\"}").body().path("Records"))
                .hasSize(1);
    }

    @Test
    void deregisteringTheConsumerOrDeletingTheStreamEndsItsSubscriptions() throws Exception {
        String consumer = startWithConsumer(ThroughputLimits.OFF);
        Subscribed s = subscribe(consumer, "LATEST");
        assertThat(header(s.next(), ":event-type")).isEqualTo("initial-response");
        assertThat(kinesis.json("DeregisterStreamConsumer", "{\"ConsumerARN\":\"" + consumer + "\"}").status()).isEqualTo(200);
        assertThat(endOf(s)).isEqualTo("ResourceNotFoundException");

        String again = kinesis.json("RegisterStreamConsumer", "{\"StreamARN\":\"" + STREAM_ARN + "\",\"ConsumerName\":\"d\"}")
                .body().path("Consumer").path("ConsumerARN").asText();
        Subscribed t = subscribe(again, "LATEST");
        assertThat(header(t.next(), ":event-type")).isEqualTo("initial-response");
        assertThat(kinesis.json("DeleteStream", "{\"StreamName\":\"sub\",\"EnforceConsumerDeletion\":true}").status()).isEqualTo(200);
        assertThat(endOf(t)).isEqualTo("ResourceNotFoundException");
        node.awaitSubscriptionsReleased();
    }

    /** Skips events to the exception that ends a subscription, checks the body ends there, returns its type. */
    private static String endOf(Subscribed s) throws Exception {
        Message m = s.next();
        while (header(m, ":message-type").equals("event")) {
            m = s.next();
        }
        assertThat(header(m, ":message-type")).isEqualTo("exception");
        assertThat(s.next()).isSameAs(END);
        return header(m, ":exception-type");
    }

    @Test
    void aSubscriptionEndsAfterFiveMinutes() throws Exception {
        MutableClock clock = new MutableClock(System.currentTimeMillis());
        String consumer = startWithConsumer(ThroughputLimits.OFF, clock);
        Subscribed s = subscribe(consumer, "LATEST");
        assertThat(header(s.next(), ":event-type")).isEqualTo("initial-response");
        node.awaitSubscribers(1);
        clock.advance(299_000);
        kinesis.json("PutRecord", "{\"StreamName\":\"sub\",\"PartitionKey\":\"k\",\"Data\":\"AQI=\"}");
        // Still live at 4:59 (heartbeats the clock jump causes may come first).
        JsonNode event = payload(s.next());
        while (event.path("Records").isEmpty()) {
            event = payload(s.next());
        }
        assertThat(event.path("Records")).hasSize(1);
        clock.advance(1_000);
        Message m = s.next();
        while (m != END) {
            assertThat(header(m, ":message-type")).isEqualTo("event");
            m = s.next();
        }
        node.awaitSubscriptionsReleased();
    }

    @Test
    void aSubscriptionIsReleasedWhenItsClientGoesAway() throws Exception {
        String consumer = startWithConsumer(ThroughputLimits.OFF);
        Subscribed s = subscribe(consumer, "LATEST");
        assertThat(header(s.next(), ":event-type")).isEqualTo("initial-response");
        node.awaitSubscribers(1);
        s.response().body().close();
        node.awaitSubscriptionsReleased();
    }

    @Test
    void subscribingWithAnUnknownConsumerIsAResourceNotFoundAnswer() throws Exception {
        startWithConsumer(ThroughputLimits.OFF);
        Subscribed s = subscribe(STREAM_ARN + "/consumer/ghost:1700000000", "LATEST");
        assertThat(s.response().statusCode()).isEqualTo(400);
        assertThat(s.response().headers().firstValue("x-amzn-ErrorType")).hasValue("ResourceNotFoundException");
    }
}
