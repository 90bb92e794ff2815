package dev.torii.authority.verify;

import static dev.torii.authority.testing.TestTokens.b64;
import static dev.torii.authority.verify.Outcomes.failureOf;
import static dev.torii.authority.verify.Outcomes.valueOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.torii.authority.testing.FakeEndpoint.Reply;
import dev.torii.authority.testing.FakeEndpoint;
import dev.torii.authority.testing.MutableClock;
import dev.torii.authority.testing.TestCertificates;
import dev.torii.authority.testing.TestTokens;
import dev.torii.authority.verify.GoogleServiceAccountSettings.AllowedServiceAccount;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Runs the Google service-account verifier against fake Google key endpoints (the ID-token JWKS
 * and per-account X.509 certificates) served over real HTTP.
 */
class GoogleServiceAccountVerifierIT {

    private static final String AUDIENCE = "https://authority.torii.test";
    private static final String GOOGLE = "https://accounts.google.com";
    /** On the allow-list. */
    private static final String BATCH = "batch@proj.iam.gserviceaccount.com";
    /** A real account with published keys, not on the allow-list. */
    private static final String OTHER = "other@proj.iam.gserviceaccount.com";
    /** An account Google does not know: its certificate URL answers 404. */
    private static final String GHOST = "ghost@proj.iam.gserviceaccount.com";
    private static final String STRANGER = "stranger@example.com";
    private static final String CERTS = "/oauth2/v3/certs";
    private static final String X509 = "/service_accounts/v1/metadata/x509/";
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final Duration FLOOR = Duration.ofSeconds(30);
    private static final Duration TTL = Duration.ofHours(1);

    private static RSAKey googleKey;
    private static RSAKey batchKey;
    private static RSAKey batchRotatedKey;
    private static RSAKey otherKey;
    private static RSAKey attacker;
    private static RSAKey attackerAsBatch;
    private static RSAKey attackerAsOther;
    private static RSAKey attackerAsGoogle;
    private static Map<String, String> pems;

    private final MutableClock clock = new MutableClock(Instant.now());
    private final KeyFetchMonitor monitor = new KeyFetchMonitor(clock);
    private final Map<String, Map<String, Object>> certificates = new ConcurrentHashMap<>();
    private volatile JWKSet googleKeys;
    private ExecutorService executor;
    private FakeEndpoint google;
    private FakeEndpoint attackerSite;
    private GoogleServiceAccountVerifier verifier;

    @BeforeAll
    static void generateKeys() {
        googleKey = TestTokens.rsaKey("g-1");
        batchKey = TestTokens.rsaKey("batch-k1");
        batchRotatedKey = TestTokens.rsaKey("batch-k2");
        otherKey = TestTokens.rsaKey("other-k1");
        attacker = TestTokens.rsaKey("attacker-1");
        attackerAsBatch = TestTokens.rsaKey("batch-k1");
        attackerAsOther = TestTokens.rsaKey("other-k1");
        attackerAsGoogle = TestTokens.rsaKey("g-1");
        pems = Map.of(
                "batch-k1", TestCertificates.selfSignedPem(batchKey, BATCH),
                "batch-k2", TestCertificates.selfSignedPem(batchRotatedKey, BATCH),
                "other-k1", TestCertificates.selfSignedPem(otherKey, OTHER),
                "attacker-1", TestCertificates.selfSignedPem(attacker, "attacker"));
    }

    @BeforeEach
    void start() {
        executor = Executors.newFixedThreadPool(4);
        googleKeys = new JWKSet(googleKey.toPublicJWK());
        certificates.put(BATCH, Map.of("batch-k1", pems.get("batch-k1")));
        certificates.put(OTHER, Map.of("other-k1", pems.get("other-k1")));
        google = FakeEndpoint.start();
        google.serve(this::answerAsGoogle);
        // Serves the attacker's keys, so a verifier that followed jku or x5u would find them.
        attackerSite = FakeEndpoint.start();
        attackerSite.serve(Reply.json(new JWKSet(attacker.toPublicJWK()).toString()));
        verifier = verifier(google.uri(CERTS), google.uri(X509) + "{email}");
    }

    @AfterEach
    void stop() {
        google.close();
        attackerSite.close();
        executor.shutdownNow();
    }

    private Reply answerAsGoogle(FakeEndpoint.Request request) {
        if (request.path().equals(CERTS)) {
            return Reply.json(googleKeys.toString());
        }
        if (request.path().startsWith(X509)) {
            Map<String, Object> published = certificates.get(request.path().substring(X509.length()));
            return published == null ? Reply.status(404, "{\"error\":{\"code\":404}}")
                    : Reply.json(JSONObjectUtils.toJSONString(published));
        }
        return Reply.status(404, "");
    }

    private GoogleServiceAccountVerifier verifier(URI idTokenJwksUri, String x509UrlTemplate) {
        return new GoogleServiceAccountVerifier(new GoogleServiceAccountSettings(true,
                List.of(new AllowedServiceAccount(BATCH, List.of("offers.writer", "reports.reader"))),
                List.of(AUDIENCE), List.of(GOOGLE, "accounts.google.com"), idTokenJwksUri, x509UrlTemplate,
                Duration.ofHours(1), Duration.ofSeconds(30), TTL, FLOOR, TIMEOUT), clock, executor, WebClient.builder(),
                KeyEndpointSettings.defaults(), monitor);
    }

    private Date inMinutes(long minutes) {
        return Date.from(clock.instant().plus(Duration.ofMinutes(minutes)));
    }

    private Date now() {
        return Date.from(clock.instant());
    }

    /** Claims of a self-signed service-account JWT, as Google's client libraries make them. */
    private JWTClaimsSet.Builder selfSigned(String email) {
        return new JWTClaimsSet.Builder()
                .issuer(email)
                .subject(email)
                .audience(AUDIENCE)
                .issueTime(now())
                .expirationTime(inMinutes(60));
    }

    /** Claims of a Google ID token for the account. */
    private JWTClaimsSet.Builder idToken(String email) {
        return new JWTClaimsSet.Builder()
                .issuer(GOOGLE)
                .subject("109876543210987654321")
                .audience(AUDIENCE)
                .claim("azp", "109876543210987654321")
                .claim("email", email)
                .claim("email_verified", true)
                .issueTime(now())
                .expirationTime(inMinutes(60));
    }

    private static JWSHeader.Builder rs256(RSAKey key) {
        return new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(JOSEObjectType.JWT);
    }

    private static String sign(RSAKey key, JWTClaimsSet.Builder claims) {
        return TestTokens.signed(key, rs256(key).build(), claims.build());
    }

    private String validBatchToken() {
        return sign(batchKey, selfSigned(BATCH));
    }

    @Test
    void acceptsASelfSignedJwtOfAnAllowedAccountWithItsRoles() {
        Date expiry = inMinutes(60);

        VerifiedSubject subject = valueOf(verifier.verify(sign(batchKey, selfSigned(BATCH).expirationTime(expiry))));

        assertThat(subject.type()).isEqualTo(SubjectType.SERVICE_ACCOUNT);
        assertThat(subject.id()).isEqualTo(BATCH);
        assertThat(subject.roles()).containsExactly("offers.writer", "reports.reader");
        assertThat(subject.scopes()).isEmpty();
        assertThat(subject.expiresAt()).contains(Instant.ofEpochSecond(expiry.toInstant().getEpochSecond()));
        assertThat(google.lastRequest().path()).isEqualTo(X509 + BATCH);
    }

    static Stream<Arguments> acceptedTokens() {
        return Stream.of(
                accept("self-signed, lifetime exactly the 1 h maximum", test -> sign(batchKey, test.selfSigned(BATCH))),
                accept("self-signed, expired 10 s ago, within the 30 s skew", test ->
                        sign(batchKey, test.selfSigned(BATCH).issueTime(test.inMinutes(-30))
                                .expirationTime(Date.from(test.clock.instant().minusSeconds(10))))),
                accept("self-signed, no typ", test -> TestTokens.rs256(batchKey, test.selfSigned(BATCH).build())),
                accept("ID token", test -> sign(googleKey, test.idToken(BATCH))),
                accept("ID token, issuer without scheme", test -> sign(googleKey, test.idToken(BATCH).issuer("accounts.google.com"))),
                accept("ID token, email_verified as the string \"true\"", test ->
                        sign(googleKey, test.idToken(BATCH).claim("email_verified", "true"))),
                accept("ID token, email in capitals", test -> sign(googleKey, test.idToken(BATCH.toUpperCase()))));
    }

    private static Arguments accept(String description, Function<GoogleServiceAccountVerifierIT, String> token) {
        return Arguments.of(description, token);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("acceptedTokens")
    void acceptsAValidCredentialOfTheAllowedAccount(String description, Function<GoogleServiceAccountVerifierIT, String> token) {
        VerifiedSubject subject = valueOf(verifier.verify(token.apply(this)));

        assertThat(subject.id()).isEqualTo(BATCH);
        assertThat(subject.roles()).containsExactly("offers.writer", "reports.reader");
    }

    static Stream<Arguments> validlySignedButNotAllowed() {
        return Stream.of(
                Arguments.of("self-signed JWT of an unlisted account", OTHER,
                        (Function<GoogleServiceAccountVerifierIT, String>) test -> sign(otherKey, test.selfSigned(OTHER))),
                Arguments.of("ID token of an unlisted email", STRANGER,
                        (Function<GoogleServiceAccountVerifierIT, String>) test -> sign(googleKey, test.idToken(STRANGER))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validlySignedButNotAllowed")
    void refusesPermissionToAValidCredentialOfAnUnlistedAccount(String description, String email,
            Function<GoogleServiceAccountVerifierIT, String> token) {
        Throwable failure = failureOf(verifier.verify(token.apply(this)));

        assertThat(failure).isInstanceOf(CredentialNotAllowedException.class)
                .hasMessage("service account '" + email + "': not on the allow-list (expected: an account listed in"
                        + " serviceAccounts)");
    }

    static Stream<Arguments> rejectedTokens() {
        return Stream.of(
                // The allow-list must not be probeable: an unlisted account's bad token is rejected, never "not allowed".
                reject("unlisted account, signed by an attacker under its kid", test -> sign(attackerAsOther, test.selfSigned(OTHER))),
                reject("unlisted account, expired", test -> sign(otherKey, test.selfSigned(OTHER).issueTime(test.inMinutes(-70))
                        .expirationTime(test.inMinutes(-10)))),
                reject("unlisted account, alg none", test -> TestTokens.noneWithKeyId("other-k1", test.selfSigned(OTHER).build())),
                reject("unlisted ID token, signed by an attacker under Google's kid", test ->
                        sign(attackerAsGoogle, test.idToken(STRANGER))),
                reject("account unknown to Google", test -> sign(attacker, test.selfSigned(GHOST))),
                reject("signed by an attacker under the account's kid", test -> sign(attackerAsBatch, test.selfSigned(BATCH))),
                reject("kid the account never published", test -> sign(attacker, test.selfSigned(BATCH))),
                reject("no kid", test -> TestTokens.signed(batchKey, new JWSHeader.Builder(JWSAlgorithm.RS256).build(),
                        test.selfSigned(BATCH).build())),
                reject("alg none", test -> TestTokens.unsigned(test.selfSigned(BATCH).build())),
                reject("alg none naming the account's kid", test -> TestTokens.noneWithKeyId("batch-k1", test.selfSigned(BATCH).build())),
                reject("HS256 keyed with the account's public key", test ->
                        TestTokens.hmacWithPublicKey(batchKey, test.selfSigned(BATCH).build())),
                reject("RS384 by the account's key", test -> TestTokens.signed(batchKey,
                        new JWSHeader.Builder(JWSAlgorithm.RS384).keyID("batch-k1").build(), test.selfSigned(BATCH).build())),
                reject("PS256 by the account's key", test -> TestTokens.signed(batchKey,
                        new JWSHeader.Builder(JWSAlgorithm.PS256).keyID("batch-k1").build(), test.selfSigned(BATCH).build())),
                reject("jku pointing at the attacker's JWKS", test -> TestTokens.signed(attacker,
                        rs256(attacker).jwkURL(test.attackerSite.uri("/jwks")).build(), test.selfSigned(BATCH).build())),
                reject("x5u pointing at the attacker's certificate", test -> TestTokens.signed(attacker,
                        rs256(attacker).x509CertURL(test.attackerSite.uri("/cert.pem")).build(), test.selfSigned(BATCH).build())),
                reject("embedded jwk of the attacker", test -> TestTokens.signed(attacker,
                        rs256(attacker).jwk(attacker.toPublicJWK()).build(), test.selfSigned(BATCH).build())),
                reject("embedded jwk under the account's kid", test -> TestTokens.signed(attackerAsBatch,
                        rs256(attackerAsBatch).jwk(attackerAsBatch.toPublicJWK()).build(), test.selfSigned(BATCH).build())),
                reject("ID token with jku pointing at the attacker", test -> TestTokens.signed(attacker,
                        rs256(attacker).jwkURL(test.attackerSite.uri("/jwks")).build(), test.idToken(BATCH).build())),
                reject("expired 5 min ago", test -> sign(batchKey, test.selfSigned(BATCH).issueTime(test.inMinutes(-30))
                        .expirationTime(test.inMinutes(-5)))),
                reject("not valid for 5 min", test -> sign(batchKey, test.selfSigned(BATCH).notBeforeTime(test.inMinutes(5)))),
                reject("issued 5 min in the future", test -> sign(batchKey, test.selfSigned(BATCH).issueTime(test.inMinutes(5))
                        .expirationTime(test.inMinutes(50)))),
                reject("lifetime 2 h, over the 1 h maximum", test ->
                        sign(batchKey, test.selfSigned(BATCH).expirationTime(test.inMinutes(120)))),
                reject("exp before iat, both within the skew", test -> sign(batchKey, test.selfSigned(BATCH)
                        .issueTime(Date.from(test.clock.instant().plusSeconds(20)))
                        .expirationTime(Date.from(test.clock.instant().plusSeconds(10))))),
                reject("no iat", test -> sign(batchKey, test.selfSigned(BATCH).issueTime(null))),
                reject("no exp", test -> sign(batchKey, test.selfSigned(BATCH).expirationTime(null))),
                reject("wrong audience", test -> sign(batchKey, test.selfSigned(BATCH).audience("https://other.example"))),
                reject("no audience", test -> sign(batchKey, test.selfSigned(BATCH).audience((String) null))),
                reject("sub differs from iss", test -> sign(batchKey, test.selfSigned(BATCH).subject(OTHER))),
                reject("iss equals sub but is no service account", test ->
                        sign(batchKey, test.selfSigned("alice@example.com"))),
                reject("iss equals sub and smuggles a path", test ->
                        sign(batchKey, test.selfSigned("../../oauth2/v3/certs?x@proj.iam.gserviceaccount.com"))),
                reject("typ of a logout token", test -> TestTokens.signed(batchKey,
                        rs256(batchKey).type(new JOSEObjectType("logout+jwt")).build(), test.selfSigned(BATCH).build())),
                reject("ID token, email_verified false", test -> sign(googleKey, test.idToken(BATCH).claim("email_verified", false))),
                reject("ID token, email_verified absent", test -> sign(googleKey, test.idToken(BATCH).claim("email_verified", null))),
                reject("ID token, no email", test -> sign(googleKey, test.idToken(BATCH).claim("email", null))),
                reject("ID token, signed by an attacker under Google's kid", test -> sign(attackerAsGoogle, test.idToken(BATCH))),
                reject("ID token, signed by the account's own key", test -> TestTokens.signed(batchKey,
                        rs256(batchKey).keyID("g-1").build(), test.idToken(BATCH).build())),
                reject("ID token, kid Google never published", test -> sign(attacker, test.idToken(BATCH))),
                reject("ID token, wrong audience", test -> sign(googleKey, test.idToken(BATCH).audience("https://other.example"))),
                reject("ID token, expired", test -> sign(googleKey, test.idToken(BATCH).issueTime(test.inMinutes(-70))
                        .expirationTime(test.inMinutes(-10)))),
                reject("ID token from an unaccepted issuer", test -> sign(googleKey, test.idToken(BATCH).issuer("https://evil.example"))),
                reject("over 16 KiB", test -> sign(batchKey, test.selfSigned(BATCH).claim("pad", "x".repeat(16 * 1024)))),
                reject("not a JWT", test -> "ya29.c.opaque-google-access-token"),
                reject("five parts", test -> "a.b.c.d.e"),
                reject("not base64url", test -> "%%%.%%%.%%%"),
                reject("claims not JSON", test -> {
                    String[] parts = test.validBatchToken().split("\\.");
                    return parts[0] + "." + b64("{\"iss\":") + "." + parts[2];
                }),
                reject("claims tampered after signing", test -> {
                    String[] parts = test.validBatchToken().split("\\.");
                    return parts[0] + "." + b64(test.selfSigned(BATCH).audience(List.of(AUDIENCE, "x")).build().toString())
                            + "." + parts[2];
                }));
    }

    private static Arguments reject(String description, Function<GoogleServiceAccountVerifierIT, String> token) {
        return Arguments.of(description, token);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejectedTokens")
    void rejectsABadCredential(String description, Function<GoogleServiceAccountVerifierIT, String> token) {
        String credential = token.apply(this);

        Throwable failure = failureOf(verifier.verify(credential));

        assertThat(failure).isInstanceOf(CredentialRejectedException.class).hasMessageNotContaining(credential);
        assertThat(attackerSite.requestCount()).as("requests to URLs named in token headers").isZero();
        assertThat(google.requestCount(CERTS) + certificateFetches(BATCH) + certificateFetches(OTHER)
                + certificateFetches(GHOST)).as("key fetches").isEqualTo(google.requestCount());
    }

    private long certificateFetches(String email) {
        return google.requestCount(X509 + email);
    }

    static Stream<Arguments> cheaplyRejectedTokens() {
        return Stream.of(
                reject("alg none", test -> TestTokens.noneWithKeyId("other-k1", test.selfSigned(OTHER).build())),
                reject("HS256", test -> TestTokens.hmacWithPublicKey(otherKey, test.selfSigned(OTHER).build())),
                reject("expired", test -> sign(otherKey, test.selfSigned(OTHER).issueTime(test.inMinutes(-70))
                        .expirationTime(test.inMinutes(-10)))),
                reject("wrong audience", test -> sign(otherKey, test.selfSigned(OTHER).audience("https://other.example"))),
                reject("lifetime too long", test -> sign(otherKey, test.selfSigned(OTHER).expirationTime(test.inMinutes(600)))),
                reject("ID token, email_verified false", test ->
                        sign(googleKey, test.idToken(STRANGER).claim("email_verified", false))),
                reject("iss not a service account", test -> sign(otherKey, test.selfSigned("alice@example.com"))),
                reject("typ of a logout token", test -> TestTokens.signed(otherKey,
                        rs256(otherKey).type(new JOSEObjectType("logout+jwt")).build(), test.selfSigned(OTHER).build())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cheaplyRejectedTokens")
    void rejectsWhatTheClaimsAloneRefuteWithoutFetchingKeys(String description,
            Function<GoogleServiceAccountVerifierIT, String> token) {
        assertThat(failureOf(verifier.verify(token.apply(this)))).isInstanceOf(CredentialRejectedException.class);
        assertThat(google.requestCount()).isZero();
    }

    @Test
    void fetchesAnAccountsCertificatesOnceForManyTokens() {
        for (int i = 0; i < 5; i++) {
            valueOf(verifier.verify(validBatchToken()));
        }

        assertThat(certificateFetches(BATCH)).isOne();
    }

    @Test
    void keepsCertificatesPerAccount() {
        valueOf(verifier.verify(validBatchToken()));
        failureOf(verifier.verify(sign(otherKey, selfSigned(OTHER))));
        valueOf(verifier.verify(validBatchToken()));
        failureOf(verifier.verify(sign(otherKey, selfSigned(OTHER))));

        assertThat(certificateFetches(BATCH)).isOne();
        assertThat(certificateFetches(OTHER)).isOne();
    }

    @Test
    void fetchesGooglesIdTokenKeysOnceForManyTokens() {
        for (int i = 0; i < 5; i++) {
            valueOf(verifier.verify(sign(googleKey, idToken(BATCH))));
        }

        assertThat(google.requestCount(CERTS)).isOne();
        assertThat(google.requestCount()).isOne();
    }

    @Test
    void refetchesForAnUnknownKidAtMostOncePerFloor() {
        valueOf(verifier.verify(validBatchToken()));
        certificates.put(BATCH, Map.of("batch-k1", pems.get("batch-k1"), "batch-k2", pems.get("batch-k2")));

        clock.advance(FLOOR.minusSeconds(1));
        assertThat(failureOf(verifier.verify(sign(batchRotatedKey, selfSigned(BATCH)))))
                .isInstanceOf(CredentialRejectedException.class).hasMessageContaining("kid: 'batch-k2'");
        assertThat(certificateFetches(BATCH)).isOne();

        clock.advance(Duration.ofSeconds(1));
        assertThat(valueOf(verifier.verify(sign(batchRotatedKey, selfSigned(BATCH)))).id()).isEqualTo(BATCH);
        assertThat(certificateFetches(BATCH)).isEqualTo(2);

        for (int i = 0; i < 10; i++) {
            RSAKey forged = TestTokens.rsaKey("forged-" + i);
            assertThat(failureOf(verifier.verify(sign(forged, selfSigned(BATCH))))).isInstanceOf(CredentialRejectedException.class);
        }
        assertThat(certificateFetches(BATCH)).isEqualTo(2);

        clock.advance(FLOOR);
        failureOf(verifier.verify(sign(attacker, selfSigned(BATCH))));
        assertThat(certificateFetches(BATCH)).isEqualTo(3);
    }

    @Test
    void refetchesCertificatesOnceTheirTimeToLiveHasPassed() {
        valueOf(verifier.verify(validBatchToken()));
        clock.advance(TTL.minusSeconds(1));
        valueOf(verifier.verify(validBatchToken()));
        assertThat(certificateFetches(BATCH)).isOne();

        clock.advance(Duration.ofSeconds(1));
        valueOf(verifier.verify(validBatchToken()));

        assertThat(certificateFetches(BATCH)).isEqualTo(2);
    }

    @Test
    void asksGoogleAboutAnUnknownAccountOnlyOncePerFloor() {
        for (int i = 0; i < 5; i++) {
            assertThat(failureOf(verifier.verify(sign(TestTokens.rsaKey("ghost-" + i), selfSigned(GHOST)))))
                    .isInstanceOf(CredentialRejectedException.class);
        }

        assertThat(certificateFetches(GHOST)).isOne();
    }

    @Test
    void skipsABrokenCertificateAndKeepsTheAccountsOtherKeys() {
        Map<String, Object> published = new HashMap<>();
        published.put("batch-k1", pems.get("batch-k1"));
        published.put("broken", "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
        published.put("not-a-string", 42);
        certificates.put(BATCH, published);

        assertThat(valueOf(verifier.verify(validBatchToken())).id()).isEqualTo(BATCH);
    }

    static Stream<Arguments> brokenKeyEndpoints() {
        return Stream.of(
                Arguments.of("500", Reply.status(500, "{}")),
                Arguments.of("503", Reply.status(503, "")),
                Arguments.of("429", Reply.status(429, "")),
                Arguments.of("403", Reply.status(403, "")),
                Arguments.of("200 with HTML", Reply.json("<html>oops</html>")),
                Arguments.of("200 with a JSON array", Reply.json("[]")),
                Arguments.of("200 with JSON null", Reply.json("null")),
                Arguments.of("200 with a huge body", Reply.json("{\"k\":\""
                        + "x".repeat(GoogleServiceAccountVerifier.MAX_KEY_RESPONSE_BYTES) + "\"}")));
    }

    @ParameterizedTest(name = "certificates: {0}")
    @MethodSource("brokenKeyEndpoints")
    void reportsUnavailableWhenTheAccountCertificatesCannotBeHad(String description, Reply reply) {
        google.serve(reply);

        assertThat(failureOf(verifier.verify(validBatchToken()))).isInstanceOf(VerifierUnavailableException.class)
                .hasMessageContaining("certificates of " + BATCH);
    }

    @ParameterizedTest(name = "ID-token JWKS: {0}")
    @MethodSource("brokenKeyEndpoints")
    void reportsUnavailableWhenGooglesIdTokenKeysCannotBeHad(String description, Reply reply) {
        google.serve(reply);

        assertThat(failureOf(verifier.verify(sign(googleKey, idToken(BATCH))))).isInstanceOf(VerifierUnavailableException.class)
                .hasMessageContaining("Google's ID-token JWKS");
    }

    @Test
    void reportsUnavailableWhenGoogleIsDown() {
        URI jwks = google.uri(CERTS);
        String template = google.uri(X509) + "{email}";
        google.close();
        GoogleServiceAccountVerifier offline = verifier(jwks, template);

        assertThat(failureOf(offline.verify(validBatchToken()))).isInstanceOf(VerifierUnavailableException.class)
                .hasMessageContaining("cannot connect");
        assertThat(failureOf(offline.verify(sign(googleKey, idToken(BATCH))))).isInstanceOf(VerifierUnavailableException.class)
                .hasMessageContaining("cannot connect");
    }

    @Test
    void reportsUnavailableWhenGoogleIsSlowWithoutBlockingTheCaller() {
        google.serve(request -> answerAsGoogle(request).delayedBy(Duration.ofSeconds(8)));
        String token = validBatchToken();

        long start = System.nanoTime();
        CompletableFuture<VerifiedSubject> outcome = verifier.verify(token);
        Duration callTook = Duration.ofNanos(System.nanoTime() - start);
        Throwable failure = failureOf(outcome);
        Duration outcomeTook = Duration.ofNanos(System.nanoTime() - start);

        assertThat(callTook).isLessThan(TIMEOUT);
        assertThat(failure).isInstanceOf(VerifierUnavailableException.class).hasMessageContaining("no answer in time");
        assertThat(outcomeTook).isGreaterThanOrEqualTo(TIMEOUT).isLessThan(Duration.ofSeconds(6));
    }

    @Test
    void recoversOnceGoogleAnswersAgain() {
        google.serve(Reply.status(503, ""));
        assertThat(failureOf(verifier.verify(validBatchToken()))).isInstanceOf(VerifierUnavailableException.class);

        google.serve(this::answerAsGoogle);

        assertThat(valueOf(verifier.verify(validBatchToken())).id()).isEqualTo(BATCH);
    }
}
