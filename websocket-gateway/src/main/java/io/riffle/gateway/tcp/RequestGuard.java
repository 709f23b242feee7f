package io.riffle.gateway.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.riffle.error.ErrorCode;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First handler of every accepted connection, in front of Vert.x's HTTP codec. It reads a copy of the
 * HTTP/1.x bytes with Netty's own decoder (the bytes themselves go on to Vert.x untouched) to enforce what
 * Vert.x cannot see once Netty has normalised a request:
 * <ul>
 *   <li>a request head (request line and headers) must arrive whole within the header-read timeout, counted
 *       from the connection's opening or from the first byte of a later request, so a client dribbling
 *       headers (slowloris) is closed; bodies, idle keep-alive connections and streams are left to the idle
 *       timeout;</li>
 *   <li>RFC 9112 section 6: {@code Content-Length} with {@code Transfer-Encoding}, or a transfer coding
 *       list not ending in a single {@code chunked}, is 400; any other coding is 501; either closes the
 *       connection, since the body's length cannot be trusted (Netty would silently drop the
 *       {@code Content-Length} and read on, which is how requests are smuggled);</li>
 *   <li>a connection over the {@link ConnectionLimit} (the reserve) answers only {@code GET /health} and
 *       {@code /health/live}, and is closed after the timeout whatever it does.</li>
 * </ul>
 * It steps out of the pipeline as soon as the connection stops being HTTP/1.x: TLS (the TLS port relays the
 * decrypted bytes to the plain port, where they are guarded), HTTP/2 with prior knowledge, and after a
 * request asking for an upgrade (WebSocket, h2c). Runs on the connection's event loop.
 */
final class RequestGuard extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(RequestGuard.class);
    private static final byte TLS_HANDSHAKE = 0x16;

    private final GuardOptions options;
    private final boolean healthOnly;
    private final EmbeddedChannel shadow;
    private final ShadowDecoder decoder;
    private ScheduledFuture<?> deadline;
    private boolean inHead = true;
    private boolean seenBytes;
    private boolean done;

    RequestGuard(GuardOptions options, boolean healthOnly) {
        this.options = options;
        this.healthOnly = healthOnly;
        this.decoder = new ShadowDecoder(new HttpDecoderConfig()
                .setMaxInitialLineLength(options.maxInitialLineBytes())
                .setMaxHeaderSize(options.maxHeaderBytes())
                .setMaxChunkSize(1 << 20)
                .setValidateHeaders(false));
        this.shadow = new EmbeddedChannel(decoder);
    }

    /** Netty's request decoder, noting the one normalisation it does silently. */
    private static final class ShadowDecoder extends HttpRequestDecoder {
        boolean bothLengths;

        ShadowDecoder(HttpDecoderConfig config) {
            super(config);
        }

        @Override
        protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
            bothLengths = true;
            super.handleTransferEncodingChunkedWithContentLength(message);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        arm(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (done) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!(msg instanceof ByteBuf bytes) || !bytes.isReadable()) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (!seenBytes && bytes.getByte(bytes.readerIndex()) == TLS_HANDSHAKE) {
            if (healthOnly) {
                bytes.release();
                close(ctx);
                return;
            }
            ctx.fireChannelRead(msg);
            stepAside(ctx);
            return;
        }
        seenBytes = true;
        if (inHead) {
            arm(ctx);
        }
        shadow.writeInbound(bytes.retainedDuplicate());
        Verdict verdict = Verdict.PASS;
        for (Object o = shadow.readInbound(); o != null; o = shadow.readInbound()) {
            try {
                if (verdict == Verdict.PASS) {
                    verdict = inspect((HttpObject) o);
                }
            } finally {
                ReferenceCountUtil.release(o);
            }
        }
        if (verdict instanceof Verdict.Refuse refuse) {
            bytes.release();
            refuse(ctx, refuse);
            return;
        }
        ctx.fireChannelRead(msg);
        if (verdict == Verdict.STEP_ASIDE && !healthOnly) {
            stepAside(ctx);
        }
    }

    private Verdict inspect(HttpObject o) {
        if (o.decoderResult().isFailure()) {
            // Not ours to judge: Vert.x's decoder sees the same bytes and answers 400/414/431 itself.
            return Verdict.STEP_ASIDE;
        }
        if (o instanceof HttpRequest request) {
            inHead = false;
            disarm();
            Verdict v = framing(request);
            decoder.bothLengths = false;
            if (v != Verdict.PASS) {
                return v;
            }
            if (healthOnly && !isHealthProbe(request)) {
                return new Verdict.Refuse(503, ErrorCode.SERVICE_UNAVAILABLE,
                        "The node is at its connection limit (maxConnections); only GET /health is answered");
            }
            if (request.method().name().equals("PRI") || request.headers().contains(HttpHeaderNames.UPGRADE)) {
                return Verdict.STEP_ASIDE;
            }
        }
        if (o instanceof LastHttpContent) {
            inHead = true;
        }
        return Verdict.PASS;
    }

    /** RFC 9112 section 6.1 and 6.3: the framing headers must say one thing, and say it in a coding we know. */
    private Verdict framing(HttpRequest request) {
        List<String> codings = new ArrayList<>();
        for (String value : request.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING)) {
            for (String c : value.split(",")) {
                if (!c.isBlank()) {
                    codings.add(c.trim().toLowerCase(Locale.ROOT));
                }
            }
        }
        if (decoder.bothLengths || (!codings.isEmpty() && request.headers().contains(HttpHeaderNames.CONTENT_LENGTH))) {
            return new Verdict.Refuse(400, ErrorCode.VALIDATION,
                    "A request may not carry both Content-Length and Transfer-Encoding");
        }
        if (codings.isEmpty()) {
            return Verdict.PASS;
        }
        if (!codings.get(codings.size() - 1).equals("chunked") || codings.indexOf("chunked") != codings.size() - 1) {
            return new Verdict.Refuse(400, ErrorCode.VALIDATION,
                    "Transfer-Encoding must end with chunked, applied once: " + String.join(", ", codings));
        }
        if (codings.size() > 1) {
            return new Verdict.Refuse(501, ErrorCode.UNSUPPORTED_OPERATION,
                    "Transfer codings other than chunked are not supported: " + String.join(", ", codings));
        }
        return Verdict.PASS;
    }

    private static boolean isHealthProbe(HttpRequest request) {
        String path = request.uri();
        int query = path.indexOf('?');
        path = query < 0 ? path : path.substring(0, query);
        return request.method().equals(HttpMethod.GET) && (path.equals("/health") || path.equals("/health/live"));
    }

    /**
     * What the bytes read so far allow: pass them on; pass them on and stop reading (what follows is not
     * HTTP/1.x, or not ours to judge); or refuse the connection with an answer.
     */
    private sealed interface Verdict {
        Verdict PASS = new Pass(false);
        Verdict STEP_ASIDE = new Pass(true);

        record Pass(boolean stepAside) implements Verdict {
        }

        record Refuse(int status, ErrorCode code, String message) implements Verdict {
        }
    }

    private void refuse(ChannelHandlerContext ctx, Verdict.Refuse refuse) {
        done = true;
        disarm();
        shadow.finishAndReleaseAll();
        byte[] body = new JsonObject().put("error", new JsonObject().put("code", refuse.code().wireName())
                .put("message", refuse.message())).encode().getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + refuse.status() + " " + reason(refuse.status()) + "\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
        ctx.writeAndFlush(Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), body))
                .addListener(ChannelFutureListener.CLOSE);
    }

    private static String reason(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 501 -> "Not Implemented";
            default -> "Service Unavailable";
        };
    }

    private void arm(ChannelHandlerContext ctx) {
        if (deadline == null) {
            deadline = ctx.executor().schedule(() -> expire(ctx), options.headerReadTimeoutMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void disarm() {
        // A connection of the reserve keeps its deadline: it lives that long at most, whatever it sends.
        if (deadline != null && !healthOnly) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    private void expire(ChannelHandlerContext ctx) {
        if (!done) {
            LOG.debug("Closing connection from {}: no complete request head within {} ms", ctx.channel().remoteAddress(),
                    options.headerReadTimeoutMillis());
            close(ctx);
        }
    }

    private void close(ChannelHandlerContext ctx) {
        done = true;
        shadow.finishAndReleaseAll();
        ctx.close();
    }

    private void stepAside(ChannelHandlerContext ctx) {
        disarm();
        done = true;
        shadow.finishAndReleaseAll();
        ctx.pipeline().remove(this);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (deadline != null) {
            deadline.cancel(false);
        }
        shadow.finishAndReleaseAll();
        ctx.fireChannelInactive();
    }
}
