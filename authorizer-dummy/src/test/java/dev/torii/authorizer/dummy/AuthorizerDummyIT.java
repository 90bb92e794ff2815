package dev.torii.authorizer.dummy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torii.authority.config.GrpcServerLifecycle;
import dev.torii.authority.sdk.PrivateTokenVerifier;
import dev.torii.authority.sdk.VerifiedPrincipal;
import dev.torii.authority.v1.AuthorityGrpc;
import dev.torii.authority.v1.ExchangeTokenRequest;
import dev.torii.authority.v1.ExchangeTokenResponse;
import dev.torii.authority.v1.PrincipalType;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.core.env.Environment;

/**
 * Runs the real authorizer-dummy and checks it speaks the Authority contract: tokens it mints
 * verify with authority/sdk against its JWKS, and it refuses to run in production.
 */
@SpringBootTest(classes = AuthorizerDummyApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.profiles.active=test", "torii.authority.grpc.port=0",
            "torii.authority.issuer=http://dummy.test"})
class AuthorizerDummyIT {

    private static final String AUDIENCE = "examples.offer.v1.OfferService";

    @Autowired
    private GrpcServerLifecycle grpcServer;

    @Autowired
    private Environment environment;

    private ManagedChannel channel;
    private AuthorityGrpc.AuthorityBlockingStub authority;
    private PrivateTokenVerifier verifier;

    @BeforeEach
    void connect() {
        channel = ManagedChannelBuilder.forAddress("localhost", grpcServer.port()).usePlaintext().build();
        authority = AuthorityGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
        verifier = PrivateTokenVerifier.builder()
                .jwksUri(URI.create(base() + "/.well-known/jwks.json"))
                .issuer("http://dummy.test")
                .audience(AUDIENCE)
                .build();
    }

    @AfterEach
    void disconnect() {
        channel.shutdownNow();
    }

    @Test
    void aTypedUserCredentialBecomesAVerifiablePrivateToken() {
        ExchangeTokenResponse response = exchange("dummy:alice:offers.read,offers.write");

        assertThat(response.getPrincipal().getType()).isEqualTo(PrincipalType.PRINCIPAL_TYPE_USER);
        VerifiedPrincipal principal = verifier.verify(response.getPrivateToken());
        assertThat(principal.type()).isEqualTo(VerifiedPrincipal.Type.USER);
        assertThat(principal.id()).isEqualTo("alice");
        assertThat(principal.scopes()).containsExactlyInAnyOrder("offers.read", "offers.write");
    }

    @Test
    void aTypedServiceAccountCredentialCarriesItsRoles() {
        VerifiedPrincipal principal = verifier.verify(
                exchange("dummy-sa:batch@torii-dev.iam.gserviceaccount.com:support.reader").getPrivateToken());

        assertThat(principal.type()).isEqualTo(VerifiedPrincipal.Type.SERVICE_ACCOUNT);
        assertThat(principal.id()).isEqualTo("batch@torii-dev.iam.gserviceaccount.com");
        assertThat(principal.roles()).containsExactly("support.reader");
    }

    @Test
    void fixturesFromConfigurationWork() {
        assertThat(verifier.verify(exchange("alice-token").getPrivateToken()).scopes()).contains("offers.read");
        assertThat(verifier.verify(exchange("support-console-token").getPrivateToken()).roles())
                .containsExactly("support.reader");
    }

    @Test
    void aTokenForAnotherAudienceIsRefusedByTheBackend() {
        String other = authority.exchangeToken(ExchangeTokenRequest.newBuilder()
                .setSubjectToken("dummy:alice").setAudience("other.Service").build()).getPrivateToken();

        assertThatThrownBy(() -> verifier.verify(other)).hasMessageContaining("aud");
    }

    @ParameterizedTest
    @ValueSource(strings = {"alice", "dummy:", "dummy:bad id", "Bearer dummy:alice", "dummy-sa:x:ro le"})
    void anythingElseIsUnauthenticated(String credential) {
        assertThatThrownBy(() -> exchange(credential))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    }

    @Test
    void errorCredentialsSimulateTheOtherFailures() {
        assertThatThrownBy(() -> exchange("dummy:!denied")).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
        assertThatThrownBy(() -> exchange("dummy:!unavailable")).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    }

    @Test
    void theTokenEndpointSpeaksRfc8693() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base() + "/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange"
                        + "&subject_token=dummy%3Abob&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token"
                        + "&audience=" + AUDIENCE))
                .build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"issued_token_type\":\"urn:ietf:params:oauth:token-type:jwt\"",
                "\"token_type\":\"Bearer\"", "\"expires_in\":");
    }

    @Test
    void readinessSaysExchangesCanBeServedAndLivenessLooksOnlyAtTheJvm() throws Exception {
        HttpResponse<String> readiness = get("/actuator/health/readiness");
        HttpResponse<String> liveness = get("/actuator/health/liveness");

        assertThat(readiness.statusCode()).isEqualTo(200);
        assertThat(readiness.body()).contains("\"readinessState\":{\"status\":\"UP\"}", "\"exchange\":{",
                "\"grpcPort\":" + grpcServer.port(), "\"signingKeyId\":\"");
        assertThat(liveness.statusCode()).isEqualTo(200);
        assertThat(liveness.body()).doesNotContain("exchange");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void refusesProductionAndMissingProfiles() {
        assertThatThrownBy(() -> start("--spring.profiles.active=prod", "--torii.dummy.allow-outside-dev=true"))
                .satisfies(e -> assertThat(NestedExceptionUtils.getMostSpecificCause(e).getMessage())
                        .contains("must never run in production"));
        assertThatThrownBy(() -> start())
                .satisfies(e -> assertThat(NestedExceptionUtils.getMostSpecificCause(e).getMessage())
                        .contains("expected: one of [local, dev, test]"));
    }

    private static void start(String... args) {
        String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                java.util.stream.Stream.of("--server.port=0", "--torii.authority.grpc.port=0")).toArray(String[]::new);
        new SpringApplicationBuilder(AuthorizerDummyApplication.class).run(all).close();
    }

    private ExchangeTokenResponse exchange(String credential) {
        return authority.exchangeToken(ExchangeTokenRequest.newBuilder()
                .setSubjectToken(credential).setAudience(AUDIENCE).build());
    }

    private String base() {
        return "http://localhost:" + environment.getRequiredProperty("local.server.port");
    }
}
