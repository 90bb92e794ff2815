package dev.torii.gateway.grpc;

import dev.torii.gateway.route.UpstreamTarget;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns one long-lived gRPC channel per upstream, shared by every request and every route that
 * names the same target and TLS settings, and shuts them down gracefully.
 */
public final class UpstreamChannels implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UpstreamChannels.class);
    private static final String USER_AGENT = "torii-gateway";

    private final Map<UpstreamTarget, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final int maxResponseBytes;
    private final Duration shutdownGrace;

    /**
     * Creates an empty set of channels.
     *
     * @param maxResponseBytes largest upstream response message accepted
     * @param shutdownGrace how long channels may drain in-flight calls on {@link #close()}
     */
    public UpstreamChannels(int maxResponseBytes, Duration shutdownGrace) {
        this.maxResponseBytes = maxResponseBytes;
        this.shutdownGrace = shutdownGrace;
    }

    /**
     * Creates the channels of {@code targets} that do not exist yet and starts connecting them,
     * so the first request does not pay for the connection.
     *
     * @param targets the upstreams the routes use
     */
    public void open(Collection<UpstreamTarget> targets) {
        for (UpstreamTarget target : targets) {
            channel(target).getState(true);
        }
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
        ManagedChannelBuilder<?> builder = Grpc.newChannelBuilder(target.target(), credentials(target.tls()))
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
        log.info("upstream channel to {} created", target);
        return builder.build();
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
     * Returns the upstreams that have a channel.
     *
     * @return the upstreams
     */
    public Collection<UpstreamTarget> targets() {
        return channels.keySet();
    }

    /**
     * Stops taking new calls on every channel, lets in-flight calls finish within the grace
     * period, then cancels what is left.
     */
    @Override
    public void close() {
        channels.values().forEach(ManagedChannel::shutdown);
        long deadline = System.nanoTime() + shutdownGrace.toNanos();
        for (Map.Entry<UpstreamTarget, ManagedChannel> entry : channels.entrySet()) {
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                if (!entry.getValue().awaitTermination(left, TimeUnit.NANOSECONDS)) {
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
