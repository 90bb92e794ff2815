package dev.torii.gateway.upstream;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.netty.channel.EventLoop;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One upstream's channel, made of one connection per event loop, as Envoy gives each worker
 * thread a connection pool of its own: a call starts on the connection of the loop its request
 * runs on, so the request, its upstream call and its answer stay on one thread, with no hand-over
 * between loops and no wake-up of another one. A call started off the loops (a retry timer)
 * takes the connection its thread hashes to. The upstream also sees as many connections as the
 * gateway has loops, and can spread them over its own.
 *
 * <p>Its state is the aggregate of its connections' as gRPC load balancers report it: ready when
 * one is ready, else connecting, else failing, else idle; shut down when all are.
 */
final class LoopLocalChannel extends ManagedChannel {

    private final List<EventLoop> loops;
    private final List<ManagedChannel> channels;

    /**
     * @param loops the event loops, in the order of {@code channels}
     * @param channels one channel per loop, each with its connections on that loop
     */
    LoopLocalChannel(List<EventLoop> loops, List<ManagedChannel> channels) {
        if (loops.size() != channels.size() || loops.isEmpty()) {
            throw new IllegalArgumentException("one channel per event loop: " + loops.size() + " loops, "
                    + channels.size() + " channels");
        }
        this.loops = List.copyOf(loops);
        this.channels = List.copyOf(channels);
    }

    /**
     * Returns the channel whose connections run on the calling thread's loop.
     *
     * @return that channel, or one picked by thread when the caller is on no loop
     */
    ManagedChannel local() {
        for (int i = 0; i < loops.size(); i++) {
            if (loops.get(i).inEventLoop()) {
                return channels.get(i);
            }
        }
        return channels.get(Math.floorMod(Thread.currentThread().hashCode(), channels.size()));
    }

    @Override
    public <Q, R> ClientCall<Q, R> newCall(MethodDescriptor<Q, R> method, CallOptions options) {
        return local().newCall(method, options);
    }

    @Override
    public String authority() {
        return channels.get(0).authority();
    }

    @Override
    public ConnectivityState getState(boolean requestConnection) {
        boolean ready = false;
        boolean connecting = false;
        boolean failing = false;
        boolean idle = false;
        // Every connection is asked, so requestConnection reaches each of them.
        for (ManagedChannel channel : channels) {
            switch (channel.getState(requestConnection)) {
                case READY -> ready = true;
                case CONNECTING -> connecting = true;
                case TRANSIENT_FAILURE -> failing = true;
                case IDLE -> idle = true;
                case SHUTDOWN -> { }
            }
        }
        if (ready) {
            return ConnectivityState.READY;
        }
        if (connecting) {
            return ConnectivityState.CONNECTING;
        }
        if (failing) {
            return ConnectivityState.TRANSIENT_FAILURE;
        }
        return idle ? ConnectivityState.IDLE : ConnectivityState.SHUTDOWN;
    }

    @Override
    public void resetConnectBackoff() {
        channels.forEach(ManagedChannel::resetConnectBackoff);
    }

    @Override
    public void enterIdle() {
        channels.forEach(ManagedChannel::enterIdle);
    }

    @Override
    public ManagedChannel shutdown() {
        channels.forEach(ManagedChannel::shutdown);
        return this;
    }

    @Override
    public ManagedChannel shutdownNow() {
        channels.forEach(ManagedChannel::shutdownNow);
        return this;
    }

    @Override
    public boolean isShutdown() {
        return channels.stream().allMatch(ManagedChannel::isShutdown);
    }

    @Override
    public boolean isTerminated() {
        return channels.stream().allMatch(ManagedChannel::isTerminated);
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        for (ManagedChannel channel : channels) {
            if (!channel.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "LoopLocalChannel{" + channels.size() + " connections, " + channels.get(0).authority() + "}";
    }
}
