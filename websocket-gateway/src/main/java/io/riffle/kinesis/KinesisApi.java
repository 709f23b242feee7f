package io.riffle.kinesis;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.riffle.gateway.GatewayServices;
import io.riffle.gateway.Health;
import io.riffle.gateway.KinesisEndpoint;
import io.riffle.gateway.subscription.SubscriptionMetrics;
import io.riffle.gateway.subscription.SubscriptionOptions;
import io.riffle.security.AccessControl;
import io.riffle.security.AuditLog;
import io.riffle.security.Principal;
import io.riffle.security.Security;
import io.riffle.stream.StreamClient;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kinesis Data Streams API (version 2013-12-02) over Riffle's engine: {@code POST} to any path with
 * {@code X-Amz-Target: Kinesis_20131202.<Operation>}, in AWS JSON 1.1 or AWS CBOR 1.1.
 *
 * <p>On a node, install it with the one line {@code KinesisApi.endpoint(KinesisSettings.load(dataDir, region,
 * account))} as the node's {@link KinesisEndpoint}. Elsewhere, mount it with one call on a router, before
 * routes that would take other {@code POST}s:
 * <pre>{@code router.post().handler(new KinesisApi(vertx, engine.client(), kinesisSettings));}</pre>
 * A request without {@code X-Amz-Target} is UnknownOperationException on {@code POST /} (where AWS
 * clients send every call) and passed on with {@code ctx.next()} on any other path. It works with or without a
 * {@code BodyHandler} before it (without one it reads the body itself, up to {@link #MAX_BODY_BYTES}).
 *
 * <p>Holds no state of its own (streams live in the engine, subscriptions in their HTTP responses), so one
 * instance per gateway verticle is fine; call {@link #handle} on that verticle's event loop. Every answer
 * carries {@code x-amzn-RequestId} and {@code x-amz-id-2}; errors are {@code {"__type","message"}} ({@code "Message"} for SerializationException, as AWS sends it) in the
 * request's encoding, 400 for client errors and 500 (503 while the engine is unavailable) otherwise.
 * With the node's {@code auth} on, every request must be signed (SigV4) or carry a bearer token, and its
 * principal needs {@code kinesis:<Operation>} on the resource (see {@link KinesisAccess}); with it off,
 * authentication headers are accepted and not checked.
 */
public final class KinesisApi implements Handler<RoutingContext> {
    private static final Logger LOG = LoggerFactory.getLogger(KinesisApi.class);
    private static final String TARGET_PREFIX = "Kinesis_20131202.";
    /** PutRecords takes 10 MiB of records, which base64 grows by a third; the rest is keys and framing. */
    public static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

    private final Map<String, Function<KinesisRequest, Future<?>>> operations = new HashMap<>();
    private static final Pattern ENGINE_STREAM_NOT_FOUND = Pattern.compile("Stream (\\S+) (?:was )?not found\\.?");

    private final SubscribeToShard subscribeToShard;
    private final String accountId;
    /** Authentication and authorization; empty when the node's auth is off. */
    private final Optional<KinesisAccess> access;
    /** The verifier's clock, told in every answer's {@code Date} as AWS does. */
    private final java.time.Clock clock;
    /** Where changes are logged, with the names of what they act on (auth on or off). */
    private final AuditLog audit;
    private final AccessControl names;
    private final Arns arns;
    private final Tokens tokens;
    /** Context key of the parsed request, for the audit line. */
    private static final String REQUEST = "riffle.kinesisRequest";

    /**
     * The Kinesis API over {@code streams}.
     *
     * @param subscriptions pace and bounds of SubscribeToShard (the node's push subscription options)
     * @param metrics       where SubscribeToShard subscriptions are counted (shared with the WebSocket API)
     */
    public KinesisApi(Vertx vertx, StreamClient streams, KinesisSettings settings, SubscriptionOptions subscriptions,
                      SubscriptionMetrics metrics) {
        this(vertx, streams, settings, subscriptions, metrics, () -> false, Security.off());
    }

    /**
     * As above, authenticating and authorizing every request with {@code security} when its auth is on.
     */
    public KinesisApi(Vertx vertx, StreamClient streams, KinesisSettings settings, SubscriptionOptions subscriptions,
                      SubscriptionMetrics metrics, Security security) {
        this(vertx, streams, settings, subscriptions, metrics, () -> false, security);
    }

    private KinesisApi(Vertx vertx, StreamClient streams, KinesisSettings settings, SubscriptionOptions subscriptions,
                       SubscriptionMetrics metrics, BooleanSupplier nodeStopping, Security security) {
        this.accountId = settings.accountId();
        this.arns = new Arns(settings);
        this.tokens = new Tokens(settings.tokenKey(), settings.clock());
        this.clock = security.clock();
        this.audit = security.audit();
        this.names = new AccessControl(streams, security);
        this.access = security.enabled()
                ? Optional.of(new KinesisAccess(security, names, arns, tokens))
                : Optional.empty();
        new StreamOperations(streams, arns, tokens, settings.clock()).register(operations);
        new ReshardOperations(streams, arns).register(operations);
        new PolicyOperations(streams, arns).register(operations);
        RecordOperations records = new RecordOperations(streams, arns, tokens, settings);
        records.register(operations);
        ConsumerOperations consumers = new ConsumerOperations(streams, arns, tokens);
        consumers.register(operations);
        this.subscribeToShard = new SubscribeToShard(vertx, streams, consumers, records, subscriptions, metrics,
                nodeStopping);
    }

    /**
     * The Kinesis API of a gateway verticle, sharing the node's engine client and subscription settings.
     * When the node starts stopping, SubscribeToShard streams end cleanly (clients resubscribe elsewhere or
     * later) instead of holding the shutdown until its timeout.
     */
    public KinesisApi(GatewayServices services, KinesisSettings settings) {
        this(services.vertx(), services.client(), settings, services.subscriptions(), services.subscriptionMetrics(),
                () -> services.health().state() == Health.State.STOPPING, services.security());
    }

    /** The Kinesis API with Kinesis's default subscription pace (2 MiB/s per consumer and shard). */
    public KinesisApi(Vertx vertx, StreamClient streams, KinesisSettings settings) {
        this(vertx, streams, settings, SubscriptionOptions.defaults(), new SubscriptionMetrics(new SimpleMeterRegistry()));
    }

    /**
     * The node's hook ({@link KinesisEndpoint}): one KinesisApi per gateway verticle instance. Load the
     * settings once per node, e.g. {@code KinesisSettings.load(config.dataDir(), region, accountId)}.
     */
    public static KinesisEndpoint endpoint(KinesisSettings settings) {
        return services -> new KinesisApi(services, settings);
    }

    @Override
    public void handle(RoutingContext ctx) {
        String target = ctx.request().getHeader("X-Amz-Target");
        if (target == null && !ctx.request().path().equals("/")) {
            // Mounted before other POST routes: a request without a target on another path is not ours.
            ctx.next();
            return;
        }
        String operation = target != null && target.startsWith(TARGET_PREFIX) ? target.substring(TARGET_PREFIX.length()) : "";
        String action = "kinesis:" + operation;
        if (AuditLog.isChange(action)) {
            audit.onEnd(ctx, "kinesis", () -> Optional.of(new AuditLog.Change(action, AuditLog.resourceOr(() -> {
                KinesisRequest request = ctx.get(REQUEST);
                return request == null ? "-" : names.nameOf(KinesisAccess.target(request, arns, tokens));
            }))));
        }
        String requestId = UUID.randomUUID().toString();
        String contentType = ctx.request().getHeader("Content-Type");
        WireFormat format = WireFormat.of(contentType);
        HttpServerResponse response = ctx.response();
        // AWS SDKs read Date to correct their clock skew after a "Signature expired", then retry.
        response.putHeader("x-amzn-RequestId", requestId).putHeader("x-amz-id-2", extendedRequestId())
                .putHeader("Date", java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
                        java.time.ZonedDateTime.now(clock.withZone(java.time.ZoneOffset.UTC))));
        body(ctx)
                .compose(body -> dispatch(target, operation, contentType, format, body, ctx))
                .onSuccess(answer -> {
                    if (answer == SubscribeToShard.STREAMING) {
                        return;
                    }
                    response.putHeader("Content-Type", format.contentType());
                    // Operations without output members (CreateStream, AddTagsToStream, ...) answer an empty
                    // body, as AWS does.
                    if (answer instanceof Map<?, ?> m && m.isEmpty()) {
                        response.end();
                    } else {
                        response.end(format.write(answer));
                    }
                })
                .onFailure(t -> answerError(response, format, requestId, String.valueOf(target), t));
    }

    private Future<?> dispatch(String target, String operation, String contentType, WireFormat format, Buffer body,
                               RoutingContext ctx) {
        try {
            // AWS authenticates before anything else: an unsigned request learns nothing about operations.
            Optional<Principal> principal = access.map(a -> a.authenticate(ctx, body));
            principal.ifPresent(p -> ctx.put(AuditLog.PRINCIPAL, p));
            boolean subscribe = operation.equals("SubscribeToShard");
            Function<KinesisRequest, Future<?>> op = operations.get(operation);
            if (op == null && !subscribe) {
                throw new RiffleException(ErrorCode.UNKNOWN_OPERATION, target == null
                        ? "Missing X-Amz-Target header: no operation named." : "Operation " + target + " is not supported.");
            }
            if (contentType == null) {
                throw new RiffleException(ErrorCode.SERIALIZATION, "Missing Content-Type: expected "
                        + WireFormat.JSON.contentType() + " or " + WireFormat.CBOR.contentType() + ".");
            }
            KinesisRequest request = new KinesisRequest(operation, format.parse(body), format);
            ctx.put(REQUEST, request);
            RequestShapes.check(request);
            Future<Void> allowed = principal.isEmpty() ? Future.succeededFuture()
                    : access.get().authorize(principal.get(), request);
            Future<?> answer = allowed.compose(v -> subscribe
                    ? subscribeToShard.subscribe(request, ctx).<Object>map(x -> SubscribeToShard.STREAMING)
                    : op.apply(request).map(x -> (Object) x));
            return answer.recover(t -> Future.failedFuture(inKinesisWords(t)));
        } catch (RuntimeException e) {
            // Validation in model constructors throws synchronously; it is answered like any failure.
            return Future.failedFuture(e);
        }
    }

    /**
     * The engine says {@code Stream x was not found.}; Kinesis says {@code Stream x under account
     * 000000000000 not found.} (clients and test suites match it).
     */
    private Throwable inKinesisWords(Throwable t) {
        if (t instanceof RiffleException e && e.code() == ErrorCode.RESOURCE_NOT_FOUND) {
            Matcher m = ENGINE_STREAM_NOT_FOUND.matcher(String.valueOf(e.getMessage()));
            if (m.matches()) {
                return RiffleException.notFound("Stream " + m.group(1) + " under account " + accountId + " not found.");
            }
        }
        return t;
    }

    /** AWS's {@code x-amz-id-2}: an opaque id of the serving host and request, random here. */
    private static String extendedRequestId() {
        byte[] id = new byte[48];
        ThreadLocalRandom.current().nextBytes(id);
        return Base64.getEncoder().encodeToString(id);
    }

    /** The request body, read here unless a BodyHandler already did, refusing more than MAX_BODY_BYTES. */
    private static Future<Buffer> body(RoutingContext ctx) {
        if (ctx.body().available()) {
            Buffer b = ctx.body().buffer();
            return Future.succeededFuture(b == null ? Buffer.buffer() : b);
        }
        HttpServerRequest req = ctx.request();
        String length = req.getHeader("Content-Length");
        if (length != null && length.chars().allMatch(Character::isDigit) && length.length() < 12
                && Long.parseLong(length) > MAX_BODY_BYTES) {
            return Future.failedFuture(tooLarge());
        }
        Promise<Buffer> promise = Promise.promise();
        Buffer acc = Buffer.buffer();
        boolean[] over = {false};
        req.handler(chunk -> {
            if (acc.length() + chunk.length() > MAX_BODY_BYTES) {
                over[0] = true;
            } else if (!over[0]) {
                acc.appendBuffer(chunk);
            }
        });
        req.endHandler(v -> {
            if (over[0]) {
                promise.tryFail(tooLarge());
            } else {
                promise.tryComplete(acc);
            }
        });
        req.exceptionHandler(promise::tryFail);
        req.resume();
        return promise.future();
    }

    private static RiffleException tooLarge() {
        return new RiffleException(ErrorCode.PAYLOAD_TOO_LARGE, "Request body is larger than " + MAX_BODY_BYTES + " bytes.");
    }

    /** The one place a failure becomes a Kinesis error answer. */
    private static void answerError(HttpServerResponse response, WireFormat format, String requestId, String target,
                                    Throwable t) {
        RiffleException e = RiffleException.of(t);
        ErrorCode code = e.code();
        String message = e.getMessage();
        if (code == ErrorCode.INTERNAL_FAILURE) {
            LOG.warn("Kinesis {} failed internally (request {})", target, requestId, t);
            message = "Internal service failure (request " + requestId + ").";
        }
        if (response.headWritten()) {
            // A streaming answer already started; SubscribeToShard reports its own errors in-stream.
            response.reset();
            return;
        }
        int status = code.isClientError() ? 400 : code == ErrorCode.SERVICE_UNAVAILABLE ? 503 : 500;
        if (code == ErrorCode.SERVICE_UNAVAILABLE) {
            // A shard whose node is down, a catalog without a leader yet: worth a retry (SDKs retry 503 anyway).
            response.putHeader("Retry-After", "1");
        }
        // AWS's SerializationException carries "Message", every other error "message" (clients read both).
        String messageKey = code == ErrorCode.SERIALIZATION ? "Message" : "message";
        response.setStatusCode(status)
                .putHeader("Content-Type", format.contentType())
                .putHeader("x-amzn-ErrorType", code.wireName())
                .end(format.write(Shapes.obj("__type", code.wireName(), messageKey, message)));
    }
}
