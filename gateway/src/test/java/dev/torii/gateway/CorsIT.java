package dev.torii.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonParser;
import dev.torii.gateway.test.v1.EchoRequest;
import dev.torii.gateway.testing.DummyAuthority;
import dev.torii.gateway.testing.HttpCalls;
import dev.torii.gateway.testing.TestBackend;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Drives the real gateway's CORS answers over real HTTP, as a browser would send them: preflights
 * answered before route matching and auth, by the route file's policy or the gateway-wide
 * default; the headers of actual answers, errors included; and nothing for origins that are not
 * allowed. (A real browser runs ConnectBrowserIT.)
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class CorsIT {

    private static final String ECHO = "/torii.test.v1.TestService/Echo";
    private static final String FAIL = "/torii.test.v1.TestService/Fail";
    private static final String GET_OFFER = "/examples.offer.v1.OfferService/GetOffer";
    private static final String APP = "https://app.example.com";
    private static final String DEFAULT_ORIGIN = "https://default.example.net";

    private static TestBackend backend;
    private static DummyAuthority authority;

    @Autowired
    private Environment environment;

    private HttpCalls http;

    @DynamicPropertySource
    static void gateway(DynamicPropertyRegistry registry) throws IOException {
        backend = TestBackend.start();
        authority = DummyAuthority.start();
        registry.add("torii.gateway.authority.target", authority::grpcTarget);
        Path routes = Files.createTempDirectory("torii-routes");
        // Echo is public; Fail needs a user, so an actual request without a credential is refused
        // by auth, after CORS.
        Files.writeString(routes.resolve("test-service.yaml"), """
                service: torii.test.v1.TestService
                upstream:
                  target: localhost:%d
                auth:
                  users: {}
                cors:
                  allowedOrigins: [%s, "https://*.example.org", "http://localhost:*"]
                  allowedHeaders: [x-custom]
                  exposedHeaders: [trailer-x-backend]
                  allowCredentials: true
                  maxAge: 10m
                methods:
                  - name: Echo
                    auth: public
                  - Fail
                """.formatted(backend.port(), APP));
        // No cors section: the gateway-wide default applies.
        Files.writeString(routes.resolve("offer-service.yaml"), """
                service: examples.offer.v1.OfferService
                upstream:
                  target: localhost:1
                auth: public
                methods: [GetOffer]
                """);
        registry.add("torii.gateway.routes-dir", routes::toString);
        registry.add("torii.gateway.descriptor-sets",
                () -> "classpath*:META-INF/torii/descriptors/*.binpb,classpath:test-descriptors.binpb");
        registry.add("torii.gateway.cors.allowed-origins", () -> DEFAULT_ORIGIN);
        registry.add("management.server.port", () -> "0");
    }

    @AfterAll
    static void stopBackend() {
        backend.close();
        authority.close();
    }

    @BeforeEach
    void client() {
        http = new HttpCalls(environment.getRequiredProperty("local.server.port", Integer.class));
    }

    @Test
    void aPreflightFromAnAllowedOriginIsAnsweredWithoutAuthOrARoute() {
        HttpResponse<byte[]> response = preflight(FAIL, APP, "POST",
                "content-type, connect-protocol-version, connect-timeout-ms, authorization, x-custom, x-app-version");

        assertThat(response.statusCode()).isEqualTo(204);
        assertThat(header(response, "access-control-allow-origin")).isEqualTo(APP);
        assertThat(header(response, "access-control-allow-methods")).isEqualTo("GET, POST, PUT, PATCH, DELETE");
        assertThat(header(response, "access-control-allow-headers")).isEqualTo(
                "content-type, connect-protocol-version, connect-timeout-ms, authorization, x-custom, x-app-version");
        assertThat(header(response, "access-control-allow-credentials")).isEqualTo("true");
        assertThat(header(response, "access-control-max-age")).isEqualTo("600");
        assertThat(response.headers().allValues("vary")).anySatisfy(vary -> assertThat(vary)
                .contains("Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"));
        assertThat(response.headers().firstValue("x-request-id")).isPresent();
        assertThat(response.body()).isEmpty();
    }

    @Test
    void gRpcWebHeadersAreAllowedWithoutNamingThem() {
        HttpResponse<byte[]> response = preflight(ECHO, APP, "POST",
                "content-type,x-grpc-web,x-user-agent,grpc-timeout");

        assertThat(response.statusCode()).isEqualTo(204);
        assertThat(header(response, "access-control-allow-headers"))
                .isEqualTo("content-type, x-grpc-web, x-user-agent, grpc-timeout");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://shop.example.org", "https://a.b.example.org", "http://localhost:5173",
        "http://localhost:3000"})
    void patternsAllowSubdomainsAndAnyPort(String origin) {
        HttpResponse<byte[]> response = preflight(ECHO, origin, "POST", "content-type");

        assertThat(response.statusCode()).isEqualTo(204);
        assertThat(header(response, "access-control-allow-origin")).isEqualTo(origin);
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://evil.example", "https://example.org", "https://example.org.evil.example",
        "http://app.example.com", "https://app.example.com:8443", "http://127.0.0.1:5173", "null"})
    void aPreflightFromAnotherOriginGetsNoAllowHeaders(String origin) {
        HttpResponse<byte[]> response = preflight(ECHO, origin, "POST", "content-type");

        assertThat(response.statusCode()).isEqualTo(403);
        assertNoAllowHeaders(response);
        assertThat(response.headers().allValues("vary")).anySatisfy(vary -> assertThat(vary).contains("Origin"));
        assertThat(message(response)).startsWith("CORS preflight refused: origin '" + origin + "' may not call this path");
    }

    @Test
    void aMethodOrHeaderThePolicyDoesNotAllowIsRefused() {
        HttpResponse<byte[]> method = preflight(ECHO, APP, "TRACE", "content-type");
        assertThat(method.statusCode()).isEqualTo(403);
        assertNoAllowHeaders(method);
        assertThat(message(method)).contains("method 'TRACE' (expected one of: GET, POST, PUT, PATCH, DELETE)");

        HttpResponse<byte[]> header = preflight(ECHO, APP, "POST", "content-type, x-secret");
        assertThat(header.statusCode()).isEqualTo(403);
        assertNoAllowHeaders(header);
        assertThat(message(header)).contains("request header 'x-secret'");
    }

    @Test
    void aFileWithoutCorsAndAnUnknownPathFollowTheGatewayDefault() {
        assertThat(preflight(GET_OFFER, DEFAULT_ORIGIN, "POST", "content-type").statusCode()).isEqualTo(204);
        assertThat(preflight(GET_OFFER, APP, "POST", "content-type").statusCode()).isEqualTo(403);

        HttpResponse<byte[]> unknown = preflight("/no.such.Service/Method", DEFAULT_ORIGIN, "POST", "content-type");
        assertThat(unknown.statusCode()).isEqualTo(204);
        assertThat(header(unknown, "access-control-allow-origin")).isEqualTo(DEFAULT_ORIGIN);
        // The gateway-wide default allows no credentials.
        assertThat(unknown.headers().firstValue("access-control-allow-credentials")).isEmpty();
    }

    @Test
    void anActualCallFromAnAllowedOriginCanBeReadByThePage() {
        HttpResponse<byte[]> response = http.post(ECHO, "application/proto",
                EchoRequest.newBuilder().setText("hi").build().toByteArray(),
                "Connect-Protocol-Version", "1", "Origin", APP);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(header(response, "access-control-allow-origin")).isEqualTo(APP);
        assertThat(header(response, "access-control-allow-credentials")).isEqualTo("true");
        assertThat(List.of(header(response, "access-control-expose-headers").split(", ")))
                .contains("grpc-status", "grpc-message", "grpc-status-details-bin", "connect-content-encoding",
                        "x-request-id", "retry-after", "ratelimit", "trailer-x-backend");
        assertThat(response.headers().allValues("vary")).anySatisfy(vary -> assertThat(vary).contains("Origin"));
    }

    @Test
    void aGrpcWebCallFromAnAllowedOriginExposesItsStatusHeaders() {
        byte[] message = EchoRequest.newBuilder().setText("hi").build().toByteArray();
        byte[] frame = ByteBuffer.allocate(5 + message.length).put((byte) 0).putInt(message.length)
                .put(message).array();
        HttpResponse<byte[]> response = http.post(FAIL, "application/grpc-web+proto", frame,
                "X-Grpc-Web", "1", "Origin", APP);

        // A trailers-only refusal: the page reads grpc-status from headers it may only see when exposed.
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(header(response, "grpc-status")).isEqualTo("16");
        assertThat(header(response, "access-control-allow-origin")).isEqualTo(APP);
        assertThat(List.of(header(response, "access-control-expose-headers").split(", ")))
                .contains("grpc-status", "grpc-message", "grpc-status-details-bin");
    }

    @Test
    void errorsTheGatewayMakesCarryTheHeadersTooSoThePageReadsTheCode() {
        HttpResponse<byte[]> response = http.postJson(FAIL, "{\"code\":5}", "Connect-Protocol-Version", "1",
                "Origin", APP);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(header(response, "access-control-allow-origin")).isEqualTo(APP);
        assertThat(header(response, "access-control-expose-headers")).contains("grpc-status");
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).contains("\"code\":\"unauthenticated\"");
    }

    @Test
    void anActualCallFromAnotherOriginIsServedWithoutAllowHeaders() {
        // Envoy's way: the call is not refused (it may not come from a browser at all), but a
        // browser keeps the answer from the page.
        HttpResponse<byte[]> response = http.postJson(ECHO, "{\"text\":\"hi\"}", "Connect-Protocol-Version", "1",
                "Origin", "https://evil.example");

        assertThat(response.statusCode()).isEqualTo(200);
        assertNoAllowHeaders(response);
        assertThat(response.headers().firstValue("access-control-expose-headers")).isEmpty();
        assertThat(response.headers().allValues("vary")).anySatisfy(vary -> assertThat(vary).contains("Origin"));
    }

    @Test
    void aCallWithoutOriginSaysItsAnswerVariesByOrigin() {
        HttpResponse<byte[]> response = http.postJson(ECHO, "{\"text\":\"hi\"}", "Connect-Protocol-Version", "1");

        assertThat(response.statusCode()).isEqualTo(200);
        assertNoAllowHeaders(response);
        assertThat(response.headers().allValues("vary")).anySatisfy(vary -> assertThat(vary).contains("Origin"));
    }

    @Test
    void anOptionsRequestThatIsNoPreflightIsNotAllowed() {
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(http.base() + ECHO))
                .timeout(Duration.ofSeconds(30))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", APP)
                .build());

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(header(response, "allow")).contains("POST");
    }

    private HttpResponse<byte[]> preflight(String path, String origin, String method, String headers) {
        return http.send(HttpRequest.newBuilder(URI.create(http.base() + path))
                .timeout(Duration.ofSeconds(30))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin)
                .header("Access-Control-Request-Method", method)
                .header("Access-Control-Request-Headers", headers)
                .build());
    }

    private static String message(HttpResponse<byte[]> response) {
        return JsonParser.parseString(new String(response.body(), StandardCharsets.UTF_8)).getAsJsonObject()
                .get("message").getAsString();
    }

    private static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    private static void assertNoAllowHeaders(HttpResponse<?> response) {
        assertThat(response.headers().map().keySet())
                .noneSatisfy(name -> assertThat(name.toLowerCase()).startsWith("access-control-allow-"));
    }
}
