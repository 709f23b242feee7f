package io.riffle.kinesis;

import io.riffle.model.ConsumerName;
import io.riffle.model.StreamName;
import io.riffle.security.AccessControl;
import io.riffle.security.AccessControl.Target;
import io.riffle.security.Principal;
import io.riffle.security.Security;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.Set;

/**
 * Authentication and authorization of Kinesis API requests, when the node's {@code auth} is on. Each
 * operation {@code X} needs the IAM action {@code kinesis:X} on the resource it acts on: the stream (by
 * StreamName/StreamARN, by the stream sealed in a ShardIterator or ListShards NextToken), the consumer
 * (ConsumerARN, or StreamARN plus ConsumerName for Describe/DeregisterStreamConsumer), the ResourceARN of the
 * tagging and resource-policy operations, or {@code *} for the account-wide ones (ListStreams, DescribeLimits,
 * DescribeAccountSettings, UpdateAccountSettings).
 */
final class KinesisAccess {
    /** Operations on no particular resource. */
    static final Set<String> ACCOUNT_OPERATIONS = Set.of("ListStreams", "DescribeLimits", "DescribeAccountSettings",
            "UpdateAccountSettings");
    private static final Set<String> RESOURCE_ARN_OPERATIONS = Set.of("TagResource", "UntagResource",
            "ListTagsForResource", "PutResourcePolicy", "GetResourcePolicy", "DeleteResourcePolicy");

    private final Security security;
    private final AccessControl access;
    private final Arns arns;
    private final Tokens tokens;

    KinesisAccess(Security security, AccessControl access, Arns arns, Tokens tokens) {
        this.security = security;
        this.access = access;
        this.arns = arns;
        this.tokens = tokens;
    }

    /** Who signed the request (SigV4 over the body as received, or a bearer token). Throws AWS's errors. */
    Principal authenticate(RoutingContext ctx, Buffer body) {
        return security.authenticate(ctx.request(), Optional.of(body.getBytes()));
    }

    /** Succeeds if {@code principal} may run {@code request}; AccessDeniedException otherwise. */
    Future<Void> authorize(Principal principal, KinesisRequest request) {
        return access.check(principal, "kinesis:" + request.operation(), target(request));
    }

    /**
     * What {@code r} acts on. Malformed names and ARNs, forged iterators and tokens fail here with the error
     * the operation itself would give.
     */
    Target target(KinesisRequest r) {
        return target(r, arns, tokens);
    }

    static Target target(KinesisRequest r, Arns arns, Tokens tokens) {
        String op = r.operation();
        if (ACCOUNT_OPERATIONS.contains(op)) {
            return new Target.Account();
        }
        if (RESOURCE_ARN_OPERATIONS.contains(op)) {
            return byArn(arns, r.member("ResourceARN").requiredString());
        }
        return switch (op) {
            case "CreateStream" -> new Target.Stream(StreamName.of(r.member("StreamName").requiredString()));
            case "GetRecords" -> new Target.Stream(tokens.openShardIterator(r.member("ShardIterator").requiredString()).stream());
            case "SubscribeToShard" -> byArn(arns, r.member("ConsumerARN").requiredString());
            case "RegisterStreamConsumer", "ListStreamConsumers" -> new Target.Stream(arns.streamArnOf(r));
            case "DescribeStreamConsumer", "DeregisterStreamConsumer" -> r.member("ConsumerARN").string().map(a -> byArn(arns, a))
                    .orElseGet(() -> new Target.Consumer(arns.streamArnOf(r),
                            ConsumerName.of(r.member("ConsumerName").requiredString()), Optional.empty()));
            case "ListShards" -> r.member("NextToken").string()
                    .<Target>map(t -> new Target.Stream(StreamName.of(
                            tokens.openNextToken(Tokens.Kind.LIST_SHARDS, t).split("\n", -1)[0])))
                    .orElseGet(() -> new Target.Stream(arns.streamOf(r)));
            default -> new Target.Stream(arns.streamOf(r));
        };
    }

    private static Target byArn(Arns arns, String arn) {
        if (arn.contains("/consumer/")) {
            Arns.ConsumerRef ref = arns.parseConsumer("resourceARN", arn);
            return new Target.Consumer(ref.stream(), ref.consumer(), Optional.of(ref.createdSeconds()));
        }
        return new Target.Stream(arns.parseStream("resourceARN", arn));
    }
}
