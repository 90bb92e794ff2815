package dev.torii.authority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.torii.authority.config.GrpcServerLifecycle;
import dev.torii.authority.testing.FakeEndpoint;
import dev.torii.authority.testing.FakeEndpoint.Reply;
import dev.torii.authority.testing.MutableClock;
import dev.torii.authority.testing.TestTokens;
import dev.torii.authority.v1.AuthorityGrpc;
import dev.torii.authority.v1.ExchangeTokenRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Runs the real Authority against a fake Google JWKS served over real HTTP that goes down after
 * the first fetches, and checks the key-outage policy a caller notices: the endpoint's {@code
 * max-age} decides when keys are fetched again, the last good keys keep exchanges working for the
 * outage grace and not longer, and the outage shows in the metrics and the health details.
 */
@SpringBootTest(classes = {AuthorityApplication.class, KeyOutageIT.TestClock.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class KeyOutageIT {

    private static final String AUDIENCE = "examples.offer.v1.OfferService";
    private static final String GOOGLE = "https://accounts.google.com";
    private static final String TOKEN_AUDIENCE = "https://authority.test/token";
    private static final String BATCH = "batch@torii-test.iam.gserviceaccount.com";
    private static final String CERTS = "/oauth2/v3/certs";
    private static final Duration MAX_AGE = Duration.ofMinutes(10);
    private static final Duration GRACE = Duration.ofMinutes(30);
    private static final MutableClock CLOCK = new MutableClock(Instant.now());
    private static final RSAKey GOOGLE_KEY = TestTokens.rsaKey("google-1");

    private static FakeEndpoint google;

    @Autowired
    private GrpcServerLifecycle grpcServer;

    @Autowired
    private Environment environment;

    private ManagedChannel channel;

    /** Lets the test move the Authority's time across the max-age and the grace. */
    @TestConfiguration
    static class TestClock {
        @Bean
        @Primary
        Clock testClock() {
            return CLOCK;
        }
    }

    @DynamicPropertySource
    static void authority(DynamicPropertyRegistry registry) {
        google = FakeEndpoint.start();
        serveKeys();
        registry.add("torii.authority.grpc.port", () -> "0");
        registry.add("torii.authority.google.enabled", () -> "true");
        registry.add("torii.authority.google.audiences[0]", () -> TOKEN_AUDIENCE);
        registry.add("torii.authority.google.service-accounts[0].email", () -> BATCH);
        registry.add("torii.authority.google.id-token-jwks-uri", () -> google.uri(CERTS).toString());
        // An hour unless the endpoint says otherwise; it says ten minutes.
        registry.add("torii.authority.google.keys-cache-ttl", () -> "1h");
        registry.add("torii.authority.key-endpoints.outage-grace", () -> GRACE.toString());
    }

    private static void serveKeys() {
        google.serve(Reply.json(new JWKSet(GOOGLE_KEY.toPublicJWK()).toString())
                .withHeader("Cache-Control", "public, max-age=" + MAX_AGE.toSeconds() + ", must-revalidate"));
    }

    @AfterAll
    static void stopFakes() {
        google.close();
    }

    @BeforeEach
    void connect() {
        channel = ManagedChannelBuilder.forAddress("localhost", grpcServer.port()).usePlaintext().build();
    }

    @AfterEach
    void disconnect() {
        channel.shutdownNow();
    }

    @Test
    void theLastGoodKeysServeThroughAnOutageForTheGraceAndTheOutageShows() throws Exception {
        assertThat(exchange()).as("the first exchange").isEqualTo(BATCH);
        assertThat(google.requestCount(CERTS)).isOne();

        CLOCK.advance(MAX_AGE.minusSeconds(1));
        exchange();
        assertThat(google.requestCount(CERTS)).as("within the max-age").isOne();
        CLOCK.advance(Duration.ofSeconds(1));
        exchange();
        assertThat(google.requestCount(CERTS)).as("at the max-age, well before keys-cache-ttl").isEqualTo(2);

        google.serve(Reply.status(503, "down"));
        CLOCK.advance(MAX_AGE);
        assertThat(exchange()).as("Google down, past the max-age").isEqualTo(BATCH);
        CLOCK.advance(GRACE.minusSeconds(1));
        assertThat(exchange()).as("Google down, at the end of the grace").isEqualTo(BATCH);

        assertThat(get("/actuator/prometheus"))
                .containsPattern("torii_authority_key_fetch_stale_total\\{[^}]*source=\"google_id_token_jwks\"[^}]*} [1-9]")
                .containsPattern("torii_authority_key_fetch_failures_total\\{[^}]*source=\"google_id_token_jwks\"[^}]*} [1-9]")
                .containsPattern("torii_authority_key_fetch_outage\\{[^}]*source=\"google_id_token_jwks\"[^}]*} 1");
        assertThat(get("/actuator/health/readiness")).as("readiness stays UP, the details tell")
                .contains("\"status\":\"UP\"")
                .containsPattern("\"google_id_token_jwks\":\\{\"state\":\"using last good keys\",\"endpointsInOutage\":1,"
                        + "\"outageSince\":\"[^\"]+\",\"lastGoodKeysUntil\":\"[^\"]+\"");

        CLOCK.advance(Duration.ofSeconds(1));
        assertThatThrownBy(this::exchange).as("Google down, after the grace")
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        assertThat(get("/actuator/prometheus"))
                .containsPattern("torii_authority_key_fetch_outage\\{[^}]*source=\"google_id_token_jwks\"[^}]*} 0");

        serveKeys();
        assertThat(exchange()).as("Google back").isEqualTo(BATCH);
    }

    /** Exchanges a new Google ID token (never one the exchange cache knows) and returns the principal. */
    private String exchange() {
        String idToken = TestTokens.rs256(GOOGLE_KEY, new JWTClaimsSet.Builder()
                .issuer(GOOGLE).subject("1234567890").audience(TOKEN_AUDIENCE).jwtID(UUID.randomUUID().toString())
                .claim("email", BATCH).claim("email_verified", true)
                .issueTime(Date.from(CLOCK.instant())).expirationTime(Date.from(CLOCK.instant().plusSeconds(3600)))
                .build());
        return AuthorityGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .exchangeToken(ExchangeTokenRequest.newBuilder().setSubjectToken(idToken).setAudience(AUDIENCE).build())
                .getPrincipal().getId();
    }

    private String get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:"
                + environment.getRequiredProperty("local.server.port") + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
