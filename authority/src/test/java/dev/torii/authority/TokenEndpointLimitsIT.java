package dev.torii.authority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.torii.authority.config.GrpcServerLifecycle;
import dev.torii.authority.testing.FakeEndpoint;
import dev.torii.authority.testing.FakeEndpoint.Reply;
import dev.torii.authority.v1.AuthorityGrpc;
import dev.torii.authority.v1.ExchangeTokenRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Sends the real Authority oversize and malformed token requests, over HTTP (RFC 8693) and gRPC,
 * and checks that each gets a clear client error: 413 or 400 with an RFC 6749 body, or
 * INVALID_ARGUMENT, never a 500 or Spring's default error page.
 */
@SpringBootTest(classes = AuthorityApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class TokenEndpointLimitsIT {

    private static final String AUDIENCE = "examples.offer.v1.OfferService";
    private static final String GRANT = "grant_type=" + encode("urn:ietf:params:oauth:grant-type:token-exchange");
    private static final String ACCESS_TOKEN_TYPE = "subject_token_type="
            + encode("urn:ietf:params:oauth:token-type:access_token");
    private static final int MAX_TOKEN = 16384;

    private static FakeEndpoint identityProvider;

    @Autowired
    private Environment environment;

    @Autowired
    private GrpcServerLifecycle grpcServer;

    @DynamicPropertySource
    static void authority(DynamicPropertyRegistry registry) {
        identityProvider = FakeEndpoint.start();
        identityProvider.serve(Reply.json("{\"active\":false}"));
        registry.add("torii.authority.grpc.port", () -> "0");
        registry.add("torii.authority.users.verifier", () -> "introspection");
        registry.add("torii.authority.users.introspection.endpoint", () -> identityProvider.uri("/introspect").toString());
        registry.add("torii.authority.users.introspection.client-id", () -> "authority");
        registry.add("torii.authority.users.introspection.client-secret", () -> "test-secret");
    }

    @AfterAll
    static void stopFakes() {
        identityProvider.close();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String form(String subjectToken) {
        return GRANT + "&" + ACCESS_TOKEN_TYPE + "&subject_token=" + subjectToken + "&audience=" + AUDIENCE;
    }

    static Stream<Arguments> refusedRequests() {
        byte[] tenMegabytes = ("subject_token=" + "a".repeat(10 * 1024 * 1024)).getBytes(StandardCharsets.US_ASCII);
        return Stream.of(
                Arguments.of("a 1 MB subject token", HttpRequest.BodyPublishers.ofString(form("a".repeat(1024 * 1024))),
                        413, "at most 65536 bytes"),
                Arguments.of("a 10 MB form", HttpRequest.BodyPublishers.ofByteArray(tenMegabytes),
                        413, "at most 65536 bytes"),
                Arguments.of("a 10 MB form sent chunked, without Content-Length",
                        HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(tenMegabytes)),
                        413, "at most 65536 bytes"),
                Arguments.of("a subject token one character over the limit",
                        HttpRequest.BodyPublishers.ofString(form("a".repeat(MAX_TOKEN + 1))), 400,
                        "subject_token is 16385 characters long (expected: at most 16384)"),
                Arguments.of("a malformed percent escape", HttpRequest.BodyPublishers.ofString(form("abc%zz")), 400,
                        "malformed percent-encoding"),
                Arguments.of("a truncated percent escape", HttpRequest.BodyPublishers.ofString(form("abc%4")), 400,
                        "malformed percent-encoding"),
                Arguments.of("a parameter that is not UTF-8", HttpRequest.BodyPublishers.ofString(form("abc%ff%fe")),
                        400, "is not UTF-8"),
                Arguments.of("the subject token twice",
                        HttpRequest.BodyPublishers.ofString(form("user-a") + "&subject_token=user-b"), 400,
                        "subject_token is given 2 times"),
                Arguments.of("the grant type twice", HttpRequest.BodyPublishers.ofString(GRANT + "&" + form("user-a")),
                        400, "grant_type is given 2 times"),
                Arguments.of("an empty body", HttpRequest.BodyPublishers.noBody(), 400, "grant_type is missing"),
                Arguments.of("a huge grant type, not echoed back",
                        HttpRequest.BodyPublishers.ofString("grant_type=" + "g".repeat(60_000)), 400,
                        "grant_type: 'ggg"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedRequests")
    void answersAnRfc6749ErrorToAnOversizeOrMalformedForm(String description, BodyPublisher body, int status,
            String expected) throws Exception {
        HttpResponse<String> response = post("application/x-www-form-urlencoded", body);

        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        Map<String, Object> error = JSONObjectUtils.parse(response.body());
        assertThat(error).containsEntry("error", expected.startsWith("grant_type: ") ? "unsupported_grant_type"
                : "invalid_request");
        assertThat((String) error.get("error_description")).contains(expected).hasSizeLessThan(300);
    }

    @ParameterizedTest(name = "Content-Type: {0}")
    @MethodSource("wrongContentTypes")
    void refusesABodyThatIsNotAForm(String contentType) throws Exception {
        HttpResponse<String> response = post(contentType, HttpRequest.BodyPublishers.ofString(form("user-a")));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSONObjectUtils.parse(response.body())).containsEntry("error", "invalid_request");
    }

    static Stream<String> wrongContentTypes() {
        return Stream.of("application/json", "text/plain", "not a media type", "multipart/form-data; boundary=x");
    }

    @Test
    void aSubjectTokenOfExactlyTheLimitReachesTheIdentityProvider() throws Exception {
        int before = identityProvider.requestCount();

        HttpResponse<String> response = post("application/x-www-form-urlencoded",
                HttpRequest.BodyPublishers.ofString(form("a".repeat(MAX_TOKEN))));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSONObjectUtils.parse(response.body())).containsEntry("error", "invalid_grant");
        assertThat(identityProvider.requestCount()).isEqualTo(before + 1);
    }

    @ParameterizedTest(name = "{0} characters")
    @MethodSource("oversizeTokenLengths")
    void grpcRefusesAnOversizeSubjectTokenAsInvalidArgument(int length) {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", grpcServer.port()).usePlaintext().build();
        int before = identityProvider.requestCount();
        try {
            AuthorityGrpc.AuthorityBlockingStub authority = AuthorityGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS);

            assertThatThrownBy(() -> authority.exchangeToken(ExchangeTokenRequest.newBuilder()
                    .setSubjectToken("a".repeat(length)).setAudience(AUDIENCE).build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                        assertThat(e.getStatus().getDescription()).isEqualTo("subject_token is " + length
                                + " characters long (expected: at most " + MAX_TOKEN + ")");
                    });
            assertThat(identityProvider.requestCount()).isEqualTo(before);
        } finally {
            channel.shutdownNow();
        }
    }

    static Stream<Integer> oversizeTokenLengths() {
        return Stream.of(MAX_TOKEN + 1, 1024 * 1024);
    }

    private HttpResponse<String> post(String contentType, BodyPublisher body) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        return client.send(HttpRequest.newBuilder(URI.create("http://localhost:"
                        + environment.getRequiredProperty("local.server.port") + "/oauth2/token"))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", contentType)
                .POST(body)
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
