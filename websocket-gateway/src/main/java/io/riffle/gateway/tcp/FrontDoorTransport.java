package io.riffle.gateway.tcp;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.ClientOptionsBase;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.transport.Transport;
import java.util.concurrent.ThreadFactory;

/**
 * Vert.x's NIO transport with an {@link AcceptGuard} on every listening TCP socket: the one place where a
 * node sees connections before Vert.x does (Vert.x has no connection limit, and its HTTP server learns of a
 * connection only once the first bytes tell HTTP/1.x from HTTP/2). Install it when building the node's
 * Vert.x: {@code Vertx.builder().withTransport(FrontDoorTransport.nio(options))}. Everything else is NIO's.
 *
 * <p>It guards the front doors only: HTTP servers and TLS servers (the optional TLS port, whose relay
 * {@link RequestGuard} steps out of). Any other plain TCP server of the instance, the clustered event
 * bus's above all, speaks its own protocol and is left alone: a guard would close it as bad HTTP.
 */
public final class FrontDoorTransport implements Transport {
    private final io.vertx.core.spi.transport.Transport nio = Transport.NIO.implementation();
    private final AcceptGuard guard;

    private FrontDoorTransport(GuardOptions options) {
        this.guard = new AcceptGuard(options);
    }

    public static FrontDoorTransport nio(GuardOptions options) {
        return new FrontDoorTransport(options);
    }

    @Override
    public String name() {
        return "nio+guard";
    }

    @Override
    public boolean available() {
        return true;
    }

    @Override
    public Throwable unavailabilityCause() {
        return null;
    }

    @Override
    public io.vertx.core.spi.transport.Transport implementation() {
        return new Guarded();
    }

    /** Whether a server with these options is a front door: an HTTP server or a TLS port. */
    static boolean guards(NetServerOptions options) {
        return options instanceof HttpServerOptions || options.isSsl();
    }

    /** NIO, but for the server channels. */
    private final class Guarded implements io.vertx.core.spi.transport.Transport {
        @Override
        public ChannelFactory<? extends ServerChannel> serverChannelFactory(boolean domainSocket) {
            return nio.serverChannelFactory(domainSocket);
        }

        @Override
        public boolean supportsDomainSockets() {
            return nio.supportsDomainSockets();
        }

        @Override
        public boolean supportFileRegion() {
            return nio.supportFileRegion();
        }

        @Override
        public boolean isAvailable() {
            return nio.isAvailable();
        }

        @Override
        public Throwable unavailabilityCause() {
            return nio.unavailabilityCause();
        }

        @Override
        public java.net.SocketAddress convert(SocketAddress address) {
            return nio.convert(address);
        }

        @Override
        public SocketAddress convert(java.net.SocketAddress address) {
            return nio.convert(address);
        }

        @Override
        public IoHandlerFactory ioHandlerFactory() {
            return nio.ioHandlerFactory();
        }

        @Override
        public EventLoopGroup eventLoopGroup(int type, int threads, ThreadFactory factory, int ioRatio) {
            return nio.eventLoopGroup(type, threads, factory, ioRatio);
        }

        @Override
        public DatagramChannel datagramChannel() {
            return nio.datagramChannel();
        }

        @Override
        public DatagramChannel datagramChannel(InternetProtocolFamily family) {
            return nio.datagramChannel(family);
        }

        @Override
        public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) {
            return nio.channelFactory(domainSocket);
        }

        @Override
        public void configure(DatagramChannel channel, DatagramSocketOptions options) {
            nio.configure(channel, options);
        }

        @Override
        public void configure(ClientOptionsBase options, int connectTimeout, boolean domainSocket, Bootstrap bootstrap) {
            nio.configure(options, connectTimeout, domainSocket, bootstrap);
        }

        @Override
        public void configure(NetServerOptions options, boolean domainSocket, ServerBootstrap bootstrap) {
            nio.configure(options, domainSocket, bootstrap);
            // Vert.x configures each server's bootstrap before binding it and sets no handler of its own: the
            // listening socket's pipeline gets the guard ahead of the bootstrap's acceptor.
            if (!domainSocket && guards(options)) {
                bootstrap.handler(guard);
            }
        }
    }
}
