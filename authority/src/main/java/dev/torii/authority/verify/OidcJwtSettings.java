package dev.torii.authority.verify;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Configures verification of JWT access tokens issued by an OIDC provider, against its JWKS.
 *
 * @param issuer the expected {@code iss}
 * @param jwksUri the provider's JWKS; when absent, {@code issuer + "/.well-known/jwks.json"}
 * @param audiences accepted {@code aud} values; empty accepts any
 * @param clockSkew tolerance on {@code exp} and {@code nbf}
 * @param jwksCacheTtl how long fetched keys are trusted before a refresh, when the JWKS gives no
 *     {@code Cache-Control: max-age} (see {@link KeyEndpointSettings})
 * @param jwksRefreshFloor the shortest time between two fetches caused by an unknown {@code kid},
 *     so forged key ids cannot hammer the provider
 * @param timeout how long one JWKS fetch may take
 * @param scopeClaim the claim holding the user's scopes (space-separated string or array)
 */
public record OidcJwtSettings(
        Optional<String> issuer,
        Optional<URI> jwksUri,
        @DefaultValue List<String> audiences,
        @DefaultValue("30s") Duration clockSkew,
        @DefaultValue("5m") Duration jwksCacheTtl,
        @DefaultValue("30s") Duration jwksRefreshFloor,
        @DefaultValue("2s") Duration timeout,
        @DefaultValue("scope") String scopeClaim) {

    /**
     * Treats absent values as empty (Spring binds an absent Optional as null).
     */
    public OidcJwtSettings {
        issuer = issuer == null ? Optional.empty() : issuer;
        jwksUri = jwksUri == null ? Optional.empty() : jwksUri;
    }
}
