package dev.torii.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.rpc.BadRequest;
import com.google.rpc.Status;
import dev.torii.gateway.test.v1.EchoRequest;
import dev.torii.gateway.test.v1.EchoResponse;
import dev.torii.gateway.test.v1.FailRequest;
import dev.torii.gateway.test.v1.Nested;
import dev.torii.gateway.test.v1.SleepRequest;
import dev.torii.gateway.testing.HttpCalls;
import dev.torii.gateway.testing.TestBackend;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Drives the real gateway over HTTP against a real gRPC backend: both content types, every row
 * of the status table, details, deadlines, metadata, and the gateway's own 404/405/413/415.
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GatewayProtocolIT {

    private static final String ECHO = "/torii.test.v1.TestService/Echo";
    private static final String FAIL = "/torii.test.v1.TestService/Fail";
    private static final String SLEEP = "/torii.test.v1.TestService/Sleep";
    private static final String PROTOBUF = "application/x-protobuf";

    private static TestBackend backend;

    @Autowired
    private Environment environment;

    private HttpCalls http;

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
                  - Echo
                  - Fail
                  - name: Sleep
                    timeout: 400ms
                """.formatted(backend.port()));
        Files.writeString(routes.resolve("dead-service.yaml"), """
                service: examples.offer.v1.OfferService
                upstream:
                  target: 127.0.0.1:%d
                auth: public
                methods: [GetOffer]
                """.formatted(closedPort()));
        registry.add("torii.gateway.routes-dir", routes::toString);
        registry.add("torii.gateway.descriptor-sets",
                () -> "classpath*:META-INF/torii/descriptors/*.binpb,classpath:test-descriptors.binpb");
        registry.add("torii.gateway.max-request-size", () -> "64KB");
        registry.add("torii.gateway.forwarded-headers", () -> "accept-language,x-app-version");
        registry.add("management.server.port", () -> "0");
    }

    @AfterAll
    static void stopBackend() {
        backend.close();
    }

    @BeforeEach
    void client() {
        http = new HttpCalls(environment.getRequiredProperty("local.server.port", Integer.class));
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/x-protobuf", "application/protobuf"})
    void protobufRoundTripsUnchanged(String contentType) throws Exception {
        EchoRequest request = EchoRequest.newBuilder()
                .setText("こんにちは").setNumber(Long.MAX_VALUE).setBlob(ByteString.copyFrom(new byte[] {0, 1, (byte) 255}))
                .addTags("a").addTags("b").setNested(Nested.newBuilder().setFlag(true).setRatio(0.5))
                .build();

        HttpResponse<byte[]> response = http.post(ECHO, contentType, request.toByteArray());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue(contentType);
        assertThat(response.headers().firstValue("x-request-id")).isPresent();
        EchoResponse echo = EchoResponse.parseFrom(response.body());
        assertThat(echo.getText()).isEqualTo("こんにちは");
        assertThat(echo.getNumber()).isEqualTo(Long.MAX_VALUE);
        assertThat(echo.getBlob().toByteArray()).containsExactly(0, 1, 255);
        assertThat(echo.getTagsList()).containsExactly("a", "b");
        assertThat(echo.getNested().getRatio()).isEqualTo(0.5);
    }

    @Test
    void emptyProtobufBodyIsTheEmptyMessage() throws Exception {
        HttpResponse<byte[]> response = http.post(ECHO, PROTOBUF, new byte[0]);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(EchoResponse.parseFrom(response.body()).getText()).isEmpty();
    }

    @Test
    void jsonIsTranscodedBothWays() {
        HttpResponse<byte[]> response = http.postJson(ECHO, """
                {"text": "hi", "number": "9007199254740993", "blob": "AAH/", "tags": ["x"],
                 "nested": {"flag": true, "ratio": 1.5}}""");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        String body = new String(response.body(), StandardCharsets.UTF_8);
        assertThat(body).contains("\"text\":\"hi\"", "\"number\":\"9007199254740993\"", "\"blob\":\"AAH/\"",
                "\"tags\":[\"x\"]", "\"nested\":{\"flag\":true,\"ratio\":1.5}", "\"deadlineRemainingMillis\"");
    }

    @Test
    void jsonAcceptsProtoFieldNamesAndAnEmptyBody() {
        assertThat(http.postJson(ECHO, "{\"deadline_remaining_millis\": 1}").statusCode()).isEqualTo(400);
        assertThat(http.postJson(ECHO, "{\"text\": \"a\"}").statusCode()).isEqualTo(200);
        assertThat(http.post(ECHO, "application/json; charset=utf-8", new byte[0]).statusCode()).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{", "{\"text\": 12", "[1,2]", "{\"nope\": 1}", "{\"number\": \"abc\"}", "\"x\""})
    void malformedJsonIsABadRequestThatNeverReachesTheBackend(String json) {
        int before = backend.calls();

        HttpResponse<byte[]> response = http.postJson(ECHO, json);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("grpc-status")).hasValue("3");
        assertThat(body(response)).startsWith("{\"code\":3,\"message\":\"malformed JSON for torii.test.v1.EchoRequest");
        assertThat(backend.calls()).isEqualTo(before);
    }

    @Test
    void invalidUtf8JsonIsABadRequest() {
        HttpResponse<byte[]> response = http.post(ECHO, "application/json", new byte[] {'{', '"', (byte) 0xff, '"', '}'});

        assertThat(response.statusCode()).isEqualTo(400);
    }

    @Test
    void garbageProtobufIsABadRequest() throws Exception {
        HttpResponse<byte[]> response = http.post(ECHO, PROTOBUF, new byte[] {(byte) 0xff, (byte) 0xff, 0x07});

        assertThat(response.statusCode()).isEqualTo(400);
        Status status = Status.parseFrom(response.body());
        assertThat(status.getCode()).isEqualTo(3);
        assertThat(status.getMessage()).startsWith("request body is not a valid torii.test.v1.EchoRequest: ");
    }

    @Test
    void aMessageNestedDeeperThanProtobufsLimitIsABadRequestNotAnInternalError() throws Exception {
        Nested.Builder deepest = Nested.newBuilder().setFlag(true);
        for (int i = 0; i < 100; i++) {
            deepest = Nested.newBuilder().setChild(deepest);
        }
        Nested.Builder limit = Nested.newBuilder().setFlag(true);
        for (int i = 0; i < 99; i++) {
            limit = Nested.newBuilder().setChild(limit);
        }

        HttpResponse<byte[]> atTheLimit = http.post(ECHO, PROTOBUF, EchoRequest.newBuilder().setNested(limit).build().toByteArray());
        HttpResponse<byte[]> beyond = http.post(ECHO, PROTOBUF, EchoRequest.newBuilder().setNested(deepest).build().toByteArray());

        assertThat(atTheLimit.statusCode()).isEqualTo(200);
        assertThat(beyond.statusCode()).isEqualTo(400);
        assertThat(Status.parseFrom(beyond.body()).getMessage()).contains("field nested.child.child.", "nested more than 100");
    }

    static Stream<Arguments> statusTable() {
        return Stream.of(
                Arguments.of(1, 499), Arguments.of(2, 500), Arguments.of(3, 400), Arguments.of(4, 504),
                Arguments.of(5, 404), Arguments.of(6, 409), Arguments.of(7, 403), Arguments.of(8, 429),
                Arguments.of(9, 400), Arguments.of(10, 409), Arguments.of(11, 400), Arguments.of(12, 501),
                Arguments.of(13, 500), Arguments.of(14, 503), Arguments.of(15, 500), Arguments.of(16, 401));
    }

    @ParameterizedTest(name = "gRPC code {0} -> HTTP {1}")
    @MethodSource("statusTable")
    void everyUpstreamStatusFollowsTheTableInJson(int code, int httpStatus) {
        HttpResponse<byte[]> response = http.postJson(FAIL,
                "{\"code\": " + code + ", \"message\": \"failure " + code + " ü\"}");

        assertThat(response.statusCode()).isEqualTo(httpStatus);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(response.headers().firstValue("grpc-status")).hasValue(Integer.toString(code));
        assertThat(response.headers().firstValue("grpc-message")).hasValue("failure " + code + " %C3%BC");
        assertThat(response.headers().firstValue("x-request-id")).isPresent();
        assertThat(body(response)).isEqualTo("{\"code\":" + code + ",\"message\":\"failure " + code + " ü\"}");
    }

    @ParameterizedTest(name = "gRPC code {0} -> HTTP {1}")
    @MethodSource("statusTable")
    void everyUpstreamStatusFollowsTheTableInProtobuf(int code, int httpStatus) throws Exception {
        HttpResponse<byte[]> response = http.post(FAIL, PROTOBUF,
                FailRequest.newBuilder().setCode(code).setMessage("failure " + code).build().toByteArray());

        assertThat(response.statusCode()).isEqualTo(httpStatus);
        assertThat(response.headers().firstValue("content-type")).hasValue(PROTOBUF);
        assertThat(response.headers().firstValue("grpc-status")).hasValue(Integer.toString(code));
        Status status = Status.parseFrom(response.body());
        assertThat(status.getCode()).isEqualTo(code);
        assertThat(status.getMessage()).isEqualTo("failure " + code);
    }

    @Test
    void errorDetailsArePreservedInBothFormats() throws Exception {
        HttpResponse<byte[]> proto = http.post(FAIL, PROTOBUF, FailRequest.newBuilder()
                .setCode(3).setMessage("bad").setWithDetails(true).setWithUnknownDetail(true).build().toByteArray());
        Status status = Status.parseFrom(proto.body());
        assertThat(status.getDetailsList()).hasSize(2);
        assertThat(status.getDetails(0).unpack(BadRequest.class).getFieldViolations(0).getField()).isEqualTo("text");
        assertThat(status.getDetails(1).getTypeUrl()).isEqualTo("type.googleapis.com/acme.secret.v1.Unknown");

        HttpResponse<byte[]> json = http.postJson(FAIL,
                "{\"code\": 3, \"message\": \"bad\", \"withDetails\": true, \"withUnknownDetail\": true}");
        assertThat(body(json)).isEqualTo("{\"code\":3,\"message\":\"bad\",\"details\":["
                + "{\"@type\":\"type.googleapis.com/google.rpc.BadRequest\","
                + "\"fieldViolations\":[{\"field\":\"text\",\"description\":\"too short\"}]},"
                + "{\"@type\":\"type.googleapis.com/acme.secret.v1.Unknown\",\"value\":\"b3BhcXVl\"}]}");
    }

    @Test
    void unknownRouteIs404InTheEnvelopeOfTheRequestFormat() throws Exception {
        HttpResponse<byte[]> json = http.postJson("/torii.test.v1.TestService/Nope", "{}");
        assertThat(json.statusCode()).isEqualTo(404);
        assertThat(json.headers().firstValue("grpc-status")).hasValue("5");
        assertThat(body(json)).startsWith("{\"code\":5,\"message\":\"no route for POST /torii.test.v1.TestService/Nope");

        HttpResponse<byte[]> proto = http.post("/torii.test.v1.TestService/Stream", PROTOBUF, new byte[0]);
        assertThat(proto.statusCode()).isEqualTo(404);
        assertThat(Status.parseFrom(proto.body()).getCode()).isEqualTo(5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "PUT", "DELETE", "PATCH"})
    void otherMethodsThanPostAre405(String method) {
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(http.base() + ECHO))
                .method(method, HttpRequest.BodyPublishers.noBody()).build());

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("allow")).hasValue("POST");
        assertThat(response.headers().firstValue("grpc-status")).hasValue("12");
    }

    @ParameterizedTest
    // application/grpc is gRPC's own (GrpcProtocolIT): over HTTP/1.1 it is refused with 505.
    @ValueSource(strings = {"text/plain", "application/json; charset=iso-8859-1", "multipart/form-data"})
    void unsupportedContentTypesAre415(String contentType) {
        HttpResponse<byte[]> response = http.post(ECHO, contentType, "{}".getBytes(StandardCharsets.UTF_8));

        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(response.headers().firstValue("grpc-status")).hasValue("3");
        assertThat(body(response)).contains("expected: application/x-protobuf, application/protobuf or application/json");
    }

    @Test
    void missingContentTypeIs415() {
        HttpResponse<byte[]> response = http.post(ECHO, null, new byte[] {1});

        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(body(response)).contains("Content-Type: (missing)");
    }

    @Test
    void oversizeBodiesAre413WithOrWithoutContentLength() {
        byte[] big = new byte[64 * 1024 + 1];
        int before = backend.calls();

        HttpResponse<byte[]> declared = http.post(ECHO, PROTOBUF, big);
        HttpResponse<byte[]> chunked = http.send(HttpRequest.newBuilder(URI.create(http.base() + ECHO))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big)))
                .build());

        assertThat(declared.statusCode()).isEqualTo(413);
        assertThat(declared.headers().firstValue("grpc-status")).hasValue("8");
        assertThat(chunked.statusCode()).isEqualTo(413);
        assertThat(body(chunked)).contains("larger than 65536 bytes");
        assertThat(backend.calls()).isEqualTo(before);
    }

    @Test
    void aBodyJustUnderTheLimitPasses() throws Exception {
        byte[] blob = new byte[60 * 1024];
        HttpResponse<byte[]> response = http.post(ECHO, PROTOBUF,
                EchoRequest.newBuilder().setBlob(ByteString.copyFrom(blob)).build().toByteArray());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(EchoResponse.parseFrom(response.body()).getBlob().size()).isEqualTo(blob.length);
    }

    @Test
    void routeTimeoutBoundsTheCallAndCancelsTheBackend() throws Exception {
        long started = System.nanoTime();

        HttpResponse<byte[]> response = http.postJson(SLEEP, "{\"millis\": 3000}");

        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(response.statusCode()).isEqualTo(504);
        assertThat(response.headers().firstValue("grpc-status")).hasValue("4");
        assertThat(body(response)).contains("torii.test.v1.TestService/Sleep did not answer within 400ms");
        assertThat(took).isLessThan(Duration.ofMillis(2500));
    }

    @Test
    void shorterClientTimeoutWins() {
        long started = System.nanoTime();

        HttpResponse<byte[]> response = http.postJson(SLEEP, "{\"millis\": 3000}", "grpc-timeout", "100m");

        assertThat(response.statusCode()).isEqualTo(504);
        assertThat(body(response)).contains("within 100ms");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(2000));
    }

    @Test
    void longerClientTimeoutDoesNotExtendTheRoute() {
        HttpResponse<byte[]> response = http.postJson(SLEEP, "{\"millis\": 3000}", "grpc-timeout", "10S");

        assertThat(response.statusCode()).isEqualTo(504);
        assertThat(body(response)).contains("within 400ms");
    }

    @Test
    void deadlinePropagatesToTheBackend() throws Exception {
        HttpResponse<byte[]> response = http.post(ECHO, PROTOBUF, new byte[0], "grpc-timeout", "1500m");

        long remaining = EchoResponse.parseFrom(response.body()).getDeadlineRemainingMillis();
        assertThat(remaining).isBetween(1L, 1500L);
        assertThat(EchoResponse.parseFrom(response.body()).getMetadataMap()).containsKey("grpc-timeout");
    }

    @Test
    void aCallThatAnswersInTimeSucceeds() throws Exception {
        HttpResponse<byte[]> response = http.post(SLEEP, PROTOBUF,
                SleepRequest.newBuilder().setMillis(20).build().toByteArray());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(EchoResponse.parseFrom(response.body()).getNumber()).isEqualTo(20);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "1", "123456789S", "10x", "-1S", "1.5S"})
    void malformedGrpcTimeoutIsABadRequest(String value) {
        HttpResponse<byte[]> response = http.postJson(ECHO, "{}", "grpc-timeout", value);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(body(response)).contains("grpc-timeout");
    }

    @Test
    void onlyAllowListedHeadersReachTheBackend() throws Exception {
        HttpResponse<byte[]> response = http.post(ECHO, PROTOBUF, new byte[0],
                "Accept-Language", "ja-JP", "X-App-Version", "7.1.0", "X-Secret", "nope",
                "Cookie", "session=abc", "X-Forwarded-For", "203.0.113.9", "X-Request-Id", "client-req-1");

        Map<String, String> metadata = EchoResponse.parseFrom(response.body()).getMetadataMap();
        assertThat(metadata).containsEntry("accept-language", "ja-JP")
                .containsEntry("x-app-version", "7.1.0")
                .containsEntry("x-request-id", "client-req-1")
                .doesNotContainKeys("x-secret", "cookie", "authorization");
        assertThat(metadata.get("x-forwarded-for")).matches("203\\.0\\.113\\.9, (127\\.0\\.0\\.1|0:0:0:0:0:0:0:1)");
        assertThat(response.headers().firstValue("x-request-id")).hasValue("client-req-1");
    }

    @Test
    void anUnsafeRequestIdIsReplaced() throws Exception {
        HttpResponse<byte[]> response = http.post(ECHO, PROTOBUF, new byte[0], "X-Request-Id", "bad id\t<script>");

        String id = response.headers().firstValue("x-request-id").orElseThrow();
        assertThat(id).matches("[0-9a-f-]{36}");
        assertThat(EchoResponse.parseFrom(response.body()).getMetadataMap()).containsEntry("x-request-id", id);
    }

    @Test
    void unreachableUpstreamIs503WithoutInternalAddresses() {
        HttpResponse<byte[]> response = http.postJson("/examples.offer.v1.OfferService/GetOffer", "{}");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("grpc-status")).hasValue("14");
        assertThat(body(response)).startsWith(
                "{\"code\":14,\"message\":\"upstream examples.offer.v1.OfferService is unavailable; try again later\","
                        + "\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"UPSTREAM_UNAVAILABLE\"")
                .doesNotContain("127.0.0.1", ".yaml");
    }

    static Stream<HttpRequest.Builder> oddRequests() {
        String base = "http://localhost:" + PORT.get();
        return Stream.of(
                HttpRequest.newBuilder(URI.create(base + "/")).GET(),
                HttpRequest.newBuilder(URI.create(base + "/%2e%2e/%2e%2e/etc/passwd")).GET(),
                HttpRequest.newBuilder(URI.create(base + "/a".repeat(2000))).POST(HttpRequest.BodyPublishers.noBody()),
                HttpRequest.newBuilder(URI.create(base + ECHO)).header("Content-Type", "application/json")
                        .header("Accept", "text/html").POST(HttpRequest.BodyPublishers.ofString("<html>")),
                HttpRequest.newBuilder(URI.create(base + ECHO)).header("Content-Type", ";;;")
                        .POST(HttpRequest.BodyPublishers.ofString("{}")),
                HttpRequest.newBuilder(URI.create(base + ECHO)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"nested\": {\"nested\": " + "[".repeat(5000))),
                HttpRequest.newBuilder(URI.create(base + "/actuator/health")).GET(),
                HttpRequest.newBuilder(URI.create(base + "/actuator/gateway/routes")).GET());
    }

    private static final java.util.concurrent.atomic.AtomicInteger PORT = new java.util.concurrent.atomic.AtomicInteger();

    @Test
    void noOddRequestGetsA500OrAnHtmlPage() {
        PORT.set(environment.getRequiredProperty("local.server.port", Integer.class));
        for (HttpRequest.Builder request : oddRequests().toList()) {
            HttpResponse<byte[]> response = http.send(request.build());
            assertThat(response.statusCode()).as(request.build().toString()).isBetween(400, 499);
            assertThat(response.headers().firstValue("content-type").orElse(""))
                    .as(request.build().toString()).isIn("application/json", PROTOBUF);
            assertThat(body(response)).doesNotContain("<html", "Exception", "at dev.torii", "Whitelabel");
        }
    }

    @Test
    void manyConcurrentCallsShareOneChannel() throws Exception {
        List<java.util.concurrent.CompletableFuture<HttpResponse<byte[]>>> calls = new java.util.ArrayList<>();
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        for (int i = 0; i < 200; i++) {
            calls.add(client.sendAsync(HttpRequest.newBuilder(URI.create(http.base() + ECHO))
                    .header("Content-Type", PROTOBUF)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(
                            EchoRequest.newBuilder().setNumber(i).build().toByteArray())).build(),
                    HttpResponse.BodyHandlers.ofByteArray()));
        }
        for (int i = 0; i < calls.size(); i++) {
            HttpResponse<byte[]> response = calls.get(i).get();
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(EchoResponse.parseFrom(response.body()).getNumber()).isEqualTo(i);
        }
    }

    @Test
    void cleartextHttp2WorksByUpgradeWithABody() throws Exception {
        java.net.http.HttpClient h2 = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_2).build();
        HttpResponse<byte[]> first = h2.send(HttpRequest.newBuilder(URI.create(http.base() + ECHO))
                .header("Content-Type", PROTOBUF)
                .POST(HttpRequest.BodyPublishers.ofByteArray(EchoRequest.newBuilder().setText("up").build().toByteArray()))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<byte[]> second = h2.send(HttpRequest.newBuilder(URI.create(http.base() + ECHO))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"text\": \"h2\"}"))
                .build(), HttpResponse.BodyHandlers.ofByteArray());

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(EchoResponse.parseFrom(first.body()).getText()).isEqualTo("up");
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_2);
    }

    @Test
    void aQueryStringDoesNotChangeTheRoute() {
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(http.base() + ECHO + "?x=1"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build());

        assertThat(response.statusCode()).isEqualTo(200);
    }

    private static String body(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

}
