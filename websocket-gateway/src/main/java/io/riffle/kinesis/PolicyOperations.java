package io.riffle.kinesis;

import static io.riffle.kinesis.Shapes.obj;

import io.riffle.error.RiffleException;
import io.riffle.model.StreamDescription;
import io.riffle.model.StreamName;
import io.riffle.security.PolicyDocument;
import io.riffle.stream.StreamClient;
import io.vertx.core.Future;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * PutResourcePolicy, GetResourcePolicy and DeleteResourcePolicy on streams and consumers. A policy is kept
 * with its stream in the catalog (so it survives restarts and goes with the stream), keyed by the resource's
 * ARN; a consumer's ARN carries its creation time, so a consumer registered again under the same name does not
 * inherit the old one's policy. Policies are evaluated by {@link io.riffle.security.Authorizer} when
 * {@code auth} is on.
 */
final class PolicyOperations {
    /** AWS's limit on a resource policy's size. */
    private static final int MAX_POLICY_CHARS = 20_480;
    private final StreamClient streams;
    private final Arns arns;

    PolicyOperations(StreamClient streams, Arns arns) {
        this.streams = streams;
        this.arns = arns;
    }

    /** Registers the three operations (replacing StreamOperations' "not supported yet" answers for them). */
    void register(Map<String, Function<KinesisRequest, Future<?>>> ops) {
        ops.put("PutResourcePolicy", this::put);
        ops.put("GetResourcePolicy", r -> resource(r).map(res -> obj("Policy",
                Optional.ofNullable(res.stream().resourcePolicies().get(res.arn())).orElse("{}"))));
        ops.put("DeleteResourcePolicy", r -> resource(r).compose(res -> {
            if (!res.stream().resourcePolicies().containsKey(res.arn())) {
                return Future.failedFuture(RiffleException.notFound("No resource policy found for resource " + res.arn() + "."));
            }
            return streams.setResourcePolicy(res.stream().name(), res.arn(), Optional.empty()).map(d -> obj());
        }));
    }

    private Future<?> put(KinesisRequest r) {
        String policy = r.member("Policy").requiredString();
        if (policy.length() > MAX_POLICY_CHARS) {
            throw RiffleException.constraint("policy", "[" + policy.length() + " characters]",
                    "have length less than or equal to " + MAX_POLICY_CHARS);
        }
        try {
            PolicyDocument.parse(policy, true);
        } catch (IllegalArgumentException e) {
            throw RiffleException.invalidArgument("Invalid resource policy: " + e.getMessage());
        }
        return resource(r).compose(res -> streams.setResourcePolicy(res.stream().name(), res.arn(), Optional.of(policy)))
                .map(d -> obj());
    }

    private record Resource(StreamDescription stream, String arn) {
    }

    /** The stream or consumer ResourceARN names; ResourceNotFoundException if it does not exist (now). */
    private Future<Resource> resource(KinesisRequest r) {
        String arn = r.member("ResourceARN").requiredString();
        if (arn.contains("/consumer/")) {
            Arns.ConsumerRef ref = arns.parseConsumer("resourceARN", arn);
            return streams.describe(ref.stream()).map(d -> {
                boolean exists = d.consumers().stream().anyMatch(c -> c.name().equals(ref.consumer())
                        && c.createdMillis() / 1000 == ref.createdSeconds());
                if (!exists) {
                    throw RiffleException.notFound("Consumer " + arn + " not found.");
                }
                return new Resource(d, arn);
            });
        }
        StreamName name = arns.parseStream("resourceARN", arn);
        return streams.describe(name).map(d -> new Resource(d, arns.stream(name)));
    }
}
