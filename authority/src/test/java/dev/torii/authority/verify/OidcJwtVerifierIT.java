package dev.torii.authority.verify;

import static dev.torii.authority.testing.TestTokens.b64;
import static dev.torii.authority.verify.Outcomes.failureOf;
import static dev.torii.authority.verify.Outcomes.valueOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.torii.authority.testing.FakeEndpoint.Reply;
import dev.torii.authority.testing.FakeEndpoint;
import dev.torii.authority.testing.MutableClock;
import dev.torii.authority.testing.TestTokens;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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

/** Runs the OIDC JWT verifier against a fake issuer whose JWKS is served over real HTTP. */
class OidcJwtVerifierIT {

    private static final String ISSUER = "https://idp.torii.test";
    private static final String AUDIENCE = "torii";
    private static final String JWKS = "/oauth2/jwks";
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private static RSAKey rsa;
    private static ECKey ec256;
    private static ECKey ec384;
    private static ECKey ec521;
    private static RSAKey attacker;
    private static RSAKey attackerUnderPublishedKeyId;

    private final MutableClock clock = new MutableClock(Instant.now());
    private final KeyFetchMonitor monitor = new KeyFetchMonitor(clock);
    private ExecutorService executor;
    private FakeEndpoint idp;
    private FakeEndpoint attackerSite;
    private volatile JWKSet published;
    private OidcJwtVerifier verifier;

    @BeforeAll
    static void generateKeys() {
        rsa = TestTokens.rsaKey("rsa-1");
        ec256 = TestTokens.ecKey(Curve.P_256, "ec-256");
        ec384 = TestTokens.ecKey(Curve.P_384, "ec-384");
        ec521 = TestTokens.ecKey(Curve.P_521, "ec-521");
        attacker = TestTokens.rsaKey("attacker-1");
        attackerUnderPublishedKeyId = TestTokens.rsaKey("rsa-1");
    }

    @BeforeEach
    void start() {
        executor = Executors.newFixedThreadPool(4);
        published = new JWKSet(List.of(rsa, ec256, ec384, ec521)).toPublicJWKSet();
        idp = FakeEndpoint.start();
        idp.serve(request -> request.path().equals(JWKS) ? Reply.json(published.toString()) : Reply.status(404, ""));
        // Serves the attacker's key, so a verifier that followed jku or x5u would find it.
        attackerSite = FakeEndpoint.start();
        attackerSite.serve(Reply.json(new JWKSet(attacker.toPublicJWK()).toString()));
        verifier = verifier(Duration.ofMinutes(5), Duration.ofSeconds(30));
    }

    @AfterEach
    void stop() {
        idp.close();
        attackerSite.close();
        executor.shutdownNow();
    }

    private OidcJwtVerifier verifier(Duration cacheTtl, Duration refreshFloor) {
        return verifier(idp.uri(JWKS), cacheTtl, refreshFloor);
    }

    private OidcJwtVerifier verifier(URI jwksUri, Duration cacheTtl, Duration refreshFloor) {
        return verifier(jwksUri, cacheTtl, refreshFloor, KeyEndpointSettings.defaults());
    }

    private OidcJwtVerifier verifier(URI jwksUri, Duration cacheTtl, Duration refreshFloor,
            KeyEndpointSettings keyEndpoints) {
        return new OidcJwtVerifier(new OidcJwtSettings(Optional.of(ISSUER), Optional.of(jwksUri), List.of(AUDIENCE),
                Duration.ofSeconds(30), cacheTtl, refreshFloor, TIMEOUT, "scope"), clock, executor, WebClient.builder(),
                keyEndpoints, monitor);
    }

    private Date inMinutes(long minutes) {
        return Date.from(clock.instant().plus(Duration.ofMinutes(minutes)));
    }

    private Date inSeconds(long seconds) {
        return Date.from(clock.instant().plusSeconds(seconds));
    }

    private JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .subject("user-42")
                .audience(AUDIENCE)
                .issueTime(Date.from(clock.instant()))
                .expirationTime(inMinutes(5))
                .claim("scope", "offers.read offers.write");
    }

    private static JWSHeader.Builder header(JWSAlgorithm algorithm, JWK key) {
        return new JWSHeader.Builder(algorithm).keyID(key.getKeyID()).type(JOSEObjectType.JWT);
    }

    private String valid() {
        return TestTokens.rs256(rsa, claims().build());
    }

    static Stream<Arguments> acceptedTokens() {
        List<Arguments> cases = new ArrayList<>();
        for (JWSAlgorithm algorithm : List.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512, JWSAlgorithm.PS256)) {
            cases.add(Arguments.of(algorithm + " with the RSA key", (Function<OidcJwtVerifierIT, String>) test ->
                    TestTokens.signed(rsa, header(algorithm, rsa).build(), test.claims().build())));
        }
        cases.add(Arguments.of("ES256 with the P-256 key", (Function<OidcJwtVerifierIT, String>) test ->
                TestTokens.signed(ec256, header(JWSAlgorithm.ES256, ec256).build(), test.claims().build())));
        cases.add(Arguments.of("ES384 with the P-384 key", (Function<OidcJwtVerifierIT, String>) test ->
                TestTokens.signed(ec384, header(JWSAlgorithm.ES384, ec384).build(), test.claims().build())));
        for (String type : List.of("at+jwt", "application/at+jwt", "AT+JWT")) {
            cases.add(Arguments.of("typ " + type, (Function<OidcJwtVerifierIT, String>) test -> TestTokens.signed(rsa,
                    header(JWSAlgorithm.RS256, rsa).type(new JOSEObjectType(type)).build(), test.claims().build())));
        }
        cases.add(Arguments.of("no typ", (Function<OidcJwtVerifierIT, String>) test ->
                TestTokens.rs256(rsa, test.claims().build())));
        cases.add(Arguments.of("expired 10 s ago, within the 30 s skew", (Function<OidcJwtVerifierIT, String>) test ->
                TestTokens.rs256(rsa, test.claims().expirationTime(test.inSeconds(-10)).build())));
        cases.add(Arguments.of("valid in 10 s, within the 30 s skew", (Function<OidcJwtVerifierIT, String>) test ->
                TestTokens.rs256(rsa, test.claims().notBeforeTime(test.inSeconds(10)).issueTime(test.inSeconds(10)).build())));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("acceptedTokens")
    void acceptsAValidToken(String description, Function<OidcJwtVerifierIT, String> token) {
        VerifiedSubject subject = valueOf(verifier.verify(token.apply(this)));

        assertThat(subject.type()).isEqualTo(SubjectType.USER);
        assertThat(subject.id()).isEqualTo("user-42");
        assertThat(subject.scopes()).containsExactly("offers.read", "offers.write");
        assertThat(subject.expiresAt()).isPresent();
    }

    @Test
    void readsScopesFromAnArrayClaimAndReportsTheExpiry() {
        Date expiry = inMinutes(7);
        String token = TestTokens.rs256(rsa, claims().claim("scope", List.of("a", "b")).expirationTime(expiry).build());

        VerifiedSubject subject = valueOf(verifier.verify(token));

        assertThat(subject.scopes()).containsExactly("a", "b");
        assertThat(subject.expiresAt()).contains(Instant.ofEpochSecond(expiry.toInstant().getEpochSecond()));
    }

    static Stream<Arguments> rejectedTokens() {
        return Stream.<Arguments>of(
                reject("alg none", test -> TestTokens.unsigned(test.claims().build())),
                reject("alg none naming a published kid", test -> TestTokens.noneWithKeyId("rsa-1", test.claims().build())),
                reject("HS256 keyed with the issuer's RSA public key", test ->
                        TestTokens.hmacWithPublicKey(rsa, test.claims().build())),
                reject("ES512, not accepted even with a published key", test ->
                        TestTokens.signed(ec521, header(JWSAlgorithm.ES512, ec521).build(), test.claims().build())),
                reject("signed by another key under a published kid", test ->
                        TestTokens.rs256(attackerUnderPublishedKeyId, test.claims().build())),
                reject("unknown kid", test -> TestTokens.rs256(attacker, test.claims().build())),
                reject("jku pointing at the attacker's JWKS", test -> TestTokens.signed(attacker,
                        header(JWSAlgorithm.RS256, attacker).jwkURL(test.attackerSite.uri("/jwks")).build(),
                        test.claims().build())),
                reject("x5u pointing at the attacker's certificate", test -> TestTokens.signed(attacker,
                        header(JWSAlgorithm.RS256, attacker).x509CertURL(test.attackerSite.uri("/cert.pem")).build(),
                        test.claims().build())),
                reject("embedded jwk of the attacker", test -> TestTokens.signed(attacker,
                        header(JWSAlgorithm.RS256, attacker).jwk(attacker.toPublicJWK()).build(), test.claims().build())),
                reject("embedded jwk under a published kid", test -> TestTokens.signed(attackerUnderPublishedKeyId,
                        header(JWSAlgorithm.RS256, attackerUnderPublishedKeyId)
                                .jwk(attackerUnderPublishedKeyId.toPublicJWK()).build(), test.claims().build())),
                reject("expired 5 min ago", test -> TestTokens.rs256(rsa, test.claims().expirationTime(test.inMinutes(-5)).build())),
                reject("not valid for 5 min", test -> TestTokens.rs256(rsa, test.claims().notBeforeTime(test.inMinutes(5)).build())),
                reject("issued 5 min in the future", test -> TestTokens.rs256(rsa, test.claims().issueTime(test.inMinutes(5)).build())),
                reject("wrong issuer", test -> TestTokens.rs256(rsa, test.claims().issuer("https://evil.test").build())),
                reject("issuer with a trailing slash", test -> TestTokens.rs256(rsa, test.claims().issuer(ISSUER + "/").build())),
                reject("wrong audience", test -> TestTokens.rs256(rsa, test.claims().audience("another-api").build())),
                reject("no audience", test -> TestTokens.rs256(rsa, test.claims().audience((String) null).build())),
                reject("no exp", test -> TestTokens.rs256(rsa, test.claims().expirationTime(null).build())),
                reject("exp not a number", test -> TestTokens.rs256(rsa, test.claims().claim("exp", "tomorrow").build())),
                reject("no sub", test -> TestTokens.rs256(rsa, test.claims().subject(null).build())),
                reject("blank sub", test -> TestTokens.rs256(rsa, test.claims().subject(" ").build())),
                reject("typ of a logout token", test -> TestTokens.signed(rsa,
                        header(JWSAlgorithm.RS256, rsa).type(new JOSEObjectType("logout+jwt")).build(), test.claims().build())),
                reject("scope a number", test -> TestTokens.rs256(rsa, test.claims().claim("scope", 7).build())),
                reject("over 16 KiB", test -> TestTokens.rs256(rsa, test.claims().claim("pad", "x".repeat(16 * 1024)).build())),
                reject("not a JWT", test -> "2YotnFZFEjr1zCsicMWpAA"),
                reject("two parts", test -> b64("{\"alg\":\"RS256\"}") + "." + b64("{}")),
                reject("five parts", test -> "a.b.c.d.e"),
                reject("not base64url", test -> "%%%.%%%.%%%"),
                reject("header not JSON", test -> b64("{alg:RS256") + "." + b64("{}") + ".c2ln"),
                reject("claims not JSON", test -> {
                    String token = test.valid();
                    String[] parts = token.split("\\.");
                    return parts[0] + "." + b64("{\"sub\":") + "." + parts[2];
                }),
                reject("claims tampered after signing", test -> {
                    String[] parts = test.valid().split("\\.");
                    return parts[0] + "." + b64(test.claims().subject("admin").build().toString()) + "." + parts[2];
                }));
    }

    private static Arguments reject(String description, Function<OidcJwtVerifierIT, String> token) {
        return Arguments.of(description, token);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejectedTokens")
    void rejectsABadToken(String description, Function<OidcJwtVerifierIT, String> token) {
        String credential = token.apply(this);

        Throwable failure = failureOf(verifier.verify(credential));

        assertThat(failure).isInstanceOf(CredentialRejectedException.class).hasMessageNotContaining(credential);
        assertThat(attackerSite.requestCount()).as("requests to URLs named in token headers").isZero();
    }

    @Test
    void fetchesTheJwksOnceForManyTokens() {
        for (int i = 0; i < 5; i++) {
            valueOf(verifier.verify(valid()));
        }

        assertThat(idp.requestCount(JWKS)).isOne();
    }

    @Test
    void rejectsAFloodOfUnknownKeyIdsWithoutHammeringTheIssuer() {
        valueOf(verifier.verify(valid()));

        for (int i = 0; i < 20; i++) {
            String forged = TestTokens.rs256(TestTokens.rsaKey("forged-" + i), claims().build());
            assertThat(failureOf(verifier.verify(forged))).isInstanceOf(CredentialRejectedException.class);
        }

        // Nimbus allows two fetches per floor: the first, and one kept for a key rotation.
        assertThat(idp.requestCount(JWKS)).isEqualTo(2);
    }

    @Test
    void picksUpARotatedKeyAtOnce() {
        valueOf(verifier.verify(valid()));
        RSAKey rotated = TestTokens.rsaKey("rsa-2");
        published = new JWKSet(List.of(rsa.toPublicJWK(), rotated.toPublicJWK()));

        assertThat(valueOf(verifier.verify(TestTokens.rs256(rotated, claims().build()))).id()).isEqualTo("user-42");
        assertThat(idp.requestCount(JWKS)).isEqualTo(2);
    }

    @Test
    void refetchesForUnknownKeyIdsAgainOnlyOnceTheFloorHasPassed() throws InterruptedException {
        verifier = verifier(Duration.ofMinutes(1), Duration.ofSeconds(1));
        valueOf(verifier.verify(valid()));
        for (int i = 0; i < 5; i++) {
            failureOf(verifier.verify(TestTokens.rs256(attacker, claims().build())));
        }
        assertThat(idp.requestCount(JWKS)).isEqualTo(2);

        Thread.sleep(1_100);
        for (int i = 0; i < 5; i++) {
            failureOf(verifier.verify(TestTokens.rs256(attacker, claims().build())));
        }

        assertThat(idp.requestCount(JWKS)).isEqualTo(4);
    }

    @Test
    void refetchesTheJwksWhenTheCacheTimeToLiveHasPassed() throws InterruptedException {
        verifier = verifier(Duration.ofMillis(800), Duration.ofMillis(200));
        valueOf(verifier.verify(valid()));
        valueOf(verifier.verify(valid()));
        assertThat(idp.requestCount(JWKS)).isOne();

        Thread.sleep(1_000);
        valueOf(verifier.verify(valid()));

        assertThat(idp.requestCount(JWKS)).isEqualTo(2);
    }

    static Stream<Arguments> brokenJwksEndpoints() {
        return Stream.of(
                Arguments.of("500", Reply.status(500, "{}")),
                Arguments.of("503", Reply.status(503, "")),
                Arguments.of("404", Reply.status(404, "")),
                Arguments.of("200 with HTML", Reply.json("<html>maintenance</html>")),
                Arguments.of("200 with a JSON object that is not a JWK set", Reply.json("{\"keys\":42}")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenJwksEndpoints")
    void reportsUnavailableWhenTheJwksEndpointIsBroken(String description, Reply reply) {
        idp.serve(reply);

        Throwable failure = failureOf(verifier.verify(valid()));

        assertThat(failure).isInstanceOf(VerifierUnavailableException.class).hasMessageContaining(idp.uri(JWKS).toString());
    }

    @Test
    void reportsUnavailableWhenTheJwksEndpointIsDown() {
        URI jwksUri = idp.uri(JWKS);
        idp.close();

        Throwable failure = failureOf(verifier(jwksUri, Duration.ofMinutes(5), Duration.ofSeconds(30)).verify(valid()));

        assertThat(failure).isInstanceOf(VerifierUnavailableException.class);
    }

    @Test
    void reportsUnavailableWhenTheJwksEndpointIsSlowWithoutBlockingTheCaller() {
        idp.serve(Reply.json(published.toString()).delayedBy(Duration.ofSeconds(8)));
        String token = valid();

        long start = System.nanoTime();
        CompletableFuture<VerifiedSubject> outcome = verifier.verify(token);
        Duration callTook = Duration.ofNanos(System.nanoTime() - start);
        Throwable failure = failureOf(outcome);
        Duration outcomeTook = Duration.ofNanos(System.nanoTime() - start);

        assertThat(callTook).isLessThan(TIMEOUT);
        assertThat(failure).isInstanceOf(VerifierUnavailableException.class);
        assertThat(outcomeTook).isLessThan(Duration.ofSeconds(6));
    }

    @Test
    void keepsTheLastGoodKeysThroughAJwksOutageForTheGraceOnly() throws InterruptedException {
        // Nimbus's cache and outage tolerance run on the system clock, so this one waits for real;
        // a first exchange warms up the HTTP client, whose first call may take seconds on a busy machine.
        valueOf(verifier.verify(valid()));
        Duration ttl = Duration.ofMillis(500);
        Duration grace = Duration.ofMillis(1500);
        verifier = verifier(idp.uri(JWKS), ttl, Duration.ofMillis(100), new KeyEndpointSettings(grace,
                Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofMinutes(5)));
        long fetched = System.nanoTime();
        valueOf(verifier.verify(valid()));
        idp.serve(Reply.status(503, "maintenance"));

        Thread.sleep(800);
        assertThat(valueOf(verifier.verify(valid())).id()).as("past the time to live, within the grace")
                .isEqualTo("user-42");
        assertThat(idp.requestCount(JWKS)).as("the JWKS was asked again").isGreaterThan(1);
        KeyFetchMonitor.Snapshot outage = monitor.snapshot(KeyFetchMonitor.Source.OIDC_JWKS);
        assertThat(outage.staleKeyUses()).isPositive();
        assertThat(outage.fetchFailures()).isPositive();
        assertThat(outage.endpointsInOutage()).isOne();

        // Nimbus's cache may keep the last good set for one more time to live after the grace.
        Thread.sleep(Math.max(0, ttl.plus(grace).plus(ttl).plusMillis(300).toMillis()
                - Duration.ofNanos(System.nanoTime() - fetched).toMillis()));
        assertThat(failureOf(verifier.verify(valid()))).as("after the grace")
                .isInstanceOf(VerifierUnavailableException.class).hasMessageContaining("HTTP 503");
    }

    static Stream<Arguments> maxAges() {
        return Stream.of(
                Arguments.of("max-age=1, shorter than jwks-cache-ttl", "max-age=1", Duration.ofMinutes(5), true),
                Arguments.of("max-age=0, raised to min-cache-ttl", "no-cache, max-age=0", Duration.ofMinutes(5), true),
                Arguments.of("max-age=3600, longer than jwks-cache-ttl", "public, max-age=3600", Duration.ofMillis(500),
                        false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("maxAges")
    void cachesTheJwksForItsMaxAgeWithinTheBounds(String description, String cacheControl, Duration cacheTtl,
            boolean refetched) throws InterruptedException {
        valueOf(verifier.verify(valid()));
        long before = idp.requestCount(JWKS);
        idp.serve(request -> Reply.json(published.toString()).withHeader("Cache-Control", cacheControl));
        verifier = verifier(idp.uri(JWKS), cacheTtl, Duration.ofMillis(100), new KeyEndpointSettings(
                Duration.ofHours(1), Duration.ofMillis(800), Duration.ofHours(1), Duration.ofSeconds(5),
                Duration.ofMinutes(5)));
        valueOf(verifier.verify(valid()));

        Thread.sleep(1_200);
        valueOf(verifier.verify(valid()));

        assertThat(idp.requestCount(JWKS) - before).isEqualTo(refetched ? 2 : 1);
    }

    @Test
    void rejectsAnOversizeTokenWithoutFetchingKeys() {
        String oversize = TestTokens.rs256(rsa, claims().claim("pad", "x".repeat(16 * 1024)).build());

        assertThat(failureOf(verifier.verify(oversize))).isInstanceOf(CredentialRejectedException.class)
                .hasMessageStartingWith("credential: ");
        assertThat(idp.requestCount()).isZero();
    }
}
