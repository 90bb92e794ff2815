package dev.torii.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.torii.authority.AuthorityApplication;
import dev.torii.authority.config.GrpcServerLifecycle;
import dev.torii.authority.sdk.PrivateTokenVerifier;
import dev.torii.authority.sdk.grpc.PrivateTokenServerInterceptor;
import dev.torii.authority.testing.FakeEndpoint;
import dev.torii.authority.testing.FakeEndpoint.Reply;
import dev.torii.authority.testing.TestCertificates;
import dev.torii.authority.testing.TestTokens;
import dev.torii.examples.offer.OfferServer;
import dev.torii.gateway.testing.HttpCalls;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Runs the gateway with the real Authority (introspection against a fake identity provider,
 * Google service accounts against fake Google endpoints, both served over real HTTP) and the
 * example offer service verifying with authority/sdk: a user's access token and a service
 * account's self-signed JWT both reach WhoAmI as the right principal.
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RealAuthorityEndToEndIT {

    private static final String WHO_AM_I = "/examples.offer.v1.OfferService/WhoAmI";
    private static final String ISSUER = "http://authority.test";
    private static final String SELF_SIGNED_AUDIENCE = "https://authority.test/token";
    private static final String CONSOLE = "support-console@torii-test.iam.gserviceaccount.com";
    private static final RSAKey CONSOLE_KEY = TestTokens.rsaKey("console-k1");

    private static FakeEndpoint identityProvider;
    private static FakeEndpoint google;
    private static ConfigurableApplicationContext authority;
    private static OfferServer offers;

    @Autowired
    private Environment environment;

    private HttpCalls http;

    @DynamicPropertySource
    static void stack(DynamicPropertyRegistry registry) throws IOException {
        identityProvider = FakeEndpoint.start();
        identityProvider.serve(request -> {
            String token = URLDecoder.decode(request.body().replaceAll(".*token=([^&]*).*", "$1"), StandardCharsets.UTF_8);
            return token.equals("opaque-token-of-alice")
                    ? Reply.json("{\"active\":true,\"sub\":\"alice\",\"scope\":\"offers.read offers.write\","
                            + "\"exp\":" + Instant.now().plusSeconds(3600).getEpochSecond() + "}")
                    : Reply.json("{\"active\":false}");
        });
        google = FakeEndpoint.start();
        google.serve(request -> request.path().endsWith("/" + CONSOLE)
                ? Reply.json(JSONObjectUtils.toJSONString(Map.of("console-k1",
                        TestCertificates.selfSignedPem(CONSOLE_KEY, CONSOLE))))
                : request.path().equals("/oauth2/v3/certs") ? Reply.json(new JWKSet(List.of()).toString())
                : Reply.status(404, "{}"));
        // The gateway's application.yaml comes first on this classpath, so its readiness group
        // (which names the gateway's routes indicator) is replaced by the Authority's own.
        authority = new SpringApplicationBuilder(AuthorityApplication.class).run(
                "--server.port=0", "--torii.authority.grpc.port=0", "--torii.authority.issuer=" + ISSUER,
                "--management.endpoint.health.group.readiness.include=readinessState,exchange",
                "--torii.authority.users.verifier=introspection",
                "--torii.authority.users.introspection.endpoint=" + identityProvider.uri("/introspect"),
                "--torii.authority.users.introspection.client-id=authority",
                "--torii.authority.users.introspection.client-secret=test-only",
                "--torii.authority.google.enabled=true",
                "--torii.authority.google.audiences[0]=" + SELF_SIGNED_AUDIENCE,
                "--torii.authority.google.service-accounts[0].email=" + CONSOLE,
                "--torii.authority.google.service-accounts[0].roles[0]=support.reader",
                "--torii.authority.google.id-token-jwks-uri=" + google.uri("/oauth2/v3/certs"),
                "--torii.authority.google.x509-url-template=" + google.uri("/x509/") + "{email}");
        int httpPort = authority.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
        PrivateTokenVerifier verifier = PrivateTokenVerifier.builder()
                .jwksUri(URI.create("http://localhost:" + httpPort + "/.well-known/jwks.json"))
                .issuer(ISSUER).audience("examples.offer.v1.OfferService").build();
        offers = OfferServer.start(0, List.of(new PrivateTokenServerInterceptor(verifier, OfferServer.ANONYMOUS_METHODS)));
        registry.add("torii.gateway.routes-dir", () -> System.getProperty("torii.test.routes-dir", "../routes"));
        registry.add("OFFER_SERVICE_TARGET", () -> "localhost:" + offers.port());
        registry.add("torii.gateway.authority.target",
                () -> "localhost:" + authority.getBean(GrpcServerLifecycle.class).port());
        registry.add("management.server.port", () -> "0");
    }

    @AfterAll
    static void stop() {
        offers.close();
        authority.close();
        identityProvider.close();
        google.close();
    }

    @BeforeEach
    void client() {
        http = new HttpCalls(environment.getRequiredProperty("local.server.port", Integer.class));
    }

    @Test
    void aUsersAccessTokenReachesTheBackendAsThatUser() {
        HttpResponse<byte[]> response = http.postJson(WHO_AM_I, "{}", "Authorization", "Bearer opaque-token-of-alice");

        assertThat(response.statusCode()).as(body(response)).isEqualTo(200);
        assertThat(body(response)).contains("\"type\":\"user\"", "\"id\":\"alice\"",
                "\"scopes\":[\"offers.read\",\"offers.write\"]").doesNotContain("opaque-token-of-alice");
    }

    @Test
    void aServiceAccountJwtReachesTheBackendWithItsRoles() {
        String jwt = TestTokens.signed(CONSOLE_KEY,
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("console-k1").build(),
                new JWTClaimsSet.Builder().issuer(CONSOLE).subject(CONSOLE).audience(SELF_SIGNED_AUDIENCE)
                        .issueTime(new Date()).expirationTime(Date.from(Instant.now().plusSeconds(600))).build());

        HttpResponse<byte[]> response = http.postJson(WHO_AM_I, "{}", "Authorization", "Bearer " + jwt);

        assertThat(response.statusCode()).as(body(response)).isEqualTo(200);
        assertThat(body(response)).contains("\"type\":\"service_account\"", "\"id\":\"" + CONSOLE + "\"",
                "\"scopes\":[\"support.reader\"]");
    }

    @Test
    void aRevokedTokenIs401() {
        HttpResponse<byte[]> response = http.postJson(WHO_AM_I, "{}", "Authorization", "Bearer revoked-token");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("www-authenticate").orElseThrow()).contains("invalid_token");
    }

    private static String body(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }
}
