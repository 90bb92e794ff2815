package dev.torii.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.torii.gateway.testing.TestBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * REST bindings a route file declares for a service whose proto has none, through the real
 * gateway to a real gRPC backend: path variables, query parameters of every kind, a JSON body,
 * print options, raw {@code google.api.HttpBody} uploads and downloads, and a stream.
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RestRouteFileRulesIT {

    private static TestBackend backend;

    @Autowired
    private Environment environment;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String base;

    @DynamicPropertySource
    static void gateway(DynamicPropertyRegistry registry) throws IOException {
        backend = TestBackend.start();
        Path routes = Files.createTempDirectory("torii-routes");
        Files.writeString(routes.resolve("test-service.yaml"), """
                service: torii.test.v1.TestService
                upstream:
                  target: localhost:%d
                timeout: 3s
                auth: public
                methods:
                  - name: Echo
                    http:
                      get: "/v1/echo/{text}"
                      additionalBindings:
                        - post: /v1/echo
                          body: "*"
                        - get: "/v1/echo-text/{text}"
                          responseBody: text
                  - name: Fail
                    http: {post: /v1/fail, body: "*"}
                  - name: Stream
                    http: {get: "/v1/stream/{text}"}
                  - name: EchoBody
                    http: {post: /v1/files, body: "*"}
                    jsonPrint: {emitDefaults: true}
                """.formatted(backend.port()));
        registry.add("torii.gateway.routes-dir", routes::toString);
        registry.add("torii.gateway.descriptor-sets",
                () -> "classpath*:META-INF/torii/descriptors/*.binpb,classpath:test-descriptors.binpb");
        registry.add("torii.gateway.max-request-size", () -> "64KB");
        registry.add("management.server.port", () -> "0");
    }

    @AfterAll
    static void stopBackend() {
        backend.close();
    }

    @BeforeEach
    void client() {
        base = "http://localhost:" + environment.getRequiredProperty("local.server.port", Integer.class);
    }

    @Test
    void pathVariablesAndQueryParametersBindIntoTheRequest() {
        HttpResponse<String> response = get("/v1/echo/hello%2Fworld?number=42");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("\"text\":\"hello/world\"", "\"number\":\"42\"");
    }

    @Test
    void aJsonBodyBindsTheWholeMessage() {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(base + "/v1/echo"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"text\": \"from a body\", \"number\": 7}")));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("\"text\":\"from a body\"", "\"number\":\"7\"");
    }

    @Test
    void aGzipJsonBodyIsInflated() throws IOException {
        ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(gzipped)) {
            gzip.write("{\"text\": \"zipped\"}".getBytes(StandardCharsets.UTF_8));
        }
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(base + "/v1/echo"))
                .header("Content-Type", "application/json").header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(gzipped.toByteArray())));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("\"text\":\"zipped\"");
    }

    @Test
    void aResponseBodyFieldIsTheWholeAnswer() {
        HttpResponse<String> response = get("/v1/echo-text/only-this");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("\"only-this\"");
    }

    @Test
    void aRawBodyTravelsAsHttpBodyBothWays() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2, (byte) 0xff};
        HttpResponse<byte[]> response;
        try {
            response = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/files"))
                    .header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofByteArray(png)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("image/png");
        assertThat(response.body()).isEqualTo(png);
    }

    @Test
    void wrongValuesAreA400NamingTheField() {
        HttpResponse<String> notANumber = get("/v1/echo/x?number=many");

        assertThat(notANumber.statusCode()).isEqualTo(400);
        assertThat(notANumber.body()).contains("\"code\":3", "number", "google.rpc.BadRequest");
    }

    @Test
    void theBackendsStatusIsTheMappedHttpStatusWithItsDetails() {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(base + "/v1/fail"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"code\": 9, \"message\": \"not now\"}")));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.headers().firstValue("grpc-status")).hasValue("9");
        assertThat(response.body()).contains("\"code\":9", "not now");
    }

    @Test
    void aStreamAnswersNdjsonLines() {
        HttpResponse<String> response = get("/v1/stream/tick?number=3");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/x-ndjson");
        assertThat(response.body().lines()).hasSize(3).allSatisfy(line -> assertThat(line).startsWith("{\"result\":{"));
    }

    private HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return client.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
