package io.riffle.gateway.tcp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits on a listening socket's pipeline ahead of Netty's acceptor, so it sees each accepted connection
 * before Vert.x sets it up: counts it against the {@link ConnectionLimit}, closes it at once beyond the
 * reserve, and otherwise puts a {@link RequestGuard} first in its pipeline.
 */
@ChannelHandler.Sharable
final class AcceptGuard extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(AcceptGuard.class);

    private final GuardOptions options;

    AcceptGuard(GuardOptions options) {
        this.options = options;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel child = (Channel) msg;
        ConnectionLimit limit = options.limit();
        ConnectionLimit.Admission admission = limit.admit();
        if (admission == ConnectionLimit.Admission.REFUSED) {
            limit.release();
            LOG.debug("Refused a connection from {}: {} connections open, limit {}", child.remoteAddress(),
                    limit.open(), limit.max());
            // Not registered yet: close the socket directly, as Netty's own acceptor does on failure.
            child.unsafe().closeForcibly();
            return;
        }
        child.closeFuture().addListener(f -> limit.release());
        child.pipeline().addLast(new RequestGuard(options, admission == ConnectionLimit.Admission.HEALTH_ONLY));
        ctx.fireChannelRead(child);
    }
}
