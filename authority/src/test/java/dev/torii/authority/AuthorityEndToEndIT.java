package dev.torii.authority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.torii.authority.config.GrpcServerLifecycle;
import dev.torii.authority.sdk.PrivateTokenException;
import dev.torii.authority.sdk.PrivateTokenVerifier;
import dev.torii.authority.sdk.VerifiedPrincipal;
import dev.torii.authority.testing.FakeEndpoint;
import dev.torii.authority.testing.FakeEndpoint.Reply;
import dev.torii.authority.testing.MutableClock;
import dev.torii.authority.testing.RedisServerProcess;
import dev.torii.authority.testing.TestCertificates;
import dev.torii.authority.testing.TestTokens;
import dev.torii.authority.v1.AuthorityGrpc;
import dev.torii.authority.v1.CredentialType;
import dev.torii.authority.v1.ExchangeTokenRequest;
import dev.torii.authority.v1.ExchangeTokenResponse;
import dev.torii.authority.v1.PrincipalType;
import dev.torii.authority.v1.ResolveAccessTokenRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Runs the real Authority against a real Redis server, a fake identity provider and fake Google
 * endpoints served over real HTTP, and checks what its callers depend on: every credential kind,
 * the RFC 8693 endpoint, key rotation, caching, and outages reported as UNAVAILABLE.
 */
@SpringBootTest(classes = {AuthorityApplication.class, AuthorityEndToEndIT.TestClock.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AuthorityEndToEndIT {

    private static final String AUDIENCE = "examples.offer.v1.OfferService";
    private static final String RESOLVER = "examples.legacy.v1.LegacyBridge";
    private static final String ISSUER = "http://authority.test";
    private static final String GOOGLE = "https://accounts.google.com";
    private static final String SELF_SIGNED_AUDIENCE = "https://authority.test/token";
    private static final String BATCH = "batch@torii-test.iam.gserviceaccount.com";
    private static final String STRANGER = "stranger@torii-test.iam.gserviceaccount.com";
    private static final MutableClock CLOCK = new MutableClock(Instant.now());

    private static RedisServerProcess redis;
    private static FakeEndpoint identityProvider;
    private static FakeEndpoint google;
    private static Path keyFile;
    private static final RSAKey GOOGLE_KEY = TestTokens.rsaKey("google-1");
    private static final RSAKey BATCH_KEY = TestTokens.rsaKey("batch-k1");
    private static final RSAKey STRANGER_KEY = TestTokens.rsaKey("stranger-k1");

    @Autowired
    private GrpcServerLifecycle grpcServer;

    @Autowired
    private Environment environment;

    private ManagedChannel channel;
    private AuthorityGrpc.AuthorityBlockingStub authority;

    /** Lets the test move the Authority's time, to cross the key-rotation overlap. */
    @TestConfiguration
    static class TestClock {
        @Bean
        @Primary
        Clock testClock() {
            return CLOCK;
        }
    }

    @DynamicPropertySource
    static void authority(DynamicPropertyRegistry registry) throws IOException {
        redis = RedisServerProcess.start();
        identityProvider = FakeEndpoint.start();
        identityProvider.serve(AuthorityEndToEndIT::introspect);
        google = FakeEndpoint.start();
        Map<String, Map<String, Object>> certificates = Map.of(
                BATCH, Map.of("batch-k1", TestCertificates.selfSignedPem(BATCH_KEY, BATCH)),
                STRANGER, Map.of("stranger-k1", TestCertificates.selfSignedPem(STRANGER_KEY, STRANGER)));
        google.serve(request -> {
            if (request.path().equals("/oauth2/v3/certs")) {
                return Reply.json(new JWKSet(GOOGLE_KEY.toPublicJWK()).toString());
            }
            String email = request.path().substring(request.path().lastIndexOf('/') + 1);
            Map<String, Object> published = certificates.get(email);
            return published == null ? Reply.status(404, "{}") : Reply.json(JSONObjectUtils.toJSONString(published));
        });
        keyFile = Files.createTempFile("authority-key", ".json");
        Files.writeString(keyFile, TestTokens.rsaKey("signing-1").toJSONString());

        registry.add("torii.authority.issuer", () -> ISSUER);
        registry.add("torii.authority.grpc.port", () -> "0");
        registry.add("torii.authority.tokens.lifetime", () -> "2m");
        registry.add("torii.authority.keys.files[0]", keyFile::toString);
        registry.add("torii.authority.keys.poll-interval", () -> "100ms");
        registry.add("torii.authority.keys.overlap", () -> "3m");
        registry.add("torii.authority.users.verifier", () -> "introspection");
        registry.add("torii.authority.users.introspection.endpoint", () -> identityProvider.uri("/introspect").toString());
        registry.add("torii.authority.users.introspection.client-id", () -> "authority");
        registry.add("torii.authority.users.introspection.client-secret", () -> "test-secret");
        registry.add("torii.authority.users.introspection.timeout", () -> "1s");
        registry.add("torii.authority.google.enabled", () -> "true");
        registry.add("torii.authority.google.audiences[0]", () -> SELF_SIGNED_AUDIENCE);
        registry.add("torii.authority.google.service-accounts[0].email", () -> BATCH);
        registry.add("torii.authority.google.service-accounts[0].roles[0]", () -> "support.reader");
        registry.add("torii.authority.google.id-token-jwks-uri", () -> google.uri("/oauth2/v3/certs").toString());
        registry.add("torii.authority.google.x509-url-template",
                () -> google.uri("/service_accounts/v1/metadata/x509/").toString() + "{email}");
        registry.add("torii.authority.resolve.allowed-audiences[0]", () -> RESOLVER);
        registry.add("torii.authority.redis.uri", () -> redis.uri().toString());
    }

    // The fake identity provider: tokens named "user-<id>" are active, "revoked" is not.
    private static Reply introspect(FakeEndpoint.Request request) {
        String token = java.net.URLDecoder.decode(request.body().replaceAll(".*token=([^&]*).*", "$1"),
                java.nio.charset.StandardCharsets.UTF_8);
        if (token.startsWith("user-")) {
            return Reply.json("{\"active\":true,\"sub\":\"" + token.substring(5) + "\",\"scope\":\"offers.read offers.write\","
                    + "\"exp\":" + CLOCK.instant().plus(Duration.ofHours(1)).getEpochSecond() + "}");
        }
        return Reply.json("{\"active\":false}");
    }

    @AfterAll
    static void stopFakes() {
        identityProvider.close();
        google.close();
        redis.close();
    }

    @BeforeEach
    void connect() {
        channel = ManagedChannelBuilder.forAddress("localhost", grpcServer.port()).usePlaintext().build();
        authority = AuthorityGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
        identityProvider.serve(AuthorityEndToEndIT::introspect);
    }

    @AfterEach
    void disconnect() {
        channel.shutdownNow();
    }

    @Test
    void aUserAccessTokenBecomesAPrivateTokenTheBackendAccepts() {
        ExchangeTokenResponse response = exchange("user-alice", AUDIENCE);

        assertThat(response.getPrincipal().getType()).isEqualTo(PrincipalType.PRINCIPAL_TYPE_USER);
        VerifiedPrincipal principal = backend(AUDIENCE).verify(response.getPrivateToken());
        assertThat(principal.id()).isEqualTo("alice");
        assertThat(principal.scopes()).containsExactlyInAnyOrder("offers.read", "offers.write");
        assertThatThrownBy(() -> backend("examples.cart.v1.CartService").verify(response.getPrivateToken()))
                .isInstanceOf(PrivateTokenException.class);
        assertThatThrownBy(() -> exchange("revoked", AUDIENCE)).satisfies(status(Status.Code.UNAUTHENTICATED));
    }

    @Test
    void exchangesAndVerificationsShowInPrometheusMetrics() throws Exception {
        exchange("user-metrics", AUDIENCE);
        exchange("user-metrics", AUDIENCE);
        assertThatThrownBy(() -> exchange("revoked-metrics", AUDIENCE)).satisfies(status(Status.Code.UNAUTHENTICATED));

        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base() + "/actuator/prometheus"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();

        assertThat(metrics).containsPattern("torii_authority_exchanges_total\\{[^}]*result=\"verified\"[^}]*} [1-9]")
                .containsPattern("torii_authority_exchanges_total\\{[^}]*result=\"cache_hit\"[^}]*} [1-9]")
                .containsPattern("torii_authority_exchanges_total\\{[^}]*result=\"rejected\"[^}]*} [1-9]")
                .containsPattern("torii_authority_verifications_seconds_count\\{[^}]*credential=\"access_token\""
                        + "[^}]*outcome=\"verified\"[^}]*} [1-9]")
                .doesNotContain("user-metrics", "revoked-metrics");
    }

    @Test
    void aGoogleIdTokenOfAnAllowedServiceAccountCarriesItsRoles() {
        String idToken = TestTokens.rs256(GOOGLE_KEY, new JWTClaimsSet.Builder()
                .issuer(GOOGLE).subject("1234567890").audience(SELF_SIGNED_AUDIENCE)
                .claim("email", BATCH).claim("email_verified", true)
                .issueTime(Date.from(CLOCK.instant())).expirationTime(Date.from(CLOCK.instant().plusSeconds(3600)))
                .build());

        ExchangeTokenResponse response = exchange(idToken, AUDIENCE);

        VerifiedPrincipal principal = backend(AUDIENCE).verify(response.getPrivateToken());
        assertThat(principal.type()).isEqualTo(VerifiedPrincipal.Type.SERVICE_ACCOUNT);
        assertThat(principal.id()).isEqualTo(BATCH);
        assertThat(principal.roles()).containsExactly("support.reader");
    }

    @Test
    void aSelfSignedServiceAccountJwtWorksAndAStrangerIsRefused() {
        ExchangeTokenResponse response = exchange(selfSigned(BATCH_KEY, BATCH), AUDIENCE);
        assertThat(backend(AUDIENCE).verify(response.getPrivateToken()).id()).isEqualTo(BATCH);

        assertThatThrownBy(() -> exchange(selfSigned(STRANGER_KEY, STRANGER), AUDIENCE))
                .satisfies(status(Status.Code.PERMISSION_DENIED));
        assertThatThrownBy(() -> exchange(selfSigned(STRANGER_KEY, BATCH), AUDIENCE))
                .as("a token claiming to be batch but signed by another key")
                .satisfies(status(Status.Code.UNAUTHENTICATED));
    }

    @Test
    void theRfc8693EndpointExchangesAndAnswersOAuthErrors() throws Exception {
        HttpResponse<String> ok = tokenEndpoint("user-bob", AUDIENCE);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("cache-control")).hasValue("no-store");
        String token = ok.body().replaceAll(".*\"access_token\":\"([^\"]+)\".*", "$1");
        assertThat(backend(AUDIENCE).verify(token).id()).isEqualTo("bob");

        HttpResponse<String> bad = tokenEndpoint("revoked", AUDIENCE);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("\"error\":\"invalid_grant\"");
    }

    @Test
    void theSameCredentialIsVerifiedOnceEvenWhenUsedConcurrently() {
        int before = identityProvider.requestCount();
        List<CompletableFuture<ExchangeTokenResponse>> calls = new ArrayList<>();
        AuthorityGrpc.AuthorityFutureStub async = AuthorityGrpc.newFutureStub(channel);
        for (int i = 0; i < 20; i++) {
            var future = async.withDeadlineAfter(10, TimeUnit.SECONDS).exchangeToken(ExchangeTokenRequest.newBuilder()
                    .setSubjectToken("user-carol").setAudience(AUDIENCE).build());
            calls.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return future.get();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        List<String> tokens = calls.stream().map(CompletableFuture::join).map(ExchangeTokenResponse::getPrivateToken).toList();
        for (int i = 0; i < 100; i++) {
            exchange("user-carol", AUDIENCE);
        }

        assertThat(identityProvider.requestCount() - before).isEqualTo(1);
        assertThat(tokens).containsOnly(tokens.get(0));
    }

    @Test
    void anIdentityProviderOutageIsUnavailableNeverUnauthenticated() {
        identityProvider.serve(Reply.status(503, "maintenance"));
        assertThatThrownBy(() -> exchange("user-dave", AUDIENCE)).satisfies(status(Status.Code.UNAVAILABLE));

        identityProvider.serve(request -> introspect(request).delayedBy(Duration.ofSeconds(3)));
        assertThatThrownBy(() -> exchange("user-erin", AUDIENCE)).satisfies(status(Status.Code.UNAVAILABLE));

        identityProvider.serve(AuthorityEndToEndIT::introspect);
        assertThat(exchange("user-dave", AUDIENCE).getPrincipal().getId()).as("no negative caching of outages")
                .isEqualTo("dave");
    }

    @Test
    void aRedisOutageIsInvisibleToCallersAndASecondReplicaSharesTheCache() throws Exception {
        redis.stop();
        try {
            long started = System.nanoTime();
            assertThat(exchange("user-frank", AUDIENCE).getPrincipal().getId()).isEqualTo("frank");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
        } finally {
            redis.startProcess();
        }

        Thread.sleep(6000); // past the pause after a Redis failure, so the write below reaches Redis
        String first = exchange("user-heidi", AUDIENCE).getPrivateToken();
        int before = identityProvider.requestCount();
        try (ConfigurableApplicationContext replica = replica()) {
            ManagedChannel replicaChannel = ManagedChannelBuilder
                    .forAddress("localhost", replica.getBean(GrpcServerLifecycle.class).port()).usePlaintext().build();
            try {
                String second = AuthorityGrpc.newBlockingStub(replicaChannel).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .exchangeToken(ExchangeTokenRequest.newBuilder().setSubjectToken("user-heidi")
                                .setAudience(AUDIENCE).build())
                        .getPrivateToken();
                assertThat(second).isEqualTo(first);
                assertThat(identityProvider.requestCount()).isEqualTo(before);
            } finally {
                replicaChannel.shutdownNow();
            }
        }
    }

    @Test
    void resolveGivesTheAccessTokenBackOnlyToAllowedBackends() {
        String forResolver = exchange("user-ivan", RESOLVER).getPrivateToken();
        assertThat(authority.resolveAccessToken(ResolveAccessTokenRequest.newBuilder()
                .setPrivateToken(forResolver).build()).getAccessToken()).isEqualTo("user-ivan");

        String forOthers = exchange("user-ivan", AUDIENCE).getPrivateToken();
        assertThatThrownBy(() -> authority.resolveAccessToken(ResolveAccessTokenRequest.newBuilder()
                .setPrivateToken(forOthers).build())).satisfies(status(Status.Code.PERMISSION_DENIED));

        String serviceAccount = exchange(selfSigned(BATCH_KEY, BATCH), RESOLVER).getPrivateToken();
        assertThatThrownBy(() -> authority.resolveAccessToken(ResolveAccessTokenRequest.newBuilder()
                .setPrivateToken(serviceAccount).build())).satisfies(status(Status.Code.FAILED_PRECONDITION));

        assertThatThrownBy(() -> authority.resolveAccessToken(ResolveAccessTokenRequest.newBuilder()
                .setPrivateToken("not-a-token").build())).satisfies(status(Status.Code.UNAUTHENTICATED));
    }

    @Test
    void keyRotationKeepsOldTokensValidThroughTheOverlapOnly() throws Exception {
        String before = exchange("user-judy", AUDIENCE).getPrivateToken();
        String oldKid = SignedJWT.parse(before).getHeader().getKeyID();
        String originalKey = Files.readString(keyFile);

        Files.writeString(keyFile, TestTokens.rsaKey("signing-2").toJSONString());
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            String after;
            do {
                Thread.sleep(100);
                after = exchange("user-judy", AUDIENCE).getPrivateToken();
            } while (SignedJWT.parse(after).getHeader().getKeyID().equals(oldKid) && System.nanoTime() < deadline);

            assertThat(SignedJWT.parse(after).getHeader().getKeyID()).isEqualTo("signing-2");
            assertThat(backend(AUDIENCE).verify(before).id()).as("old token during the overlap").isEqualTo("judy");
            assertThat(backend(AUDIENCE).verify(after).id()).isEqualTo("judy");
            assertThat(jwks()).contains("\"signing-1\"", "\"signing-2\"");

            CLOCK.advance(Duration.ofMinutes(3));

            assertThat(jwks()).doesNotContain("\"signing-1\"").contains("\"signing-2\"");
            String old = before;
            assertThatThrownBy(() -> backend(AUDIENCE).verify(old)).as("old token after the overlap")
                    .isInstanceOf(PrivateTokenException.class);
        } finally {
            Files.writeString(keyFile, originalKey);
        }
    }

    private ConfigurableApplicationContext replica() {
        List<String> args = new ArrayList<>();
        for (String name : List.of("torii.authority.issuer", "torii.authority.keys.files[0]",
                "torii.authority.users.verifier", "torii.authority.users.introspection.endpoint",
                "torii.authority.users.introspection.client-id", "torii.authority.users.introspection.client-secret",
                "torii.authority.redis.uri", "torii.authority.tokens.lifetime", "torii.authority.keys.overlap")) {
            args.add("--" + name + "=" + environment.getRequiredProperty(name));
        }
        args.add("--server.port=0");
        args.add("--torii.authority.grpc.port=0");
        return new SpringApplicationBuilder(AuthorityApplication.class).run(args.toArray(String[]::new));
    }

    private ExchangeTokenResponse exchange(String credential, String audience) {
        return authority.exchangeToken(ExchangeTokenRequest.newBuilder()
                .setSubjectToken(credential)
                .setSubjectTokenType(CredentialType.CREDENTIAL_TYPE_UNSPECIFIED)
                .setAudience(audience)
                .build());
    }

    private static String selfSigned(RSAKey key, String email) {
        return TestTokens.signed(key, new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
                new JWTClaimsSet.Builder().issuer(email).subject(email).audience(SELF_SIGNED_AUDIENCE)
                        .issueTime(Date.from(CLOCK.instant())).expirationTime(Date.from(CLOCK.instant().plusSeconds(600)))
                        .build());
    }

    // A fresh verifier per call, as a backend that just started: no JWKS cached.
    private PrivateTokenVerifier backend(String audience) {
        return PrivateTokenVerifier.builder().jwksUri(URI.create(base() + "/.well-known/jwks.json"))
                .issuer(ISSUER).audience(audience).build();
    }

    private String jwks() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base() + "/.well-known/jwks.json")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private HttpResponse<String> tokenEndpoint(String credential, String audience) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base() + "/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange"
                        + "&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token"
                        + "&subject_token=" + credential + "&audience=" + audience))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private String base() {
        return "http://localhost:" + environment.getRequiredProperty("local.server.port");
    }

    private static java.util.function.Consumer<Throwable> status(Status.Code code) {
        return e -> assertThat(e).isInstanceOfSatisfying(StatusRuntimeException.class,
                s -> assertThat(s.getStatus().getCode()).isEqualTo(code));
    }
}
