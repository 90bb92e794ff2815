package dev.torii.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.torii.authority.AuthorityApplication;
import dev.torii.authority.config.GrpcServerLifecycle;
import dev.torii.authority.sdk.PrivateTokenVerifier;
import dev.torii.authority.sdk.grpc.PrivateTokenServerInterceptor;
import dev.torii.authority.testing.FakeEndpoint;
import dev.torii.authority.testing.FakeEndpoint.Reply;
import dev.torii.authority.testing.TestCertificateAuthority;
import dev.torii.authority.testing.TestCertificateAuthority.Issued;
import dev.torii.examples.offer.OfferServer;
import dev.torii.gateway.testing.HttpCalls;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Runs the gateway against the real Authority serving gRPC over TLS only and requiring client
 * certificates (mutual TLS, from PEM SSL bundles on files made by the test), with the example
 * offer service verifying the private tokens: with the CA and a client certificate in its
 * {@code tls-bundle} the gateway's exchanges work; without a client certificate, or with one from
 * another CA, they are refused; replacing the gateway's certificate files fixes that without a
 * restart.
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AuthorityTlsIT {

    private static final String WHO_AM_I = "/examples.offer.v1.OfferService/WhoAmI";
    private static final String ISSUER = "http://authority.test";
    private static final String ALICE = "Bearer opaque-token-of-alice";
    private static final TestCertificateAuthority CA = TestCertificateAuthority.create("Torii test CA");
    private static final TestCertificateAuthority STRANGER_CA = TestCertificateAuthority.create("Someone else's CA");

    private static Path dir;
    private static Path ca;
    private static FakeEndpoint identityProvider;
    private static ConfigurableApplicationContext authority;
    private static OfferServer offers;
    private static final List<ConfigurableApplicationContext> otherGateways = new ArrayList<>();

    @Autowired
    private Environment environment;

    @DynamicPropertySource
    static void stack(DynamicPropertyRegistry registry) throws IOException {
        // Under target/, kept after the run: running contexts watch these files until the JVM ends.
        dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "authority-tls");
        ca = CA.writeCertificate(dir.resolve("ca.crt"));
        CA.issueServer("authority").writeTo(dir.resolve("authority.crt"), dir.resolve("authority.key"));
        CA.issueClient("torii-gateway").writeTo(dir.resolve("gateway.crt"), dir.resolve("gateway.key"));
        identityProvider = FakeEndpoint.start();
        identityProvider.serve(request -> {
            String token = URLDecoder.decode(request.body().replaceAll(".*token=([^&]*).*", "$1"), StandardCharsets.UTF_8);
            return token.equals("opaque-token-of-alice")
                    ? Reply.json("{\"active\":true,\"sub\":\"alice\",\"scope\":\"offers.read\","
                            + "\"exp\":" + Instant.now().plusSeconds(3600).getEpochSecond() + "}")
                    : Reply.json("{\"active\":false}");
        });
        String bundle = "--spring.ssl.bundle.pem.authority-grpc.";
        // The gateway's application.yaml comes first on this classpath, so its readiness group
        // (which names the gateway's routes indicator) is replaced by the Authority's own.
        authority = new SpringApplicationBuilder(AuthorityApplication.class).run(
                "--server.port=0", "--torii.authority.grpc.port=0", "--torii.authority.issuer=" + ISSUER,
                "--management.endpoint.health.group.readiness.include=readinessState,exchange",
                "--torii.authority.users.verifier=introspection",
                "--torii.authority.users.introspection.endpoint=" + identityProvider.uri("/introspect"),
                "--torii.authority.users.introspection.client-id=authority",
                "--torii.authority.users.introspection.client-secret=test-only",
                bundle + "keystore.certificate=" + dir.resolve("authority.crt"),
                bundle + "keystore.private-key=" + dir.resolve("authority.key"),
                bundle + "truststore.certificate=" + ca,
                "--torii.authority.grpc.ssl.bundle=authority-grpc",
                "--torii.authority.grpc.ssl.client-auth=require");
        int httpPort = authority.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
        PrivateTokenVerifier verifier = PrivateTokenVerifier.builder()
                .jwksUri(URI.create("http://localhost:" + httpPort + "/.well-known/jwks.json"))
                .issuer(ISSUER).audience("examples.offer.v1.OfferService").build();
        offers = OfferServer.start(0, List.of(new PrivateTokenServerInterceptor(verifier, OfferServer.ANONYMOUS_METHODS)));
        registry.add("torii.gateway.routes-dir", () -> System.getProperty("torii.test.routes-dir", "../routes"));
        registry.add("OFFER_SERVICE_TARGET", () -> "localhost:" + offers.port());
        registry.add("torii.gateway.authority.target", AuthorityTlsIT::authorityTarget);
        registry.add("torii.gateway.authority.tls-bundle", () -> "authority");
        registry.add("spring.ssl.bundle.pem.authority.truststore.certificate", ca::toString);
        registry.add("spring.ssl.bundle.pem.authority.keystore.certificate", () -> dir.resolve("gateway.crt").toString());
        registry.add("spring.ssl.bundle.pem.authority.keystore.private-key", () -> dir.resolve("gateway.key").toString());
        registry.add("management.server.port", () -> "0");
    }

    @AfterAll
    static void stop() {
        otherGateways.forEach(ConfigurableApplicationContext::close);
        offers.close();
        authority.close();
        identityProvider.close();
    }

    @Test
    void overMutualTlsAUsersTokenReachesTheBackendAsThatUser() {
        HttpCalls http = new HttpCalls(environment.getRequiredProperty("local.server.port", Integer.class));

        HttpResponse<byte[]> response = http.postJson(WHO_AM_I, "{}", "Authorization", ALICE);

        assertThat(response.statusCode()).as(body(response)).isEqualTo(200);
        assertThat(body(response)).contains("\"type\":\"user\"", "\"id\":\"alice\"");
    }

    @Test
    void aGatewayWithoutAClientCertificateIsRefused() {
        HttpCalls http = gateway("--spring.ssl.bundle.pem.authority.truststore.certificate=" + ca);

        HttpResponse<byte[]> response = http.postJson(WHO_AM_I, "{}", "Authorization", ALICE);

        assertUnavailable(response);
    }

    @Test
    void aReplacedClientCertificateServesNewConnectionsWithoutARestart() throws IOException {
        Path certificate = dir.resolve("replaced.crt");
        Path key = dir.resolve("replaced.key");
        STRANGER_CA.issueClient("torii-gateway").writeTo(certificate, key);
        HttpCalls http = gateway(
                "--spring.ssl.bundle.pem.authority.truststore.certificate=" + ca,
                "--spring.ssl.bundle.pem.authority.keystore.certificate=" + certificate,
                "--spring.ssl.bundle.pem.authority.keystore.private-key=" + key,
                "--spring.ssl.bundle.pem.authority.reload-on-update=true",
                "--spring.ssl.bundle.watch.file.quiet-period=100ms");
        assertUnavailable(http.postJson(WHO_AM_I, "{}", "Authorization", ALICE));

        CA.issueClient("torii-gateway").writeTo(certificate, key);

        // New connections only: the channel reconnects after its backoff (1s, growing, jittered).
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            HttpResponse<byte[]> response = http.postJson(WHO_AM_I, "{}", "Authorization", ALICE);
            assertThat(response.statusCode()).as(body(response)).isEqualTo(200);
        });
    }

    /** Starts another gateway on the same Authority and backend, with its own tls-bundle settings. */
    private static HttpCalls gateway(String... bundleSettings) {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--management.server.port=0",
                "--torii.gateway.routes-dir=" + System.getProperty("torii.test.routes-dir", "../routes"),
                "--OFFER_SERVICE_TARGET=localhost:" + offers.port(),
                "--torii.gateway.authority.target=" + authorityTarget(),
                "--torii.gateway.authority.tls-bundle=authority"));
        args.addAll(List.of(bundleSettings));
        ConfigurableApplicationContext gateway = new SpringApplicationBuilder(GatewayApplication.class)
                .run(args.toArray(String[]::new));
        otherGateways.add(gateway);
        return new HttpCalls(gateway.getEnvironment().getRequiredProperty("local.server.port", Integer.class));
    }

    private static String authorityTarget() {
        return "localhost:" + authority.getBean(GrpcServerLifecycle.class).port();
    }

    private static void assertUnavailable(HttpResponse<byte[]> response) {
        assertThat(response.statusCode()).as(body(response)).isEqualTo(503);
        assertThat(response.headers().firstValue("grpc-status")).hasValue("14");
    }

    private static String body(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }
}
