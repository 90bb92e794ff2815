package dev.torii.gateway.upstream;

import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannelBuilder;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.util.function.Supplier;
import reactor.netty.resources.LoopResources;

/**
 * Puts the upstream channels' connections on the event loops that serve the gateway's HTTP
 * requests (Reactor Netty's), rather than on gRPC's own: a request and its upstream call then
 * run on the same few threads, one per core, instead of twice as many threads taking turns on
 * the cores and handing every message from one to the other. Reactor Netty picks the transport
 * (epoll where it can, NIO elsewhere) and the channel class that goes with it.
 */
public final class UpstreamEventLoops {

    private final Supplier<LoopResources> resources;

    /**
     * Shares the loops of the gateway's HTTP server.
     *
     * @param resources the server's loop resources, asked for when the first channel is built
     *     (the server may create them late)
     */
    public UpstreamEventLoops(Supplier<LoopResources> resources) {
        this.resources = resources;
    }

    /**
     * Starts a channel builder for a target, on the shared loops.
     *
     * @param target the gRPC target
     * @param credentials plaintext or TLS
     * @return the builder
     */
    ManagedChannelBuilder<?> builder(String target, ChannelCredentials credentials) {
        LoopResources loops = resources.get();
        // Colocated: a connection opened from one of the loops stays on that loop.
        EventLoopGroup group = loops.onClient(true);
        Class<? extends SocketChannel> type = loops.onChannelClass(SocketChannel.class, group);
        return NettyChannelBuilder.forTarget(target, credentials).eventLoopGroup(group).channelType(type);
    }
}
