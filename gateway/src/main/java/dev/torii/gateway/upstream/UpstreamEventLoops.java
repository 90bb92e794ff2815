package dev.torii.gateway.upstream;

import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannelBuilder;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import reactor.netty.http.HttpResources;

/**
 * Puts the upstream channels' connections on the event loops that serve the gateway's HTTP
 * requests (Reactor Netty's), rather than on gRPC's own: a request and its upstream call then
 * run on the same few threads, one per core, instead of twice as many threads taking turns on
 * the cores and handing every message from one to the other. Reactor Netty picks the transport
 * (epoll where it can, NIO elsewhere) and the channel class that goes with it.
 */
final class UpstreamEventLoops {

    private final EventLoopGroup loops;
    private final Class<? extends SocketChannel> channelType;

    private UpstreamEventLoops(EventLoopGroup loops, Class<? extends SocketChannel> channelType) {
        this.loops = loops;
        this.channelType = channelType;
    }

    /**
     * Finds Reactor Netty's loops.
     *
     * @return the loops to build channels on
     */
    static UpstreamEventLoops shared() {
        HttpResources resources = HttpResources.get();
        // Colocated: a connection opened from one of the loops stays on that loop.
        EventLoopGroup group = resources.onClient(true);
        return new UpstreamEventLoops(group, resources.onChannelClass(SocketChannel.class, group));
    }

    /**
     * Starts a channel builder for a target, on the shared loops.
     *
     * @param target the gRPC target
     * @param credentials plaintext or TLS
     * @return the builder
     */
    ManagedChannelBuilder<?> builder(String target, ChannelCredentials credentials) {
        return NettyChannelBuilder.forTarget(target, credentials).eventLoopGroup(loops).channelType(channelType);
    }
}
