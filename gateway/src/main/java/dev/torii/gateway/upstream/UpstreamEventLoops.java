package dev.torii.gateway.upstream;

import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
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
     * Builds a target's channel on the shared loops: a {@link LoopLocalChannel} with a connection
     * per loop, or a plain channel when there is one loop.
     *
     * @param target the gRPC target
     * @param credentials plaintext or TLS
     * @param settings applies the caller's settings to each loop's builder
     * @return the channel
     */
    ManagedChannel build(String target, ChannelCredentials credentials, Consumer<ManagedChannelBuilder<?>> settings) {
        LoopResources loopResources = resources.get();
        EventLoopGroup group = loopResources.onServer(true);
        Class<? extends SocketChannel> type = loopResources.onChannelClass(SocketChannel.class, group);
        List<EventLoop> loops = new ArrayList<>();
        group.forEach(executor -> loops.add((EventLoop) executor));
        List<ManagedChannel> channels = new ArrayList<>(loops.size());
        for (EventLoop loop : loops) {
            // An event loop is a group of one: every connection of this channel runs on it.
            ManagedChannelBuilder<?> builder = NettyChannelBuilder.forTarget(target, credentials)
                    .eventLoopGroup(loop).channelType(type);
            settings.accept(builder);
            channels.add(builder.build());
        }
        return channels.size() == 1 ? channels.get(0) : new LoopLocalChannel(loops, channels);
    }
}
