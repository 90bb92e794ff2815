package dev.torii.gateway.traffic;

import io.lettuce.core.resource.EpollProvider;
import io.lettuce.core.resource.EventLoopGroupProvider;
import io.lettuce.core.resource.IOUringProvider;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Lends Lettuce event loops it does not own: Reactor Netty's, which also serve the gateway's
 * HTTP requests. Lettuce registers its connections on them and never shuts them down; Reactor
 * Netty does, when the server stops.
 */
final class SharedEventLoops implements EventLoopGroupProvider {

    private final EventLoopGroup loops;

    SharedEventLoops(EventLoopGroup loops) {
        this.loops = loops;
    }

    /**
     * Tells whether Lettuce and Reactor Netty both use epoll here, so that Lettuce's channels can
     * be registered on Reactor Netty's loops. Elsewhere (macOS, or either told not to use native
     * transports) each keeps its own.
     *
     * @return whether the loops can be shared
     */
    static boolean usable() {
        return EpollProvider.isAvailable() && !IOUringProvider.isAvailable()
                && Boolean.parseBoolean(System.getProperty("reactor.netty.native", "true"));
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends EventLoopGroup> T allocate(Class<T> type) {
        return (T) loops;
    }

    @Override
    public int threadPoolSize() {
        return Runtime.getRuntime().availableProcessors();
    }

    @Override
    public Future<Boolean> release(EventExecutorGroup eventLoopGroup, long quietPeriod, long timeout, TimeUnit unit) {
        return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
    }

    @Override
    public Future<Boolean> shutdown(long quietPeriod, long timeout, TimeUnit unit) {
        return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
    }
}
