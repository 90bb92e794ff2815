package dev.torii.gateway.upstream;

import dev.torii.gateway.route.UpstreamTarget;
import io.grpc.ChannelCredentials;
import io.grpc.ConnectivityState;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.TaskScheduler;
import reactor.netty.http.HttpResources;

/**
 * Owns one long-lived gRPC channel per upstream, shared by every request and every route that
 * names the same target and TLS settings, and shuts them down gracefully: all of them on
 * {@link #close()}, and after a route reload those no route uses any more.
 */
public final class UpstreamChannels implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UpstreamChannels.class);
    private static final String USER_AGENT = "torii-gateway";

    private final Map<UpstreamTarget, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final UpstreamEventLoops loops;
    private final int maxResponseBytes;
    private final Duration shutdownGrace;
    // Guards inUse against a retirement deciding while a reload changes what is in use.
    private final Object retirementLock = new Object();
    private Set<UpstreamTarget> inUse = Set.of();
    // Retired channels still finishing their calls, cancelled by close().
    private final Set<ManagedChannel> draining = ConcurrentHashMap.newKeySet();
    private final TaskScheduler scheduler;
    private volatile boolean closed;

    /**
     * Creates an empty set of channels.
     *
     * @param maxResponseBytes largest upstream response message accepted
     * @param shutdownGrace how long channels may drain in-flight calls, on {@link #close()} and
     *     when retired
     * @param scheduler runs retirements; they never wait on its threads
     * @param loops the event loops the channels' connections run on
     */
    public UpstreamChannels(int maxResponseBytes, Duration shutdownGrace, TaskScheduler scheduler,
            UpstreamEventLoops loops) {
        this.maxResponseBytes = maxResponseBytes;
        this.shutdownGrace = shutdownGrace;
        this.scheduler = scheduler;
        this.loops = loops;
    }

    /**
     * Creates an empty set of channels on Reactor Netty's global event loops.
     *
     * @param maxResponseBytes largest upstream response message accepted
     * @param shutdownGrace how long channels may drain in-flight calls
     * @param scheduler runs retirements
     */
    public UpstreamChannels(int maxResponseBytes, Duration shutdownGrace, TaskScheduler scheduler) {
        this(maxResponseBytes, shutdownGrace, scheduler, new UpstreamEventLoops(HttpResources::get));
    }

    /**
     * Creates the channels of {@code targets} that do not exist yet and starts connecting them,
     * so the first request does not pay for the connection.
     *
     * @param targets the upstreams the routes use
     */
    public void open(Collection<UpstreamTarget> targets) {
        synchronized (retirementLock) {
            Set<UpstreamTarget> used = new HashSet<>(inUse);
            used.addAll(targets);
            inUse = Set.copyOf(used);
        }
        for (UpstreamTarget target : targets) {
            channel(target).getState(true);
        }
    }

    /**
     * Closes the channels of upstreams no route uses any more, once they have drained.
     *
     * <p>A retired channel first keeps serving for {@code settle}: requests matched against the
     * previous route table may still be on their way to it, and none outlives its route's
     * timeout. Then it stops taking calls, has the shutdown grace to finish those in flight, and
     * what is left is cancelled. An upstream that comes back into use before then keeps its
     * channel. Runs on the scheduler, never on the request path.
     *
     * @param used the upstreams of the routes in force
     * @param settle how long requests matched against the previous routes may still start calls:
     *     the longest timeout of those routes
     */
    public void retainOnly(Collection<UpstreamTarget> used, Duration settle) {
        Set<UpstreamTarget> kept = Set.copyOf(used);
        synchronized (retirementLock) {
            inUse = kept;
        }
        for (UpstreamTarget target : channels.keySet()) {
            if (!kept.contains(target)) {
                later(() -> retire(target), settle);
            }
        }
    }

    /**
     * Closes the channels of these upstreams, once they have drained, unless a route in force
     * uses them; the channels of every other upstream stay as they are (a retirement a reload
     * scheduled keeps its settle time).
     *
     * @param targets upstreams that were called outside the routes in force, such as the
     *     warm-up's built-in one
     */
    public void retire(Collection<UpstreamTarget> targets) {
        for (UpstreamTarget target : targets) {
            if (channels.containsKey(target)) {
                later(() -> retire(target), Duration.ZERO);
            }
        }
    }

    private void later(Runnable task, Duration delay) {
        if (closed) {
            return;
        }
        try {
            scheduler.schedule(task, scheduler.getClock().instant().plus(delay));
        } catch (RejectedExecutionException e) {
            // The gateway is stopping: close() ends every channel.
            log.debug("not scheduled, the scheduler is shutting down: {}", e.toString());
        }
    }

    private void retire(UpstreamTarget target) {
        ManagedChannel channel;
        synchronized (retirementLock) {
            if (inUse.contains(target)) {
                return;
            }
            channel = channels.remove(target);
        }
        if (channel == null) {
            return;
        }
        log.info("upstream channel to {} closing: no route uses it any more", target);
        draining.add(channel);
        channel.shutdown();
        if (channel.isTerminated()) {
            draining.remove(channel);
            return;
        }
        later(() -> {
            draining.remove(channel);
            if (!channel.isTerminated()) {
                log.warn("upstream channel to {} still busy after {}; cancelling its calls", target, shutdownGrace);
                channel.shutdownNow();
            }
        }, shutdownGrace);
    }

    /**
     * Tells the connectivity state of an upstream's channel, without connecting it.
     *
     * @param target the upstream
     * @return its channel's state, or empty when it has no channel
     */
    public Optional<ConnectivityState> state(UpstreamTarget target) {
        return existing(target).map(channel -> channel.getState(false));
    }

    /**
     * Returns an upstream's channel if it has one, without creating it.
     */
    Optional<ManagedChannel> existing(UpstreamTarget target) {
        return Optional.ofNullable(channels.get(target));
    }

    /**
     * Returns the channel of an upstream, creating it on first use.
     *
     * @param target the upstream
     * @return its channel
     */
    public ManagedChannel channel(UpstreamTarget target) {
        ManagedChannel channel = channels.get(target);
        return channel != null ? channel : channels.computeIfAbsent(target, this::create);
    }

    private ManagedChannel create(UpstreamTarget target) {
        ManagedChannel channel = loops.build(target.target(), credentials(target.tls()), builder -> {
            builder
                    // Spreads calls over every address a name resolves to (for example a headless
                    // Kubernetes Service) instead of pinning them all to the first.
                    .defaultLoadBalancingPolicy("round_robin")
                    .maxInboundMessageSize(maxResponseBytes)
                    .userAgent(USER_AGENT)
                    // grpc-java's retry machinery wraps every call in a buffering RetriableStream, a
                    // tenth of the gateway's per-call CPU; retries are the gateway's own decision per
                    // route (budgeted, inside the deadline), not the channel's.
                    .disableRetry()
                    // Listener callbacks only complete a reactive sink; running them on the transport
                    // thread saves a thread hop per call.
                    .directExecutor();
            target.tls().serverName().ifPresent(builder::overrideAuthority);
        });
        log.info("upstream channel to {} created: {}", target, channel);
        return channel;
    }

    private static ChannelCredentials credentials(UpstreamTarget.Tls tls) {
        if (!tls.enabled()) {
            return InsecureChannelCredentials.create();
        }
        TlsChannelCredentials.Builder builder = TlsChannelCredentials.newBuilder();
        try {
            if (tls.caFile().isPresent()) {
                builder.trustManager(tls.caFile().get().toFile());
            }
            if (tls.certificateFile().isPresent() && tls.privateKeyFile().isPresent()) {
                builder.keyManager(tls.certificateFile().get().toFile(), tls.privateKeyFile().get().toFile());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("upstream TLS material cannot be read: " + e.getMessage(), e);
        }
        return builder.build();
    }

    /**
     * Tells whether {@link #close()} has begun: from then on no channel takes new calls, and the
     * gateway must not be counted ready.
     *
     * @return whether the channels are closing or closed
     */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Returns the upstreams that have a channel.
     *
     * @return the upstreams
     */
    public Collection<UpstreamTarget> targets() {
        return channels.keySet();
    }

    /**
     * Stops taking new calls on every channel, lets in-flight calls finish within the grace
     * period, then cancels what is left. Runs once; later calls do nothing.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // A retired channel still draining is cancelled; retirements not begun find no channel.
        draining.forEach(ManagedChannel::shutdownNow);
        log.info("closing {} upstream channel(s): no new calls; calls in flight have {} to finish",
                channels.size(), shutdownGrace);
        channels.values().forEach(ManagedChannel::shutdown);
        long deadline = System.nanoTime() + shutdownGrace.toNanos();
        for (Map.Entry<UpstreamTarget, ManagedChannel> entry : channels.entrySet()) {
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                if (entry.getValue().awaitTermination(left, TimeUnit.NANOSECONDS)) {
                    log.info("upstream channel to {} closed", entry.getKey());
                } else {
                    log.warn("upstream channel to {} still busy after {}; cancelling its calls",
                            entry.getKey(), shutdownGrace);
                    entry.getValue().shutdownNow();
                }
            } catch (InterruptedException e) {
                entry.getValue().shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        channels.clear();
    }
}
