package dev.torii.authority.config;

import com.nimbusds.jose.jwk.JWK;
import dev.torii.authority.mint.KeyRing;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Reports whether the Authority can exchange credentials: its gRPC server listens and a signing
 * key is loaded. Part of the readiness group, never of liveness.
 *
 * <p>An identity provider or Redis that does not answer is deliberately left out: exchanges
 * then answer UNAVAILABLE (or carry on with the in-process cache), cached exchanges keep
 * working, and taking every replica out of its Service at once would only make it worse.
 */
public final class ExchangeHealthIndicator implements HealthIndicator {

    private final GrpcServerLifecycle grpcServer;
    private final KeyRing keys;
    private final String keySource;

    /**
     * Creates the indicator.
     *
     * @param grpcServer the gRPC server that serves exchanges
     * @param keys the signing keys
     * @param keySource where the signing key comes from, for the details
     */
    public ExchangeHealthIndicator(GrpcServerLifecycle grpcServer, KeyRing keys, String keySource) {
        this.grpcServer = grpcServer;
        this.keys = keys;
        this.keySource = keySource;
    }

    /**
     * Tells whether exchanges can be served, with the gRPC port and the signing key's id.
     *
     * @return UP when the gRPC server listens and a key signs, DOWN otherwise
     */
    @Override
    public Health health() {
        int port = grpcServer.port();
        if (port < 0) {
            return Health.down().withDetail("reason", "the gRPC server is not listening (starting or shutting down)")
                    .build();
        }
        // A key ring always holds a signing key: start-up fails without one.
        JWK signing = keys.signingKey();
        return Health.up()
                .withDetail("grpcPort", port)
                .withDetail("signingKeyId", signing.getKeyID())
                .withDetail("publishedKeys", keys.publicJwks().getKeys().size())
                .withDetail("keySource", keySource)
                .build();
    }
}
