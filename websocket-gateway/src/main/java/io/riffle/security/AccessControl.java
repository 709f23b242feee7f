package io.riffle.security;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.model.ConsumerDescription;
import io.riffle.model.ConsumerName;
import io.riffle.model.StreamDescription;
import io.riffle.model.StreamName;
import io.riffle.stream.StreamClient;
import io.vertx.core.Future;
import java.util.Optional;

/**
 * Authorizes one request of a principal against its resource: the account (actions without a resource,
 * such as {@code kinesis:ListStreams}, judged on {@code *}), a stream or a consumer. For streams and
 * consumers it reads the stream's description once, for the resource policy and the consumer's ARN. A
 * stream or consumer that does not exist is judged by the identity policies alone, so the caller's operation
 * then answers its usual ResourceNotFoundException to those allowed to ask. Call on an event loop.
 */
public final class AccessControl {
    private final StreamClient streams;
    private final Authorizer authorizer;
    private final String streamArnPrefix;
    private final String kmsArnPrefix;

    public AccessControl(StreamClient streams, Security security) {
        this(streams, security.authorizer(), security.region(), security.accountId());
    }

    /** Judging with {@code authorizer}; {@code streams} is needed only by {@link #check}. */
    public AccessControl(StreamClient streams, Authorizer authorizer, String region, String accountId) {
        this.streams = streams;
        this.authorizer = authorizer;
        this.streamArnPrefix = "arn:aws:kinesis:" + region + ":" + accountId + ":stream/";
        this.kmsArnPrefix = "arn:aws:kms:" + region + ":" + accountId + ":";
    }

    /** What a request acts on. */
    public sealed interface Target {
        /** Actions on no particular resource. */
        record Account() implements Target {
        }

        record Stream(StreamName stream) implements Target {
        }

        /** A consumer; {@code createdSeconds} when the request named its ARN, else looked up. */
        record Consumer(StreamName stream, ConsumerName consumer, Optional<Long> createdSeconds) implements Target {
        }
    }

    public String streamArn(StreamName stream) {
        return streamArnPrefix + stream.value();
    }

    public String consumerArn(StreamName stream, ConsumerName consumer, long createdSeconds) {
        return streamArn(stream) + "/consumer/" + consumer.value() + ":" + createdSeconds;
    }

    /**
     * Succeeds if {@code principal} may perform {@code action} (e.g. {@code kinesis:PutRecord}) on
     * {@code target}; fails with AccessDeniedException otherwise.
     */
    public Future<Void> check(Principal principal, String action, Target target) {
        if (target instanceof Target.Account) {
            return attempt(() -> authorizer.require(principal, action, "*", Optional.empty()));
        }
        StreamName stream = target instanceof Target.Stream s ? s.stream() : ((Target.Consumer) target).stream();
        return streams.describe(stream)
                .map(Optional::of)
                .recover(err -> err instanceof RiffleException e && e.code() == ErrorCode.RESOURCE_NOT_FOUND
                        ? Future.succeededFuture(Optional.<StreamDescription>empty()) : Future.failedFuture(err))
                .compose(d -> attempt(() -> {
                    String arn = arnOf(target, d);
                    Optional<PolicyDocument> policy = d.flatMap(x -> Optional.ofNullable(x.resourcePolicies().get(arn)))
                            .map(json -> PolicyDocument.parse(json, true));
                    authorizer.require(principal, action, arn, policy);
                    d.flatMap(StreamDescription::encryptionKeyId).ifPresent(keyId -> requireKeyUse(principal, action, keyId));
                }));
    }

    /**
     * As AWS: a put to an encrypted stream also needs {@code kms:GenerateDataKey} on its key, a read
     * (GetRecords, SubscribeToShard) {@code kms:Decrypt}; refused with KMSAccessDeniedException. The key is
     * judged by the ARN form of the stream's KeyId (a key id becomes its key ARN, an alias its alias ARN).
     */
    private void requireKeyUse(Principal principal, String action, String keyId) {
        String kmsAction = switch (action) {
            case "kinesis:PutRecord", "kinesis:PutRecords" -> "kms:GenerateDataKey";
            case "kinesis:GetRecords", "kinesis:SubscribeToShard" -> "kms:Decrypt";
            default -> null;
        };
        if (kmsAction == null) {
            return;
        }
        String keyArn = keyId.startsWith("arn:") ? keyId : kmsArnPrefix + (keyId.startsWith("alias/") ? keyId : "key/" + keyId);
        try {
            authorizer.require(principal, kmsAction, keyArn, Optional.empty());
        } catch (RiffleException e) {
            if (e.code() != ErrorCode.ACCESS_DENIED) {
                throw e;
            }
            throw new RiffleException(ErrorCode.KMS_ACCESS_DENIED, "User: " + principal.arn() + " is not authorized to perform: "
                    + kmsAction + " on resource: " + keyArn);
        }
    }

    /**
     * The ARN a request on {@code target} is judged on: {@code *} for the account, the stream's ARN, or the
     * consumer's (its creation time from the request's ConsumerARN, else from the stream's description {@code d}).
     */
    public String arnOf(Target target, Optional<StreamDescription> d) {
        if (target instanceof Target.Account) {
            return "*";
        }
        if (target instanceof Target.Stream s) {
            return streamArn(s.stream());
        }
        Target.Consumer c = (Target.Consumer) target;
        long created = c.createdSeconds().or(() -> d.flatMap(x -> x.consumers().stream()
                .filter(k -> k.name().equals(c.consumer())).findFirst().map(AccessControl::createdSeconds))).orElse(0L);
        return consumerArn(c.stream(), c.consumer(), created);
    }

    /**
     * What {@code target} names, without reading the stream: {@code *}, the stream's ARN, the consumer's ARN
     * when the request named it, else the stream's ARN with {@code /consumer/<name>} (for the audit log).
     */
    public String nameOf(Target target) {
        if (target instanceof Target.Consumer c && c.createdSeconds().isEmpty()) {
            return streamArn(c.stream()) + "/consumer/" + c.consumer().value();
        }
        return arnOf(target, Optional.empty());
    }

    private static long createdSeconds(ConsumerDescription c) {
        return c.createdMillis() / 1000;
    }

    private static Future<Void> attempt(Runnable check) {
        try {
            check.run();
            return Future.succeededFuture();
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }
}
