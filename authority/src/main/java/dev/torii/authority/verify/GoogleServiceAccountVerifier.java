package dev.torii.authority.verify;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.X509CertUtils;
import com.nimbusds.jwt.JWTClaimNames;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.torii.authority.verify.GoogleServiceAccountSettings.AllowedServiceAccount;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Verifies the credentials of Google service accounts, then checks them against the allow-list:
 *
 * <ul>
 *   <li>Google-issued ID tokens ({@code iss} one of {@code idTokenIssuers}), signed by a key of
 *       Google's JWKS, with a verified {@code email}; the principal is that email;
 *   <li>self-signed service-account JWTs ({@code iss == sub ==} the account email), signed RS256
 *       by a key among the account's published X.509 certificates, and living no longer than
 *       {@code maxTokenLifetime}.
 * </ul>
 *
 * <p>The unverified {@code iss} only chooses between the two; every claim is checked again after
 * the signature. The allow-list is consulted last, so only a correctly signed token from an
 * unlisted account is {@link CredentialNotAllowedException}; anything unsigned, forged or
 * malformed is {@link CredentialRejectedException} whatever account it names, and the allow-list
 * cannot be probed with made-up tokens.
 *
 * <p>Keys are fetched with a non-blocking {@link WebClient}, cached for the endpoint's {@code
 * max-age} (bounded by the key-endpoint settings) or else {@code keysCacheTtl}, refetched for an
 * unknown {@code kid} at most once per {@code keysRefreshFloor}, per key source, and kept for the
 * outage grace when Google cannot be reached (see {@link PublishedKeys}).
 * A Google answer of 404 for an account's certificates means the account has no keys, so its
 * tokens are rejected; any other failure to get keys is {@link VerifierUnavailableException}.
 */
public final class GoogleServiceAccountVerifier implements CredentialVerifier {

    /** The largest key document read; Google's are a few kilobytes. */
    static final int MAX_KEY_RESPONSE_BYTES = 256 * 1024;

    /**
     * How many accounts' certificates are cached. Tokens naming unlisted accounts must be
     * verified too, so the bound keeps made-up account names from growing the cache forever.
     */
    static final int MAX_CACHED_ACCOUNTS = 10_000;

    /** Google service-account emails; also keeps the account email safe to put in a URL. */
    private static final Pattern SERVICE_ACCOUNT_EMAIL = Pattern.compile(
            "[a-z0-9][a-z0-9._+-]{0,99}@[a-z0-9-]{1,63}(?:\\.[a-z0-9-]{1,63}){0,8}\\.gserviceaccount\\.com");

    private static final String EMAIL = "email";
    private static final String EMAIL_VERIFIED = "email_verified";

    private static final Logger log = LoggerFactory.getLogger(GoogleServiceAccountVerifier.class);

    /** Carries the key set fetched for one token into Nimbus's key selector. */
    record KeySetContext(JWKSet keys) implements SecurityContext {}

    private final Set<String> idTokenIssuers;
    private final URI idTokenJwksUri;
    private final String x509UrlTemplate;
    private final Map<String, AllowedServiceAccount> allowList;
    private final Clock clock;
    private final Duration keysCacheTtl;
    private final Duration keysRefreshFloor;
    private final BoundedHttp http;
    private final KeyEndpointSettings keyEndpoints;
    private final KeyFetchMonitor monitor;
    private final PublishedKeys idTokenKeys;
    private final Cache<String, PublishedKeys> accountKeys;
    private final ClockedClaimsVerifier<KeySetContext> idTokenClaims;
    private final ClockedClaimsVerifier<KeySetContext> selfSignedClaims;
    private final DefaultJWTProcessor<KeySetContext> idTokenProcessor;
    private final DefaultJWTProcessor<KeySetContext> selfSignedProcessor;

    /**
     * Creates the verifier; nothing is fetched until the first token arrives.
     *
     * @param settings the allow-list, accepted audiences (at least one), Google's issuers and key
     *     locations, lifetimes, clock skew, key caching and timeout
     * @param clock decides token validity and key cache expiry
     * @param executor runs the handling of key responses; key fetches are asynchronous and block
     *     no thread, and with keys cached the signature check (microseconds of CPU) runs on the
     *     caller's thread
     * @param webClient the builder of the HTTP client (Spring Boot's, so calls are observed)
     * @param keyEndpoints how Google's keys are cached and kept through an outage
     * @param monitor where key fetch failures and uses of stale keys are counted
     * @throws IllegalArgumentException when a setting is missing or out of range
     */
    public GoogleServiceAccountVerifier(GoogleServiceAccountSettings settings, Clock clock, Executor executor,
            WebClient.Builder webClient, KeyEndpointSettings keyEndpoints, KeyFetchMonitor monitor) {
        Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(executor, "executor");
        List<String> audiences = settings.audiences() == null ? List.of() : settings.audiences();
        if (audiences.isEmpty() || audiences.stream().anyMatch(aud -> aud == null || aud.isBlank())) {
            throw new IllegalArgumentException("audiences: " + audiences
                    + " (expected: at least one non-blank aud value, such as the Authority's issuer URL)");
        }
        this.idTokenIssuers = Set.copyOf(settings.idTokenIssuers() == null ? List.of() : settings.idTokenIssuers());
        this.idTokenJwksUri = httpUri("idTokenJwksUri", Objects.toString(settings.idTokenJwksUri(), null));
        this.x509UrlTemplate = settings.x509UrlTemplate();
        if (x509UrlTemplate == null || !x509UrlTemplate.contains("{email}")) {
            throw new IllegalArgumentException("x509UrlTemplate: '" + x509UrlTemplate
                    + "' (expected: a URL containing {email}, such as"
                    + " https://www.googleapis.com/service_accounts/v1/metadata/x509/{email})");
        }
        httpUri("x509UrlTemplate", x509UrlTemplate.replace("{email}", "probe@example.iam.gserviceaccount.com"));
        this.allowList = allowList(settings.serviceAccounts());
        Duration maxTokenLifetime = positive("maxTokenLifetime", settings.maxTokenLifetime());
        Duration timeout = positive("timeout", settings.timeout());
        this.keysCacheTtl = positive("keysCacheTtl", settings.keysCacheTtl());
        this.keysRefreshFloor = positive("keysRefreshFloor", settings.keysRefreshFloor());
        Duration clockSkew = Objects.requireNonNull(settings.clockSkew(), "clockSkew");
        if (clockSkew.isNegative()) {
            throw new IllegalArgumentException("clockSkew: " + clockSkew + " (expected: >= 0)");
        }

        this.http = new BoundedHttp(Objects.requireNonNull(webClient, "webClient"), timeout, executor);
        this.keyEndpoints = Objects.requireNonNull(keyEndpoints, "keyEndpoints");
        this.monitor = Objects.requireNonNull(monitor, "monitor");
        this.idTokenKeys = new PublishedKeys(this::fetchIdTokenKeys, clock, keysCacheTtl, keysRefreshFloor,
                keyEndpoints, monitor, KeyFetchMonitor.Source.GOOGLE_ID_TOKEN_JWKS, idTokenJwksUri.toString());
        // Kept through an outage's grace too, so an account used less often than that keeps its last good keys.
        this.accountKeys = Caffeine.newBuilder()
                .maximumSize(MAX_CACHED_ACCOUNTS)
                .expireAfterAccess((keysCacheTtl.compareTo(keysRefreshFloor) > 0 ? keysCacheTtl : keysRefreshFloor)
                        .plus(keyEndpoints.outageGrace()))
                .build();

        Set<String> acceptedAudiences = Set.copyOf(audiences);
        Set<String> issuers = idTokenIssuers;
        this.idTokenClaims = new ClockedClaimsVerifier<>(acceptedAudiences, null,
                Set.of(JWTClaimNames.ISSUER, JWTClaimNames.AUDIENCE, JWTClaimNames.EXPIRATION_TIME,
                        JWTClaimNames.ISSUED_AT, EMAIL),
                clock, clockSkew, claims -> checkIdToken(claims, issuers));
        this.selfSignedClaims = new ClockedClaimsVerifier<>(acceptedAudiences, null,
                Set.of(JWTClaimNames.ISSUER, JWTClaimNames.SUBJECT, JWTClaimNames.AUDIENCE,
                        JWTClaimNames.EXPIRATION_TIME, JWTClaimNames.ISSUED_AT),
                clock, clockSkew, claims -> checkSelfSigned(claims, maxTokenLifetime));
        this.idTokenProcessor = processor(idTokenClaims);
        this.selfSignedProcessor = processor(selfSignedClaims);
    }

    private static DefaultJWTProcessor<KeySetContext> processor(ClockedClaimsVerifier<KeySetContext> claims) {
        DefaultJWTProcessor<KeySetContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, null));
        // Keys come only from the set fetched for this token; header-supplied keys (jku, x5u, jwk, x5c) are never used.
        processor.setJWSKeySelector(new JWSVerificationKeySelector<KeySetContext>(JWSAlgorithm.RS256,
                (selector, context) -> selector.select(context.keys())));
        processor.setJWTClaimsSetVerifier(claims);
        return processor;
    }

    private static Map<String, AllowedServiceAccount> allowList(List<AllowedServiceAccount> accounts) {
        Map<String, AllowedServiceAccount> byEmail = new HashMap<>();
        for (AllowedServiceAccount account : accounts == null ? List.<AllowedServiceAccount>of() : accounts) {
            if (account == null || account.email() == null || account.email().isBlank()) {
                throw new IllegalArgumentException(
                        "serviceAccounts: an entry without email (expected: every entry names an account email)");
            }
            String email = account.email().trim().toLowerCase(Locale.ROOT);
            AllowedServiceAccount normalized = new AllowedServiceAccount(email,
                    account.roles() == null ? List.of() : List.copyOf(account.roles()));
            if (byEmail.put(email, normalized) != null) {
                throw new IllegalArgumentException("serviceAccounts: '" + email
                        + "' listed twice (expected: each account once, with all its roles)");
            }
        }
        return Collections.unmodifiableMap(byEmail);
    }

    private static URI httpUri(String name, String value) {
        try {
            URI uri = URI.create(Objects.requireNonNull(value));
            if ("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme())) {
                return uri;
            }
        } catch (IllegalArgumentException | NullPointerException e) {
            // Reported below with the setting's name.
        }
        throw new IllegalArgumentException(name + ": '" + value + "' (expected: an http or https URL)");
    }

    private static Duration positive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
        return value;
    }

    /**
     * Verifies a Google ID token or self-signed service-account JWT, then the allow-list.
     *
     * @param credential the JWT
     * @return the service account with its allow-listed roles, or one of the failures {@link
     *     CredentialVerifier} documents
     */
    @Override
    public CompletableFuture<VerifiedSubject> verify(String credential) {
        CompletableFuture<VerifiedSubject> outcome;
        try {
            CredentialChecks.requireWellFormed(credential);
            SignedJWT jwt = parse(credential);
            JWTClaimsSet unverified = unverifiedClaims(jwt);
            String issuer = unverified.getIssuer();
            if (issuer != null && idTokenIssuers.contains(issuer)) {
                outcome = verifyIdToken(jwt, unverified);
            } else if (issuer != null && issuer.equals(unverified.getSubject())) {
                outcome = verifySelfSigned(jwt, unverified, issuer);
            } else {
                throw new CredentialRejectedException("iss: " + CredentialChecks.quote(issuer) + " (expected: one of "
                        + idTokenIssuers + " for a Google ID token, or a service-account email equal to sub)");
            }
        } catch (CredentialRejectedException e) {
            outcome = CompletableFuture.failedFuture(e);
        }
        return VerifierFailures.settle(outcome, name(), credential, log);
    }

    /**
     * Names this verifier {@code google-service-account}.
     *
     * @return {@code google-service-account}
     */
    @Override
    public String name() {
        return "google-service-account";
    }

    private CompletableFuture<VerifiedSubject> verifyIdToken(SignedJWT jwt, JWTClaimsSet unverified) {
        String keyId = requireRs256KeyId(jwt);
        // Cheap checks first, so expired or misaddressed tokens cost no key fetch.
        precheck(idTokenClaims, unverified);
        return idTokenKeys.forKeyId(keyId).thenApply(keys -> {
            JWTClaimsSet claims = verifySignature(idTokenProcessor, jwt, keyId, keys,
                    "Google's JWKS " + idTokenJwksUri);
            return allowListed((String) claims.getClaim(EMAIL), claims.getExpirationTime());
        });
    }

    private CompletableFuture<VerifiedSubject> verifySelfSigned(SignedJWT jwt, JWTClaimsSet unverified, String issuer) {
        String email = issuer.toLowerCase(Locale.ROOT);
        if (!SERVICE_ACCOUNT_EMAIL.matcher(email).matches()) {
            throw new CredentialRejectedException("iss: " + CredentialChecks.quote(issuer)
                    + " (expected: a service-account email ending in .gserviceaccount.com, equal to sub)");
        }
        String keyId = requireRs256KeyId(jwt);
        precheck(selfSignedClaims, unverified);
        PublishedKeys keys = accountKeys.get(email, account -> new PublishedKeys(() -> fetchAccountKeys(account),
                clock, keysCacheTtl, keysRefreshFloor, keyEndpoints, monitor, KeyFetchMonitor.Source.GOOGLE_CERTIFICATES,
                certificatesUri(account).toString()));
        return keys.forKeyId(keyId).thenApply(published -> {
            JWTClaimsSet claims = verifySignature(selfSignedProcessor, jwt, keyId, published,
                    "the certificates of " + email);
            return allowListed(email, claims.getExpirationTime());
        });
    }

    private static SignedJWT parse(String credential) {
        JWT jwt;
        try {
            jwt = JWTParser.parse(credential);
        } catch (ParseException e) {
            throw new CredentialRejectedException("malformed JWT: " + e.getMessage()
                    + " (expected: a JWT signed with RS256, three base64url parts)");
        }
        if (!(jwt instanceof SignedJWT signed)) {
            throw new CredentialRejectedException("alg: " + CredentialChecks.quote(jwt.getHeader().getAlgorithm())
                    + " (expected: RS256, as Google and service-account keys sign)");
        }
        return signed;
    }

    private static JWTClaimsSet unverifiedClaims(SignedJWT jwt) {
        try {
            return jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new CredentialRejectedException("malformed JWT claims: " + e.getMessage()
                    + " (expected: a JSON object of JWT claims)");
        }
    }

    /** Checks the header before any key is fetched for it; the processor checks it again. */
    private static String requireRs256KeyId(SignedJWT jwt) {
        JWSHeader header = jwt.getHeader();
        if (!JWSAlgorithm.RS256.equals(header.getAlgorithm())) {
            throw new CredentialRejectedException("alg: " + CredentialChecks.quote(header.getAlgorithm())
                    + " (expected: RS256, as Google and service-account keys sign)");
        }
        if (header.getType() != null && !JOSEObjectType.JWT.equals(header.getType())) {
            throw new CredentialRejectedException("typ: " + CredentialChecks.quote(header.getType())
                    + " (expected: JWT, or none)");
        }
        String keyId = header.getKeyID();
        if (keyId == null || keyId.isBlank()) {
            throw new CredentialRejectedException(
                    "kid: absent (expected: the id of the Google key that signed the token)");
        }
        return keyId;
    }

    private static void precheck(ClockedClaimsVerifier<KeySetContext> claimsVerifier, JWTClaimsSet unverified) {
        try {
            claimsVerifier.verify(unverified, null);
        } catch (BadJWTException e) {
            throw new CredentialRejectedException(e.getMessage());
        }
    }

    private static JWTClaimsSet verifySignature(DefaultJWTProcessor<KeySetContext> processor, SignedJWT jwt,
            String keyId, JWKSet keys, String keySource) {
        if (keys.getKeyByKeyId(keyId) == null) {
            throw new CredentialRejectedException("kid: " + CredentialChecks.quote(keyId) + " (expected: a key among "
                    + keySource + ")");
        }
        try {
            return processor.process(jwt, new KeySetContext(keys));
        } catch (BadJOSEException e) {
            throw new CredentialRejectedException(e.getMessage());
        } catch (JOSEException e) {
            throw new CredentialRejectedException("signature cannot be checked: " + e.getMessage());
        }
    }

    private static void checkIdToken(JWTClaimsSet claims, Set<String> issuers) throws BadJWTException {
        if (!issuers.contains(claims.getIssuer())) {
            throw new BadJWTException("iss: " + CredentialChecks.quote(claims.getIssuer())
                    + " (expected: one of " + issuers + ")");
        }
        Object email = claims.getClaim(EMAIL);
        if (!(email instanceof String address) || address.isBlank()) {
            throw new BadJWTException(EMAIL + ": " + CredentialChecks.quote(email) + " (expected: the account email)");
        }
        Object verified = claims.getClaim(EMAIL_VERIFIED);
        // Google has sent this as the string "true" in the past; both forms are signed by Google.
        if (!Boolean.TRUE.equals(verified) && !"true".equals(verified)) {
            throw new BadJWTException(EMAIL_VERIFIED + ": " + CredentialChecks.quote(verified) + " (expected: true)");
        }
    }

    private static void checkSelfSigned(JWTClaimsSet claims, Duration maxTokenLifetime) throws BadJWTException {
        String issuer = claims.getIssuer();
        if (issuer == null || !issuer.equals(claims.getSubject())) {
            throw new BadJWTException("sub: " + CredentialChecks.quote(claims.getSubject())
                    + " (expected: equal to iss " + CredentialChecks.quote(issuer) + ")");
        }
        Date issuedAt = claims.getIssueTime();
        Date expiresAt = claims.getExpirationTime();
        Duration lifetime = Duration.ofMillis(expiresAt.getTime() - issuedAt.getTime());
        if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(maxTokenLifetime) > 0) {
            throw new BadJWTException("exp - iat: " + lifetime
                    + " (expected: > 0 and at most " + maxTokenLifetime + ")");
        }
    }

    private VerifiedSubject allowListed(String email, Date expiresAt) {
        AllowedServiceAccount account = allowList.get(email.toLowerCase(Locale.ROOT));
        if (account == null) {
            throw new CredentialNotAllowedException("service account " + CredentialChecks.quote(email)
                    + ": not on the allow-list (expected: an account listed in serviceAccounts)");
        }
        return VerifiedSubject.serviceAccount(account.email(), account.roles(), Optional.of(expiresAt.toInstant()));
    }

    private URI certificatesUri(String email) {
        return URI.create(x509UrlTemplate.replace("{email}", email));
    }

    private CompletableFuture<PublishedKeys.Fetched> fetchIdTokenKeys() {
        String what = "Google's ID-token JWKS " + idTokenJwksUri;
        return fetch(idTokenJwksUri, what, response -> {
            if (response.statusCode() != 200) {
                throw new VerifierUnavailableException(what + ": HTTP " + response.statusCode()
                        + " (expected: 200 with a JWK set)", null);
            }
            try {
                return new PublishedKeys.Fetched(JWKSet.parse(StrictJson.parseObject(
                        new String(response.body(), StandardCharsets.UTF_8))), PublishedKeys.maxAge(response.headers()));
            } catch (ParseException e) {
                throw new VerifierUnavailableException(
                        what + ": the body is not a JWK set (expected: RFC 7517 JSON)", e);
            }
        });
    }

    private CompletableFuture<PublishedKeys.Fetched> fetchAccountKeys(String email) {
        URI uri = certificatesUri(email);
        String what = "certificates of " + email + " at " + uri;
        return fetch(uri, what, response -> {
            if (response.statusCode() == 404) {
                // Google knows no such account, so none of its tokens can verify: a rejection, not an outage.
                return PublishedKeys.Fetched.of(new JWKSet());
            }
            if (response.statusCode() != 200) {
                throw new VerifierUnavailableException(what + ": HTTP " + response.statusCode()
                        + " (expected: 200 with a JSON object of key ids to PEM certificates)", null);
            }
            Map<String, Object> certificates;
            try {
                certificates = StrictJson.parseObject(new String(response.body(), StandardCharsets.UTF_8));
            } catch (ParseException e) {
                throw new VerifierUnavailableException(
                        what + ": the body is not a JSON object (expected: key ids mapped to PEM certificates)", e);
            }
            return new PublishedKeys.Fetched(certificateKeys(certificates, what), PublishedKeys.maxAge(response.headers()));
        });
    }

    /** Turns Google's {@code {kid: PEM certificate}} document into RS256 verification keys. */
    private static JWKSet certificateKeys(Map<String, Object> certificates, String what) {
        List<JWK> keys = new ArrayList<>();
        for (Map.Entry<String, Object> entry : certificates.entrySet()) {
            X509Certificate certificate = entry.getValue() instanceof String pem ? X509CertUtils.parse(pem) : null;
            if (certificate == null || !(certificate.getPublicKey() instanceof RSAPublicKey publicKey)) {
                // One broken entry must not make the account's other keys unusable.
                log.warn("{}: key {} skipped (expected: a PEM X.509 certificate with an RSA key)", what,
                        CredentialChecks.quote(entry.getKey()));
                continue;
            }
            keys.add(new RSAKey.Builder(publicKey)
                    .keyID(entry.getKey())
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.RS256)
                    .build());
        }
        return new JWKSet(keys);
    }

    private CompletableFuture<PublishedKeys.Fetched> fetch(URI uri, String what,
            Function<BoundedHttp.Response, PublishedKeys.Fetched> reader) {
        return http.get(uri, MAX_KEY_RESPONSE_BYTES, what, reader);
    }
}
