package io.riffle.kinesis;

import static io.riffle.kinesis.Shapes.obj;

import io.riffle.error.RiffleException;
import io.riffle.model.ConsumerDescription;
import io.riffle.model.ConsumerName;
import io.riffle.model.StreamDescription;
import io.riffle.model.StreamName;
import io.riffle.stream.StreamClient;
import io.vertx.core.Future;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** Enhanced fan-out consumers: Register, Deregister, Describe and ListStreamConsumers, with consumer ARNs. */
final class ConsumerOperations {
    private final StreamClient streams;
    private final Arns arns;
    private final Tokens tokens;

    ConsumerOperations(StreamClient streams, Arns arns, Tokens tokens) {
        this.streams = streams;
        this.arns = arns;
        this.tokens = tokens;
    }

    void register(Map<String, Function<KinesisRequest, Future<?>>> ops) {
        ops.put("RegisterStreamConsumer", this::registerConsumer);
        ops.put("DeregisterStreamConsumer", this::deregisterConsumer);
        ops.put("DescribeStreamConsumer", this::describeConsumer);
        ops.put("ListStreamConsumers", this::listConsumers);
    }

    private Future<?> registerConsumer(KinesisRequest r) {
        StreamName stream = arns.streamArnOf(r);
        ConsumerName name = ConsumerName.of(r.member("ConsumerName").requiredString());
        return streams.registerConsumer(stream, name)
                .map(c -> obj("Consumer", Shapes.consumer(arns, stream, c, false)));
    }

    private Future<?> deregisterConsumer(KinesisRequest r) {
        return consumerOf(r).compose(found -> streams.deregisterConsumer(found.stream(), found.consumer().name()))
                .map(v -> obj());
    }

    private Future<?> describeConsumer(KinesisRequest r) {
        return consumerOf(r).map(found -> obj("ConsumerDescription",
                Shapes.consumer(arns, found.stream(), found.consumer(), true)));
    }

    private Future<?> listConsumers(KinesisRequest r) {
        StreamName stream = arns.streamArnOf(r);
        int max = r.member("MaxResults").integer().orElse(100);
        Optional<String> after = r.member("NextToken").string()
                .map(t -> tokens.openNextToken(Tokens.Kind.LIST_CONSUMERS, t));
        r.member("StreamCreationTimestamp").timestampMillis();
        return streams.describe(stream).map(d -> {
            List<ConsumerDescription> rest = d.consumers().stream()
                    .sorted(Comparator.comparing(c -> c.name().value()))
                    .filter(c -> after.map(a -> c.name().value().compareTo(a) > 0).orElse(true)).toList();
            List<ConsumerDescription> page = rest.subList(0, Math.min(max, rest.size()));
            String next = page.size() < rest.size()
                    ? tokens.nextToken(Tokens.Kind.LIST_CONSUMERS, page.get(page.size() - 1).name().value()) : null;
            return obj("Consumers", page.stream().map(c -> Shapes.consumer(arns, stream, c, false)).toList(),
                    "NextToken", next);
        });
    }

    /**
     * A consumer found by ConsumerARN, or by StreamARN plus ConsumerName, with the stream's push limit per
     * consumer and shard (bytes/s, 0 = off).
     */
    record Found(StreamName stream, ConsumerDescription consumer, long consumerBytesPerSecond) {
    }

    /**
     * Finds the consumer a request names, by {@code ConsumerARN} or by {@code StreamARN} + {@code ConsumerName};
     * fails with ResourceNotFoundException if there is none (an ARN of a since re-registered consumer
     * included, since its creation time differs).
     */
    Future<Found> consumerOf(KinesisRequest r) {
        Optional<String> consumerArn = r.member("ConsumerARN").string();
        if (consumerArn.isPresent()) {
            Arns.ConsumerRef ref = arns.parseConsumer("consumerARN", consumerArn.get());
            return find(ref.stream(), ref.consumer(), Optional.of(ref.createdSeconds()), consumerArn.get());
        }
        if (!r.has("StreamARN") || !r.has("ConsumerName")) {
            throw RiffleException.invalidArgument("Either ConsumerARN or both StreamARN and ConsumerName must be provided.");
        }
        StreamName stream = arns.streamArnOf(r);
        ConsumerName name = ConsumerName.of(r.member("ConsumerName").requiredString());
        return find(stream, name, Optional.empty(), name.value());
    }

    private Future<Found> find(StreamName stream, ConsumerName name, Optional<Long> createdSeconds, String shown) {
        return streams.describe(stream).compose(d -> consumer(d, name)
                .filter(c -> createdSeconds.map(s -> s == c.createdMillis() / 1000).orElse(true))
                .map(c -> Future.succeededFuture(new Found(stream, c, d.limits().consumerBytesPerSecond())))
                .orElseGet(() -> Future.failedFuture(RiffleException.notFound("Consumer " + shown
                        + " of stream " + stream + " not found."))));
    }

    private static Optional<ConsumerDescription> consumer(StreamDescription d, ConsumerName name) {
        return d.consumers().stream().filter(c -> c.name().equals(name)).findFirst();
    }
}
