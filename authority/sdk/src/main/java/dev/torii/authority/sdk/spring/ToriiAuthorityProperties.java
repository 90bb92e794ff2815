package dev.torii.authority.sdk.spring;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Binds the {@code torii.authority.*} properties that configure private-token verification in a
 * Spring Boot backend. Setting {@code torii.private-token.jwks-uri} turns the auto-configuration on.
 *
 * @param jwksUri Where the Authority publishes its keys, usually
 *     http://authority:9091/.well-known/jwks.json.
 * @param issuer The "iss" every private token must carry: the Authority's issuer URL.
 * @param audiences The "aud" values this backend accepts: its gRPC service names, such as
 *     examples.offer.v1.OfferService.
 * @param clockSkew How far the Authority's clock and this host's may disagree when checking
 *     "exp", "nbf" and "iat".
 * @param jwksCacheTtl How long a fetched JWKS is used before it is fetched again.
 * @param jwksRefreshFloor Interval within which at most two JWKS fetches happen, however many
 *     tokens with unknown key ids arrive. Must be shorter than jwks-cache-ttl.
 * @param jwksOutageTolerance How long the last good JWKS keeps serving while the JWKS endpoint
 *     fails.
 */
@ConfigurationProperties("torii.private-token")
public record ToriiAuthorityProperties(
        URI jwksUri,
        String issuer,
        List<String> audiences,
        @DefaultValue("30s") Duration clockSkew,
        @DefaultValue("5m") Duration jwksCacheTtl,
        @DefaultValue("30s") Duration jwksRefreshFloor,
        @DefaultValue("1h") Duration jwksOutageTolerance) {

    /**
     * Binds the properties, checking only that the required ones are present (so a failure names
     * the property); the verifier's builder checks ranges.
     *
     * @param jwksUri the JWKS URL
     * @param issuer the expected issuer
     * @param audiences the accepted audiences
     * @param clockSkew the tolerated clock skew
     * @param jwksCacheTtl the JWKS cache time to live
     * @param jwksRefreshFloor the JWKS refresh floor
     * @param jwksOutageTolerance how long a stale JWKS may serve
     */
    public ToriiAuthorityProperties {
        if (jwksUri == null) {
            throw new IllegalArgumentException(
                    "torii.private-token.jwks-uri is not set (expected: the Authority's JWKS URL)");
        }
        if (issuer == null || issuer.isBlank()) {
            throw new IllegalArgumentException("torii.private-token.issuer: \"" + issuer
                    + "\" (expected: the Authority's issuer URL)");
        }
        if (audiences == null || audiences.isEmpty()) {
            throw new IllegalArgumentException("torii.private-token.audiences is empty (expected: at least this"
                    + " backend's service name)");
        }
        audiences = List.copyOf(audiences);
    }
}
