package io.riffle.security;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log: one JSON line per control-plane change requested through either API, on its own logger
 * {@value #LOGGER} (so it can be routed, filtered or kept apart from the node's other output), written once
 * the answer is sent:
 * <pre>{"time":"2026-03-01T12:00:00.123Z","api":"kinesis","principal":"arn:aws:iam::000000000000:user/admin",
 * "action":"kinesis:CreateStream","resource":"arn:aws:kinesis:us-east-1:000000000000:stream/orders",
 * "result":"ok","status":200,"source":"10.0.0.7","requestId":"..."}</pre>
 * {@code principal} is {@code "anonymous"} when none was established (auth off, or a request whose
 * authentication failed); {@code result} is {@code ok} or the error type answered
 * ({@code AccessDeniedException}, {@code ResourceInUseException}, ...), {@code ConnectionClosed} if the client
 * left before the answer. Refused attempts are changes asked for, so they are logged too. Reads, puts and
 * subscriptions are not logged. The gateways call {@link #onEnd} at their one entry point each
 * ({@code NativeAccess}, {@code KinesisApi}) for the actions in {@link #CHANGES}, the one list of what counts.
 */
public final class AuditLog {
    /** The logger's name. */
    public static final String LOGGER = "riffle.audit";
    /** Context key of the request's authenticated principal, set where it is authenticated. */
    public static final String PRINCIPAL = "riffle.principal";
    /** Context key under which the native API's error answer notes its error code. */
    public static final String ERROR_TYPE = "riffle.errorType";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    /** The IAM actions that change the control plane (streams, shards, consumers, tags, policies, settings). */
    public static final Set<String> CHANGES = Set.of(
            "kinesis:CreateStream", "kinesis:DeleteStream", "kinesis:UpdateStreamMode",
            "kinesis:SplitShard", "kinesis:MergeShards", "kinesis:UpdateShardCount",
            "kinesis:IncreaseStreamRetentionPeriod", "kinesis:DecreaseStreamRetentionPeriod",
            "kinesis:UpdateMaxRecordSize",
            "kinesis:AddTagsToStream", "kinesis:RemoveTagsFromStream", "kinesis:TagResource", "kinesis:UntagResource",
            "kinesis:RegisterStreamConsumer", "kinesis:DeregisterStreamConsumer",
            "kinesis:StartStreamEncryption", "kinesis:StopStreamEncryption",
            "kinesis:PutResourcePolicy", "kinesis:DeleteResourcePolicy",
            "kinesis:EnableEnhancedMonitoring", "kinesis:DisableEnhancedMonitoring",
            "kinesis:UpdateAccountSettings");

    private final Clock clock;

    public AuditLog(Clock clock) {
        this.clock = clock;
    }

    public static boolean isChange(String action) {
        return CHANGES.contains(action);
    }

    /** A change asked for: its IAM action and what it acts on (a name or ARN, {@code "-"} if none valid). */
    public record Change(String action, String resource) {
    }

    /**
     * Logs {@code ctx}'s request once its answer is sent (or its connection closed first), if {@code change}
     * then names one of {@link #CHANGES}. {@code api} is {@code native} or {@code kinesis}. The principal is
     * whatever was put under {@link #PRINCIPAL} by then.
     */
    public void onEnd(RoutingContext ctx, String api, Supplier<Optional<Change>> change) {
        ctx.addEndHandler(ended -> changeOf(change).ifPresent(c -> {
            Principal principal = ctx.get(PRINCIPAL);
            int status = ctx.response().getStatusCode();
            JsonObject line = new JsonObject()
                    .put("time", clock.instant().toString())
                    .put("api", api)
                    .put("principal", principal == null ? "anonymous" : principal.arn())
                    .put("action", c.action())
                    .put("resource", c.resource())
                    .put("result", ended.failed() ? "ConnectionClosed" : result(ctx, status))
                    .put("status", status);
            if (ctx.request().remoteAddress() != null) {
                line.put("source", ctx.request().remoteAddress().hostAddress());
            }
            String requestId = ctx.response().headers().get("x-amzn-RequestId");
            if (requestId != null) {
                line.put("requestId", requestId);
            }
            // Encoded as JSON, so no name or value in a request can forge or break a line.
            LOG.info(line.encode());
        }));
    }

    /** The change, if it is one; none when the request named nothing valid to act on (it changed nothing). */
    private static Optional<Change> changeOf(Supplier<Optional<Change>> change) {
        try {
            return change.get().filter(c -> isChange(c.action()));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** {@code resource.get()}, or {@code "-"} for a malformed name or ARN (the answer says what was wrong). */
    public static String resourceOr(Supplier<String> resource) {
        try {
            return resource.get();
        } catch (RuntimeException e) {
            return "-";
        }
    }

    /** {@code ok}, or the error type the answer carried (Kinesis: x-amzn-ErrorType; native: the error code). */
    private static String result(RoutingContext ctx, int status) {
        String type = ctx.response().headers().get("x-amzn-ErrorType");
        if (type == null) {
            type = ctx.get(ERROR_TYPE);
        }
        if (type != null) {
            return type;
        }
        return status < 400 ? "ok" : "HTTP " + status;
    }
}
