package dev.torii.authority.jwks;

import dev.torii.authority.mint.KeyRing;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Publishes the Authority's public keys (JWKS) and an OIDC-style discovery document, so
 * backends and standard OAuth2 tooling can verify private tokens and find the token endpoint.
 */
@RestController
public final class WellKnownEndpoints {

    /** The JWKS path. */
    public static final String JWKS_PATH = "/.well-known/jwks.json";
    /** The discovery path. */
    public static final String DISCOVERY_PATH = "/.well-known/openid-configuration";
    /** The RFC 8693 token endpoint path. */
    public static final String TOKEN_PATH = "/oauth2/token";

    // Short, because a verifier that sees an unknown kid re-fetches anyway, and a rotation must
    // reach every backend within the overlap window.
    private static final CacheControl JWKS_CACHING = CacheControl.maxAge(java.time.Duration.ofSeconds(60)).cachePublic();

    private final KeyRing keys;
    private final String issuer;
    private final String algorithm;

    /**
     * Creates the endpoints.
     *
     * @param keys the key ring
     * @param issuer the Authority's issuer URL
     * @param algorithm the signing algorithm
     */
    public WellKnownEndpoints(KeyRing keys, String issuer, String algorithm) {
        this.keys = keys;
        this.issuer = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        this.algorithm = algorithm;
    }

    /**
     * Returns the public keys that verify private tokens now.
     *
     * @return the JWK set as JSON
     */
    @GetMapping(path = JWKS_PATH, produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<String> jwks() {
        return ResponseEntity.ok().cacheControl(JWKS_CACHING).body(keys.publicJwks().toString());
    }

    /**
     * Returns the discovery document.
     *
     * @return issuer, JWKS and token endpoint locations and what they support
     */
    @GetMapping(path = DISCOVERY_PATH, produces = MediaType.APPLICATION_JSON_VALUE)
    public Map<String, Object> discovery() {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("issuer", issuer);
        document.put("jwks_uri", issuer + JWKS_PATH);
        document.put("token_endpoint", issuer + TOKEN_PATH);
        document.put("grant_types_supported", List.of(TokenExchangeGrant.GRANT_TYPE));
        document.put("token_endpoint_auth_methods_supported", List.of("none"));
        document.put("response_types_supported", List.of("token"));
        document.put("subject_types_supported", List.of("public"));
        document.put("id_token_signing_alg_values_supported", List.of(algorithm));
        document.put("token_endpoint_auth_signing_alg_values_supported", List.of(algorithm));
        return document;
    }

    /** Names of RFC 8693. */
    public static final class TokenExchangeGrant {
        /** The token-exchange grant type. */
        public static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:token-exchange";

        private TokenExchangeGrant() {}
    }
}
