package dev.torii.authority.verify;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.CachingJWKSetSource;
import com.nimbusds.jose.jwk.source.JWKSetBasedJWKSource;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.OutageTolerantJWKSetSource;
import com.nimbusds.jose.jwk.source.RateLimitedJWKSetSource;
import com.nimbusds.jose.jwk.source.URLBasedJWKSetSource;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.Resource;
import com.nimbusds.jose.util.ResourceRetriever;
import com.nimbusds.jose.util.events.Event;
import com.nimbusds.jwt.JWTClaimNames;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.scheduler.Schedulers;

/**
 * Verifies a user's JWT access token locally, against the signing keys its OIDC issuer publishes
 * (JWKS), with Nimbus JOSE+JWT.
 *
 * <p>Accepts only asymmetric signatures (RS256, RS384, RS512, ES256, ES384, PS256), never {@code
 * none} nor HMAC, so the issuer's public key can never double as a shared secret. Keys come only
 * from the configured JWKS: Nimbus's key selector ignores the {@code jku}, {@code x5u}, {@code
 * jwk} and {@code x5c} headers. The JWKS is cached for {@code jwksCacheTtl} and refetched for an
 * unknown {@code kid} only under Nimbus's rate limit: at most two fetches per {@code
 * jwksRefreshFloor}, one of them kept for a key rotation. The time to live is the JWKS's own
 * {@code Cache-Control: max-age}, bounded by the {@link KeyEndpointSettings}, or {@code
 * jwksCacheTtl} when it gives none. When the JWKS cannot be fetched once that has passed, Nimbus's
 * outage-tolerant source keeps the last good keys for the outage grace (counted from the last good
 * fetch, plus the time to live), each use counted by the {@link KeyFetchMonitor}. The {@code typ}
 * header may be {@code
 * JWT}, {@code at+jwt} (RFC 9068) or absent, as issuers differ; any other type, such as a logout
 * token's, is refused.
 *
 * <p>Nimbus asks for the JWKS synchronously, so every verification runs on the executor, never
 * on the caller's thread; the fetch itself is a non-blocking {@link WebClient} call (observed, so
 * it is a client span with tracing on) within {@code timeout}, body included, that the executor
 * thread waits for.
 */
public final class OidcJwtVerifier implements CredentialVerifier {

    /** The signature algorithms accepted: asymmetric only. */
    static final Set<JWSAlgorithm> ALGORITHMS = Collections.unmodifiableSet(new LinkedHashSet<>(List.of(
            JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.PS256)));

    /** The RFC 9068 access-token type, also in its long form; JOSE type names compare case-insensitively. */
    private static final JOSEObjectType AT_JWT = new JOSEObjectType("at+jwt");
    private static final JOSEObjectType APPLICATION_AT_JWT = new JOSEObjectType("application/at+jwt");

    private static final Logger log = LoggerFactory.getLogger(OidcJwtVerifier.class);

    private final URI jwksUri;
    private final String scopeClaim;
    private final Duration refreshFloor;
    private final Executor executor;
    private final KeyFetchMonitor monitor;
    private final Clock clock;
    private final Duration jwksWait;
    private final Duration defaultCacheTtl;
    private final KeyEndpointSettings keyEndpoints;
    /** The time to live of the JWKS last fetched: its max-age, bounded, or {@code jwksCacheTtl}. */
    private volatile Duration currentCacheTtl;
    private final DefaultJWTProcessor<SecurityContext> processor;

    /**
     * Creates the verifier; nothing is fetched until the first token arrives.
     *
     * @param settings the issuer (required), JWKS location, audiences, clock skew, cache time to
     *     live, refresh floor (shorter than the time to live), timeout and scope claim
     * @param clock decides whether {@code exp}, {@code nbf} and {@code iat} are acceptable
     * @param executor runs the verification, including any wait for the JWKS
     * @param webClient the builder of the HTTP client (Spring Boot's, so calls are observed)
     * @param keyEndpoints the bounds of the JWKS's max-age and its outage grace
     * @param monitor where JWKS fetch failures and uses of stale keys are counted
     * @throws IllegalArgumentException when a setting is missing or out of range
     */
    public OidcJwtVerifier(OidcJwtSettings settings, Clock clock, Executor executor, WebClient.Builder webClient,
            KeyEndpointSettings keyEndpoints, KeyFetchMonitor monitor) {
        Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(keyEndpoints, "keyEndpoints");
        this.monitor = Objects.requireNonNull(monitor, "monitor");
        this.executor = Objects.requireNonNull(executor, "executor");
        String issuer = settings.issuer().filter(iss -> !iss.isBlank()).orElseThrow(() ->
                new IllegalArgumentException(
                        "issuer: absent (expected: the OIDC issuer, such as https://idp.example.com)"));
        this.jwksUri = settings.jwksUri().orElseGet(() -> URI.create(
                (issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer) + "/.well-known/jwks.json"));
        Duration timeout = positive("timeout", settings.timeout());
        Duration cacheTtl = positive("jwksCacheTtl", settings.jwksCacheTtl());
        this.refreshFloor = positive("jwksRefreshFloor", settings.jwksRefreshFloor());
        if (refreshFloor.compareTo(cacheTtl) >= 0) {
            throw new IllegalArgumentException("jwksRefreshFloor: " + refreshFloor
                    + " (expected: shorter than jwksCacheTtl " + cacheTtl + ")");
        }
        Duration clockSkew = Objects.requireNonNull(settings.clockSkew(), "clockSkew");
        if (clockSkew.isNegative()) {
            throw new IllegalArgumentException("clockSkew: " + clockSkew + " (expected: >= 0)");
        }
        this.scopeClaim = settings.scopeClaim();
        if (scopeClaim == null || scopeClaim.isBlank()) {
            throw new IllegalArgumentException(
                    "scopeClaim: '" + scopeClaim + "' (expected: a claim name, such as scope)");
        }

        // The answer is handled where it arrives (it only copies a body of at most 50 KB; the parsing is done
        // by the waiting thread): handing it to the executor could leave every executor thread waiting for an
        // answer queued behind it.
        BoundedHttp http = new BoundedHttp(Objects.requireNonNull(webClient, "webClient"), timeout, Runnable::run);
        this.jwksWait = timeout.plusSeconds(1);
        ResourceRetriever retriever = url -> retrieve(http, url);
        this.defaultCacheTtl = cacheTtl;
        this.keyEndpoints = keyEndpoints;
        this.currentCacheTtl = cacheTtl;
        // Nimbus's sources, chained as JWKSourceBuilder chains them (refresh-ahead left out: it would start threads
        // of its own). The cache and the outage-tolerant source ask for their time to live on every fetch: the
        // JWKS's max-age, when it gives one.
        JWKSetSource<SecurityContext> source = new URLBasedJWKSetSource<>(jwksUrl(jwksUri), retriever);
        if (!keyEndpoints.outageGrace().isZero()) {
            source = new OutageTolerantJWKSetSource<>(source, cacheTtl.plus(keyEndpoints.outageGrace()).toMillis(),
                    this::outage) {
                @Override
                public long getTimeToLive() {
                    // Counted from the last good fetch, so it covers the cache's time to live too.
                    return currentCacheTtl.plus(keyEndpoints.outageGrace()).toMillis();
                }
            };
        }
        source = new RateLimitedJWKSetSource<>(source, refreshFloor.toMillis(), null);
        source = new CachingJWKSetSource<>(source, cacheTtl.toMillis(), timeout.toMillis(), null) {
            @Override
            public long getTimeToLive() {
                return currentCacheTtl.toMillis();
            }
        };
        JWKSource<SecurityContext> keys = new JWKSetBasedJWKSource<>(source);

        List<String> audiences = settings.audiences() == null ? List.of() : settings.audiences();
        this.processor = new DefaultJWTProcessor<>();
        processor.setJWSTypeVerifier(
                new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, AT_JWT, APPLICATION_AT_JWT, null));
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, keys));
        processor.setJWTClaimsSetVerifier(new ClockedClaimsVerifier<>(
                audiences.isEmpty() ? null : Set.copyOf(audiences),
                new JWTClaimsSet.Builder().issuer(issuer).build(),
                Set.of(JWTClaimNames.SUBJECT, JWTClaimNames.EXPIRATION_TIME),
                clock, clockSkew, OidcJwtVerifier::requireSubject));
    }

    private void outage(Event<OutageTolerantJWKSetSource<SecurityContext>, SecurityContext> event) {
        if (event instanceof OutageTolerantJWKSetSource.OutageEvent<?> outage) {
            monitor.usedStaleKeys(KeyFetchMonitor.Source.OIDC_JWKS);
            monitor.outage(KeyFetchMonitor.Source.OIDC_JWKS, jwksUri.toString(),
                    clock.instant().plusMillis(outage.getRemainingTime()));
        }
    }

    private static void requireSubject(JWTClaimsSet claims) throws BadJWTException {
        String subject = claims.getSubject();
        if (subject == null || subject.isBlank()) {
            throw new BadJWTException("sub: " + CredentialChecks.quote(subject) + " (expected: the user id)");
        }
    }

    private static Duration positive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
        return value;
    }

    /**
     * Fetches the JWKS for Nimbus, which asks synchronously: the call itself is a non-blocking
     * WebClient exchange, and only this verifier's executor thread waits for it, never a Netty
     * event loop.
     */
    private Resource retrieve(BoundedHttp http, URL url) throws IOException {
        if (Schedulers.isInNonBlockingThread()) {
            throw new IllegalStateException("JWKS " + url + ": fetched on the non-blocking thread "
                    + Thread.currentThread().getName() + " (expected: the verification executor)");
        }
        String what = "JWKS " + url;
        BoundedHttp.Response response;
        try {
            response = http.get(toUri(url), JWKSourceBuilder.DEFAULT_HTTP_SIZE_LIMIT, what, answer -> {
                if (answer.statusCode() != 200) {
                    throw new VerifierUnavailableException(what + ": HTTP " + answer.statusCode()
                            + " (expected: 200 with a JWK set)", null);
                }
                return answer;
            }).get(jwksWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = VerifierFailures.unwrap(e);
            monitor.failed(KeyFetchMonitor.Source.OIDC_JWKS, cause.getMessage());
            throw new IOException(cause.getMessage(), cause);
        } catch (TimeoutException e) {
            // Not expected: the exchange has a deadline of its own; this only keeps the thread from waiting forever.
            monitor.failed(KeyFetchMonitor.Source.OIDC_JWKS, what + ": no answer in time");
            throw new IOException(what + ": no answer in time", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(what + ": interrupted while waiting for the answer", e);
        }
        MediaType type = response.headers().getContentType();
        Resource resource = new Resource(new String(response.body(), StandardCharsets.UTF_8),
                type == null ? null : type.toString());
        try {
            // Nimbus parses it again; parsing here tells the monitor that a garbled answer is a failed fetch.
            JWKSet.parse(resource.getContent());
        } catch (ParseException e) {
            String problem = what + ": the body is not a JWK set (expected: RFC 7517 JSON)";
            monitor.failed(KeyFetchMonitor.Source.OIDC_JWKS, problem);
            throw new IOException(problem, e);
        }
        // Read by the cache right after this returns, under the cache's lock: one fetch at a time.
        currentCacheTtl = PublishedKeys.maxAge(response.headers()).map(keyEndpoints::bound).orElse(defaultCacheTtl);
        monitor.fetched(KeyFetchMonitor.Source.OIDC_JWKS, jwksUri.toString());
        return resource;
    }

    private static URI toUri(URL url) throws IOException {
        try {
            return url.toURI();
        } catch (URISyntaxException e) {
            throw new IOException("JWKS " + url + ": not a URI", e);
        }
    }

    private static URL jwksUrl(URI jwksUri) {
        try {
            return jwksUri.toURL();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("jwksUri: '" + jwksUri + "' (expected: an http or https URL)", e);
        }
    }

    /**
     * Verifies the JWT access token's signature and claims.
     *
     * @param credential the JWT
     * @return the user, or one of the failures {@link CredentialVerifier} documents
     */
    @Override
    public CompletableFuture<VerifiedSubject> verify(String credential) {
        CompletableFuture<VerifiedSubject> outcome;
        try {
            CredentialChecks.requireWellFormed(credential);
            outcome = CompletableFuture.supplyAsync(() -> process(credential), executor);
        } catch (CredentialRejectedException e) {
            outcome = CompletableFuture.failedFuture(e);
        } catch (RejectedExecutionException e) {
            outcome = CompletableFuture.failedFuture(new VerifierUnavailableException(
                    name() + ": the verification executor refused the task (expected: capacity for it)", e));
        }
        return VerifierFailures.settle(outcome, name(), credential, log);
    }

    /**
     * Names this verifier {@code oidc-jwt}.
     *
     * @return {@code oidc-jwt}
     */
    @Override
    public String name() {
        return "oidc-jwt";
    }

    private VerifiedSubject process(String credential) {
        JWT jwt;
        try {
            jwt = JWTParser.parse(credential);
        } catch (ParseException e) {
            throw new CredentialRejectedException("malformed JWT: " + e.getMessage()
                    + " (expected: a signed JWT, three base64url parts)");
        }
        if (!(jwt instanceof SignedJWT signed)) {
            throw new CredentialRejectedException("alg: " + CredentialChecks.quote(jwt.getHeader().getAlgorithm())
                    + " (expected: a JWT signed with one of " + ALGORITHMS + ")");
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(signed, null);
        } catch (RateLimitReachedException e) {
            throw new CredentialRejectedException("kid: no key of JWKS " + jwksUri
                    + " matches, and it was fetched less than " + refreshFloor
                    + " ago (expected: a key the issuer publishes)");
        } catch (KeySourceException e) {
            throw new VerifierUnavailableException("JWKS " + jwksUri + ": cannot be fetched: " + e.getMessage(), e);
        } catch (BadJOSEException e) {
            throw new CredentialRejectedException(e.getMessage());
        } catch (JOSEException e) {
            throw new CredentialRejectedException("signature cannot be checked: " + e.getMessage());
        }
        return VerifiedSubject.user(claims.getSubject(), scopes(claims.getClaim(scopeClaim)),
                Optional.of(claims.getExpirationTime().toInstant()));
    }

    private List<String> scopes(Object value) {
        if (value == null) {
            return List.of();
        }
        if (value instanceof String scope) {
            return Arrays.stream(scope.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
        }
        if (value instanceof List<?> list) {
            List<String> scopes = new ArrayList<>(list.size());
            for (Object item : list) {
                if (!(item instanceof String scope)) {
                    throw new CredentialRejectedException(scopeClaim + ": an array holding "
                            + CredentialChecks.quote(item)
                            + " (expected: an array of strings, or a space-separated string)");
                }
                scopes.add(scope);
            }
            return scopes;
        }
        throw new CredentialRejectedException(scopeClaim + ": " + CredentialChecks.quote(value)
                + " (expected: a space-separated string or an array of strings)");
    }
}
