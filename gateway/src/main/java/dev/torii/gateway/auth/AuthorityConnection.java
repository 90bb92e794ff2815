package dev.torii.gateway.auth;

import dev.torii.gateway.observe.GatewayMetrics;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ssl.SslBundles;

/**
 * Owns the gateway's one long-lived channel to the Authority, created at start-up (connecting
 * eagerly) when an Authority is configured, and closed gracefully on shutdown. Without one, the
 * client refuses every exchange with UNAVAILABLE; the route loader makes sure no protected route
 * exists then.
 */
public final class AuthorityConnection implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AuthorityConnection.class);

    private final ManagedChannel channel;
    private final AuthorityClient client;
    private final Duration shutdownGrace;

    /**
     * Opens the channel.
     *
     * @param settings where the Authority is and how to secure the link
     * @param sslBundles the application's SSL bundles, for {@code tls-bundle}; may be null when
     *     none is named
     * @param shutdownGrace how long in-flight exchanges may finish on shutdown
     * @param metrics records each exchange
     */
    public AuthorityConnection(AuthorityProperties settings, SslBundles sslBundles, Duration shutdownGrace,
            GatewayMetrics metrics) {
        String target = settings.target().orElse("dns:///authority.invalid:9090");
        ChannelCredentials credentials = AuthorityChannelCredentials.of(settings.tls(), settings.tlsBundle(), sslBundles);
        this.channel = Grpc.newChannelBuilder(target, credentials)
                .defaultLoadBalancingPolicy("round_robin")
                .userAgent("torii-gateway")
                // Callbacks only complete a future; no hop to another executor.
                .directExecutor()
                .build();
        this.client = new AuthorityClient(channel, settings.timeout(), metrics);
        this.shutdownGrace = shutdownGrace;
        if (settings.target().isPresent()) {
            channel.getState(true);
            log.info("Authority channel to {} ({}) created", target, settings.tlsBundle()
                    .map(bundle -> "tls, SSL bundle '" + bundle + "'").orElse(settings.tls() ? "tls" : "plaintext"));
        }
    }

    /**
     * Returns the client that calls the Authority over this connection.
     *
     * @return the client
     */
    public AuthorityClient client() {
        return client;
    }

    @Override
    public void close() {
        channel.shutdown();
        try {
            if (!channel.awaitTermination(shutdownGrace.toMillis(), TimeUnit.MILLISECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
