package io.riffle.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.node.RunningNode;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.eventstream.Message;
import software.amazon.awssdk.eventstream.MessageDecoder;

/**
 * A Kinesis SubscribeToShard client for tests: one request of a Vert.x HTTP client (chunked HTTP/1.1 or h2c,
 * as the client is set up), its answer decoded by the AWS SDK's event stream decoder.
 */
final class EventStreamSubscriber {
    /** Marks the end of the answer (or of the connection) in {@link #messages}. */
    static final Message END = new Message(Map.of(), new byte[0]);

    final LinkedBlockingQueue<Message> messages = new LinkedBlockingQueue<>();
    private final HttpClientRequest request;
    private boolean ended;

    private EventStreamSubscriber(HttpClientRequest request) {
        this.request = request;
    }

    /** Sends SubscribeToShard for the first shard; returns without waiting for the answer. */
    static EventStreamSubscriber subscribe(HttpClientAgent client, int port, String consumerArn, String type) {
        return subscribe(client, port, consumerArn, type, body -> Map.of());
    }

    /** The request body SubscribeToShard sends for the first shard. */
    static String body(String consumerArn, String type) {
        return new JsonObject().put("ConsumerARN", consumerArn).put("ShardId", "shardId-000000000000")
                .put("StartingPosition", new JsonObject().put("Type", type)).encode();
    }

    /** As above, adding the headers {@code sign} makes for the body (a signature). */
    static EventStreamSubscriber subscribe(HttpClientAgent client, int port, String consumerArn, String type,
                                           java.util.function.Function<String, Map<String, String>> sign) {
        String body = body(consumerArn, type);
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
                .setURI("/").putHeader("Content-Type", "application/x-amz-json-1.1")
                .putHeader("X-Amz-Target", "Kinesis_20131202.SubscribeToShard");
        sign.apply(body).forEach(options::putHeader);
        HttpClientRequest request = RunningNode.await(client.request(options));
        EventStreamSubscriber s = new EventStreamSubscriber(request);
        request.send(body).onSuccess(response -> {
            MessageDecoder decoder = new MessageDecoder(s.messages::add);
            response.handler(b -> decoder.feed(b.getBytes()));
            response.endHandler(v -> s.end());
            response.exceptionHandler(e -> s.end());
        }).onFailure(e -> s.end());
        return s;
    }

    private void end() {
        if (!ended) {
            ended = true;
            messages.add(END);
        }
    }

    Message next() throws InterruptedException {
        Message m = messages.poll(15, TimeUnit.SECONDS);
        assertThat(m).as("a message within 15 s").isNotNull();
        return m;
    }

    /** Waits for the initial response: the subscription runs on the node. */
    void awaitStarted() throws InterruptedException {
        assertThat(header(next(), ":event-type")).isEqualTo("initial-response");
    }

    /** Waits for the first event that carries records. */
    void awaitRecords() throws InterruptedException {
        for (Message m = next(); m != END; m = next()) {
            if (header(m, ":message-type").equals("event") && header(m, ":event-type").equals("SubscribeToShardEvent")
                    && !new JsonObject(new String(m.getPayload())).getJsonArray("Records").isEmpty()) {
                return;
            }
        }
        throw new AssertionError("The subscription ended before any record came");
    }

    /** The exception type that ended the answer, after skipping its events; checks the answer ends there. */
    String awaitException() throws InterruptedException {
        Message m = next();
        while (m != END && header(m, ":message-type").equals("event")) {
            m = next();
        }
        assertThat(m).as("an exception before the end").isNotSameAs(END);
        assertThat(next()).isSameAs(END);
        return header(m, ":exception-type");
    }

    /** Goes away as a client does: closes the HTTP/1.1 connection, or resets the HTTP/2 stream. */
    void disconnect() {
        if (request.version() == HttpVersion.HTTP_2) {
            request.reset();
        } else {
            request.connection().close();
        }
    }

    private static String header(Message m, String name) {
        return m.getHeaders().get(name).getString();
    }
}
