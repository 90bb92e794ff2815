package dev.torii.authority.config;

import com.nimbusds.jose.jwk.JWK;
import dev.torii.authority.mint.KeyRing;
import dev.torii.authority.verify.KeyFetchMonitor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Reports whether the Authority can exchange credentials: its gRPC server listens and a signing
 * key is loaded. Part of the readiness group, never of liveness.
 *
 * <p>An identity provider or Redis that does not answer is deliberately left out of the status:
 * exchanges then answer UNAVAILABLE (or carry on with the in-process cache), cached exchanges
 * keep working, and taking every replica out of its Service at once would only make it worse.
 * A key endpoint in an outage shows in the details ({@code keyEndpoints}) instead: whether the
 * last good keys are in use and until when.
 */
public final class ExchangeHealthIndicator implements HealthIndicator {

    private final GrpcServerLifecycle grpcServer;
    private final KeyRing keys;
    private final String keySource;
    private final KeyFetchMonitor keyFetches;

    /**
     * Creates the indicator.
     *
     * @param grpcServer the gRPC server that serves exchanges
     * @param keys the signing keys
     * @param keySource where the signing key comes from, for the details
     * @param keyFetches the state of the key endpoints the verifiers fetch from, for the details
     */
    public ExchangeHealthIndicator(GrpcServerLifecycle grpcServer, KeyRing keys, String keySource,
            KeyFetchMonitor keyFetches) {
        this.grpcServer = grpcServer;
        this.keys = keys;
        this.keySource = keySource;
        this.keyFetches = keyFetches;
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
                .withDetail("keyEndpoints", keyEndpoints())
                .build();
    }

    /** The key endpoints that have had trouble, by source; no URL, account or message, as this may be public. */
    private Map<String, Object> keyEndpoints() {
        Map<String, Object> details = new LinkedHashMap<>();
        for (KeyFetchMonitor.Source source : KeyFetchMonitor.Source.values()) {
            KeyFetchMonitor.Snapshot snapshot = keyFetches.snapshot(source);
            if (snapshot.fetchFailures() == 0 && snapshot.staleKeyUses() == 0) {
                continue;
            }
            Map<String, Object> state = new LinkedHashMap<>();
            state.put("state", snapshot.endpointsInOutage() > 0 ? "using last good keys" : "ok");
            state.put("endpointsInOutage", snapshot.endpointsInOutage());
            snapshot.outageSince().ifPresent(since -> state.put("outageSince", since.toString()));
            snapshot.servingStaleUntil().ifPresent(until -> state.put("lastGoodKeysUntil", until.toString()));
            state.put("fetchFailures", snapshot.fetchFailures());
            state.put("staleKeyUses", snapshot.staleKeyUses());
            details.put(source.tag(), state);
        }
        return details;
    }
}
