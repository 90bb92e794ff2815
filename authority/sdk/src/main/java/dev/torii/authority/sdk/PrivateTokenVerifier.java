package dev.torii.authority.sdk;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.net.URI;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verifies Torii private tokens: the JWTs the Authority mints for one backend, signed with a key
 * published at the Authority's JWKS URL.
 *
 * <p>A token is accepted only when all of these hold:
 * <ul>
 *   <li>it is at most {@value #MAX_TOKEN_LENGTH} characters (checked before any parsing);
 *   <li>it is a compact JWS signed with RS256 or ES256 ({@code none}, HMAC and encrypted tokens are
 *       refused) and its {@code kid} names a key in the JWKS; {@code jku}, {@code x5u} and embedded
 *       {@code jwk} headers are never followed;
 *   <li>{@code iss} is the configured issuer and {@code aud} is exactly one of the accepted
 *       audiences;
 *   <li>{@code exp} is in the future and {@code nbf} and {@code iat} are not, each within the clock
 *       skew;
 *   <li>{@code sub}, {@code jti} and a {@code principal_type} of "user" or "service_account" are
 *       present.
 * </ul>
 *
 * <p>The JWKS is fetched on first use and cached for {@link Builder#jwksCacheTtl}. A token with an
 * unknown {@code kid} (the Authority rotated its key) triggers an early refetch, but at most two
 * fetches happen per {@link Builder#jwksRefreshFloor} so forged kids cannot hammer the Authority.
 * While the Authority is unreachable the last good JWKS keeps serving for
 * {@link Builder#jwksOutageTolerance}.
 *
 * <p>Instances are thread-safe and meant to be shared: build one per process. {@link #verify} may
 * block while it fetches the JWKS (bounded by two-second HTTP timeouts), so call it from a worker
 * thread, never from an event loop.
 *
 * <pre>{@code
 * PrivateTokenVerifier verifier = PrivateTokenVerifier.builder()
 *         .jwksUri(URI.create("http://authority:9091/.well-known/jwks.json"))
 *         .issuer("http://authority:9091")
 *         .audience("examples.offer.v1.OfferService")
 *         .build();
 * VerifiedPrincipal caller = verifier.verify(token);
 * }</pre>
 */
public final class PrivateTokenVerifier {

    /** Longest token accepted, in characters; a real private token is well under 2 KiB. */
    public static final int MAX_TOKEN_LENGTH = 16 * 1024;

    /** The only signature algorithms the Authority uses. */
    private static final List<JWSAlgorithm> ALGORITHMS = List.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);

    private final RemoteJwks jwks;
    private final Duration refreshFloor;
    private final DefaultJWTProcessor<SecurityContext> processor;
    private final int verifiedCacheSize;
    private final Clock clock;
    // Verified tokens by their exact text: the gateway reuses one private token for minutes, and
    // checking a signature costs far more than a map lookup. An entry is served only while its
    // token is unexpired and its signing key is still in the JWKS last fetched (a key the
    // Authority withdrew stops its tokens at the next fetch); the map is cleared whenever it
    // fills, which keeps it bounded without a cache library in every backend.
    private record Verified(VerifiedPrincipal principal, String keyId) {}

    private final Map<String, Verified> verified = new ConcurrentHashMap<>();

    private PrivateTokenVerifier(Builder builder) {
        this.verifiedCacheSize = builder.verifiedCacheSize;
        this.clock = builder.clock;
        this.jwks = new RemoteJwks(builder.jwksUri, builder.jwksCacheTtl, builder.jwksRefreshFloor,
                builder.jwksOutageTolerance);
        this.refreshFloor = builder.jwksRefreshFloor;
        this.processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(Set.copyOf(ALGORITHMS), jwks.source()));
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(
                JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), null));
        processor.setJWTClaimsSetVerifier(new PrivateTokenClaimsVerifier(
                builder.issuer, Set.copyOf(builder.audiences), builder.clockSkew, builder.clock));
    }

    /**
     * Starts a verifier configuration.
     *
     * @return a builder; {@link Builder#jwksUri}, {@link Builder#issuer} and at least one
     *     {@link Builder#audience} are required
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Verifies {@code token} and describes its caller.
     *
     * @param token a private token, without any "Bearer " prefix
     * @return the verified caller
     * @throws PrivateTokenException if the token is refused; the message says why
     * @throws JwksUnavailableException if the token cannot be judged because the JWKS cannot be
     *     fetched; answer with a retryable error
     */
    public VerifiedPrincipal verify(String token) {
        if (verifiedCacheSize > 0 && token != null) {
            Verified known = verified.get(token);
            if (known != null) {
                JWKSet keys = jwks.lastFetched();
                if (clock.instant().isBefore(known.principal().expiresAt())
                        && (keys == null || keys.getKeyByKeyId(known.keyId()) != null)) {
                    return known.principal();
                }
                verified.remove(token);
            }
        }
        SignedJWT jwt = parse(token);
        VerifiedPrincipal principal = verifyUncached(jwt, token);
        if (verifiedCacheSize > 0) {
            if (verified.size() >= verifiedCacheSize) {
                verified.clear();
            }
            verified.put(token, new Verified(principal, jwt.getHeader().getKeyID()));
        }
        return principal;
    }

    private VerifiedPrincipal verifyUncached(SignedJWT jwt, String token) {
        JWTClaimsSet claims;
        try {
            claims = processor.process(jwt, null);
        } catch (PrivateTokenClaimsVerifier.Rejected e) {
            throw new PrivateTokenException("private token rejected: " + e.getMessage(), e);
        } catch (BadJWSException e) {
            throw new PrivateTokenException("private token rejected: signature does not verify with the JWKS key kid="
                    + Untrusted.quote(jwt.getHeader().getKeyID()), e);
        } catch (BadJOSEException e) {
            if (e.getMessage() != null && e.getMessage().contains("no matching key")) {
                throw unknownKey(jwt.getHeader(), "", e);
            }
            throw new PrivateTokenException("private token rejected: " + Untrusted.quote(e.getMessage()), e);
        } catch (RateLimitReachedException e) {
            throw rateLimited(jwt.getHeader(), e);
        } catch (KeySourceException e) {
            throw new JwksUnavailableException(jwks.uri(),
                    "cannot fetch the JWKS at " + jwks.uri() + " to verify the private token: " + e.getMessage(), e);
        } catch (JOSEException e) {
            throw new PrivateTokenException("private token rejected: " + Untrusted.quote(e.getMessage()), e);
        }
        return principal(claims, token);
    }

    /**
     * Refuses what is visibly not a private token before any key lookup, with a precise reason.
     * Parser exceptions are not kept as causes: their messages may quote parts of the token.
     */
    private static SignedJWT parse(String token) {
        if (token == null || token.isEmpty()) {
            throw new PrivateTokenException("no private token (expected: a JWT)");
        }
        // Before parsing: a huge token would cost base64 and JSON work on every request.
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw new PrivateTokenException("private token is " + token.length()
                    + " characters long (expected: at most " + MAX_TOKEN_LENGTH + ")");
        }
        JWT parsed;
        try {
            parsed = JWTParser.parse(token);
        } catch (ParseException e) {
            throw new PrivateTokenException("private token is malformed (expected: a compact JWS, three base64url parts"
                    + " with a JSON header and JSON claims)");
        }
        if (parsed instanceof PlainJWT) {
            throw new PrivateTokenException(
                    "private token is unsigned, alg is none (expected: one of " + ALGORITHMS + ")");
        }
        if (parsed instanceof EncryptedJWT) {
            throw new PrivateTokenException("private token is encrypted (expected: a signed JWS with one of "
                    + ALGORITHMS + ")");
        }
        SignedJWT jwt = (SignedJWT) parsed;
        JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
        if (!ALGORITHMS.contains(alg)) {
            throw new PrivateTokenException("private token alg is " + Untrusted.quote(alg) + " (expected: one of "
                    + ALGORITHMS + ")");
        }
        String kid = jwt.getHeader().getKeyID();
        if (kid == null || kid.isEmpty()) {
            throw new PrivateTokenException("private token has no kid header (expected: the id of a key in the JWKS)");
        }
        try {
            // Parsed here, not inside the processor, so a broken payload gets this message rather
            // than a JSON parser's, which may quote the payload.
            jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new PrivateTokenException("private token claims are malformed (expected: a JSON object with"
                    + " well-typed registered claims)");
        }
        return jwt;
    }

    private PrivateTokenException unknownKey(JWSHeader header, String detail, Exception cause) {
        return new PrivateTokenException("private token rejected: no key with kid=" + Untrusted.quote(header.getKeyID())
                + " for " + header.getAlgorithm() + " in the JWKS at " + jwks.uri() + detail, cause);
    }

    /**
     * Tells a refused refetch for an unknown key (the token is bad) from one that left us with no
     * usable JWKS at all (we cannot judge the token).
     */
    private RuntimeException rateLimited(JWSHeader header, RateLimitReachedException e) {
        JWKSet last = jwks.lastFetched();
        if (last != null && new JWKSelector(JWKMatcher.forJWSHeader(header)).select(last).isEmpty()) {
            return unknownKey(header, " (not refetched: the JWKS was fetched less than " + refreshFloor + " ago)", e);
        }
        return new JwksUnavailableException(jwks.uri(), "cannot fetch the JWKS at " + jwks.uri()
                + " to verify the private token: fetches are paused for " + refreshFloor
                + " after repeated attempts", e);
    }

    private static VerifiedPrincipal principal(JWTClaimsSet claims, String token) {
        try {
            VerifiedPrincipal.Type type = PrivateTokenClaimsVerifier.PRINCIPAL_TYPE_USER.equals(
                    claims.getStringClaim("principal_type"))
                    ? VerifiedPrincipal.Type.USER : VerifiedPrincipal.Type.SERVICE_ACCOUNT;
            String scope = claims.getStringClaim("scope");
            Set<String> scopes = new LinkedHashSet<>();
            if (scope != null) {
                Arrays.stream(scope.split(" ")).filter(s -> !s.isEmpty()).forEach(scopes::add);
            }
            List<String> roles = claims.getStringListClaim("roles");
            return new VerifiedPrincipal(type, claims.getSubject(), scopes,
                    roles == null ? Set.of() : Set.copyOf(roles), claims.getJWTID(),
                    claims.getExpirationTime().toInstant(), token);
        } catch (ParseException e) {
            // PrivateTokenClaimsVerifier checked these types already.
            throw new IllegalStateException("verified claims changed type", e);
        }
    }

    /** Collects a {@link PrivateTokenVerifier}'s settings and checks them. */
    public static final class Builder {

        private URI jwksUri;
        private String issuer;
        private final Set<String> audiences = new LinkedHashSet<>();
        private Duration clockSkew = Duration.ofSeconds(30);
        private Duration jwksCacheTtl = Duration.ofMinutes(5);
        private Duration jwksRefreshFloor = Duration.ofSeconds(30);
        private Duration jwksOutageTolerance = Duration.ofHours(1);
        private int verifiedCacheSize = 10_000;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /**
         * Sets where the Authority publishes its keys, usually
         * {@code <authority-http>/.well-known/jwks.json}. Required.
         *
         * @param jwksUri an http or https URL
         * @return this builder
         */
        public Builder jwksUri(URI jwksUri) {
            Objects.requireNonNull(jwksUri, "jwksUri");
            String scheme = jwksUri.getScheme();
            if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme) || jwksUri.getHost() == null) {
                throw new IllegalArgumentException(
                        "jwksUri: " + jwksUri + " (expected: an absolute http or https URL)");
            }
            this.jwksUri = jwksUri;
            return this;
        }

        /**
         * Sets the {@code iss} every token must carry: the Authority's issuer URL. Required.
         *
         * @param issuer the exact issuer string
         * @return this builder
         */
        public Builder issuer(String issuer) {
            Objects.requireNonNull(issuer, "issuer");
            if (issuer.isBlank()) {
                throw new IllegalArgumentException("issuer: \"" + issuer + "\" (expected: the Authority's issuer URL)");
            }
            this.issuer = issuer;
            return this;
        }

        /**
         * Adds an audience this backend accepts: its gRPC service name, such as
         * {@code examples.offer.v1.OfferService}. At least one is required; a process serving
         * several services adds each.
         *
         * @param audience an accepted {@code aud} value
         * @return this builder
         */
        public Builder audience(String audience) {
            Objects.requireNonNull(audience, "audience");
            if (audience.isBlank()) {
                throw new IllegalArgumentException("audience: \"" + audience + "\" (expected: a service name)");
            }
            audiences.add(audience);
            return this;
        }

        /**
         * Adds every audience in {@code audiences}, as {@link #audience} does for one.
         *
         * @param audiences accepted {@code aud} values
         * @return this builder
         */
        public Builder audiences(Collection<String> audiences) {
            audiences.forEach(this::audience);
            return this;
        }

        /**
         * Sets how far the Authority's clock and this host's may disagree when checking
         * {@code exp}, {@code nbf} and {@code iat}. Defaults to 30 seconds.
         *
         * @param clockSkew between zero and five minutes
         * @return this builder
         */
        public Builder clockSkew(Duration clockSkew) {
            Objects.requireNonNull(clockSkew, "clockSkew");
            if (clockSkew.isNegative() || clockSkew.compareTo(Duration.ofMinutes(5)) > 0) {
                throw new IllegalArgumentException("clockSkew: " + clockSkew + " (expected: between PT0S and PT5M)");
            }
            this.clockSkew = clockSkew;
            return this;
        }

        /**
         * Sets how long a fetched JWKS is used before it is fetched again. Defaults to five
         * minutes; must exceed the refresh floor.
         *
         * @param jwksCacheTtl a positive duration
         * @return this builder
         */
        public Builder jwksCacheTtl(Duration jwksCacheTtl) {
            this.jwksCacheTtl = positive("jwksCacheTtl", jwksCacheTtl);
            return this;
        }

        /**
         * Sets the refresh floor: within this interval at most two JWKS fetches happen, however
         * many tokens with unknown {@code kid}s arrive (one for the regular refresh, one kept in
         * reserve for a key rotation). Defaults to 30 seconds; must be shorter than the cache time
         * to live.
         *
         * @param jwksRefreshFloor a positive duration
         * @return this builder
         */
        public Builder jwksRefreshFloor(Duration jwksRefreshFloor) {
            this.jwksRefreshFloor = positive("jwksRefreshFloor", jwksRefreshFloor);
            return this;
        }

        /**
         * Sets how long the last good JWKS keeps serving while the Authority's JWKS endpoint
         * fails. Defaults to one hour. Longer keeps backends up through longer Authority outages;
         * shorter retires a removed key sooner when the Authority cannot be reached.
         *
         * @param jwksOutageTolerance a positive duration
         * @return this builder
         */
        public Builder jwksOutageTolerance(Duration jwksOutageTolerance) {
            this.jwksOutageTolerance = positive("jwksOutageTolerance", jwksOutageTolerance);
            return this;
        }

        /**
         * Sets how many verified tokens are remembered, so a token the gateway reuses is checked
         * once rather than on every call; 0 verifies every call. Default 10,000.
         *
         * @param verifiedCacheSize the most tokens remembered
         * @return this builder
         */
        public Builder verifiedCacheSize(int verifiedCacheSize) {
            if (verifiedCacheSize < 0) {
                throw new IllegalArgumentException("verifiedCacheSize: " + verifiedCacheSize + " (expected: >= 0)");
            }
            this.verifiedCacheSize = verifiedCacheSize;
            return this;
        }

        /** Replaces the clock that judges time claims; for tests. */
        Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Builds the verifier. Nothing is fetched yet: the JWKS is fetched by the first
         * {@link PrivateTokenVerifier#verify}.
         *
         * @return a verifier with these settings
         * @throws IllegalStateException if a required setting is missing or settings conflict
         */
        public PrivateTokenVerifier build() {
            if (jwksUri == null) {
                throw new IllegalStateException("jwksUri is not set (expected: the Authority's JWKS URL)");
            }
            if (issuer == null) {
                throw new IllegalStateException("issuer is not set (expected: the Authority's issuer URL)");
            }
            if (audiences.isEmpty()) {
                throw new IllegalStateException("no audience is set (expected: at least this backend's service name)");
            }
            if (jwksRefreshFloor.compareTo(jwksCacheTtl) >= 0) {
                throw new IllegalStateException("jwksRefreshFloor: " + jwksRefreshFloor
                        + " (expected: shorter than jwksCacheTtl " + jwksCacheTtl + ")");
            }
            return new PrivateTokenVerifier(this);
        }

        private static Duration positive(String name, Duration value) {
            Objects.requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
            }
            return value;
        }
    }
}
