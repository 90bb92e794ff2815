package dev.torii.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import dev.torii.gateway.grpc.Gzip;
import dev.torii.gateway.grpc.MessageFrames;
import dev.torii.gateway.test.v1.EchoRequest;
import dev.torii.gateway.test.v1.EchoResponse;
import dev.torii.gateway.testing.HttpCalls;
import dev.torii.gateway.testing.TestBackend;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
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
 * Drives the real gateway's Connect protocol and its server streams (Connect and the legacy
 * dialect's NDJSON) over real HTTP against a real gRPC backend: what a Connect client library
 * relies on at the wire level (its client-library tests are ConnectClientIT and
 * ConnectBrowserIT), hostile envelopes and bodies, and the streaming guarantees: messages as
 * they arrive, flow control, cancellation, deadlines, the idle limit, retries only before the
 * first message, and a failure after the first message reported in the stream's end.
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ConnectProtocolIT {

    private static final String ECHO = "/torii.test.v1.TestService/Echo";
    private static final String FAIL = "/torii.test.v1.TestService/Fail";
    private static final String STREAM = "/torii.test.v1.TestService/Stream";
    private static final String CONNECT_PROTO = "application/connect+proto";
    private static final String CONNECT_JSON = "application/connect+json";
    private static final int MAX_REQUEST = 64 * 1024;

    private static TestBackend backend;

    @Autowired
    private Environment environment;

    private HttpCalls http;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

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
                  - name: Stream
                    timeout: 20s
                    idempotent: true
                    retry: {attempts: 3, backoff: 10ms}
                """.formatted(backend.port()));
        registry.add("torii.gateway.routes-dir", routes::toString);
        registry.add("torii.gateway.descriptor-sets",
                () -> "classpath*:META-INF/torii/descriptors/*.binpb,classpath:test-descriptors.binpb");
        registry.add("torii.gateway.max-request-size", () -> MAX_REQUEST + "B");
        registry.add("torii.gateway.streams.idle-timeout", () -> "1500ms");
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

    // --- unary ---

    @Test
    void unaryProtoAndJsonAnswerInKind() throws Exception {
        HttpResponse<byte[]> proto = http.post(ECHO, "application/proto",
                EchoRequest.newBuilder().setText("hi").build().toByteArray(), "Connect-Protocol-Version", "1");
        assertThat(proto.statusCode()).isEqualTo(200);
        assertThat(proto.headers().firstValue("content-type")).hasValue("application/proto");
        assertThat(EchoResponse.parseFrom(proto.body()).getText()).isEqualTo("hi");

        HttpResponse<byte[]> json = http.post(ECHO, "application/json", "{\"text\":\"hi\"}".getBytes(StandardCharsets.UTF_8),
                "Connect-Protocol-Version", "1");
        assertThat(json.statusCode()).isEqualTo(200);
        assertThat(new String(json.body(), StandardCharsets.UTF_8)).contains("\"text\":\"hi\"");
    }

    @Test
    void errorsAreConnectErrorJsonWithTheMappedStatusAndDetails() {
        HttpResponse<byte[]> response = http.post(FAIL, "application/json",
                "{\"code\":5,\"message\":\"no such thing\",\"withDetails\":true}".getBytes(StandardCharsets.UTF_8),
                "Connect-Protocol-Version", "1");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        JsonObject error = json(response.body());
        assertThat(error.get("code").getAsString()).isEqualTo("not_found");
        assertThat(error.get("message").getAsString()).isEqualTo("no such thing");
        JsonObject detail = error.getAsJsonArray("details").get(0).getAsJsonObject();
        assertThat(detail.get("type").getAsString()).isEqualTo("google.rpc.BadRequest");
        assertThat(Base64.getDecoder().decode(detail.get("value").getAsString())).isNotEmpty();
        assertThat(detail.getAsJsonObject("debug").toString()).contains("fieldViolations");
    }

    @Test
    void cancelledIsSpeltTheConnectWay() {
        HttpResponse<byte[]> response = http.post(FAIL, "application/json", "{\"code\":1}".getBytes(StandardCharsets.UTF_8),
                "Connect-Protocol-Version", "1");

        assertThat(json(response.body()).get("code").getAsString()).isEqualTo("canceled");
    }

    @Test
    void theGatewaysOwnErrorsUseTheConnectEnvelope() {
        HttpResponse<byte[]> notFound = http.post("/torii.test.v1.TestService/Nope", "application/proto", new byte[0],
                "Connect-Protocol-Version", "1");
        assertThat(notFound.statusCode()).isEqualTo(404);
        assertThat(json(notFound.body()).get("code").getAsString()).isEqualTo("not_found");

        HttpResponse<byte[]> tooLarge = http.post(ECHO, "application/proto", new byte[MAX_REQUEST + 1],
                "Connect-Protocol-Version", "1");
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(json(tooLarge.body()).get("code").getAsString()).isEqualTo("resource_exhausted");

        HttpResponse<byte[]> wrongType = http.post(ECHO, "text/plain", new byte[0], "Connect-Protocol-Version", "1");
        assertThat(wrongType.statusCode()).isEqualTo(415);
        assertThat(json(wrongType.body()).get("message").getAsString()).contains("application/proto");
    }

    @Test
    void connectTimeoutShortensTheRouteTimeoutAndBadValuesAreRefused() {
        HttpResponse<byte[]> answered = http.post(ECHO, "application/json", "{}".getBytes(StandardCharsets.UTF_8),
                "Connect-Protocol-Version", "1", "Connect-Timeout-Ms", "1500");
        long remaining = json(answered.body()).get("deadlineRemainingMillis").getAsLong();
        assertThat(remaining).isBetween(500L, 1500L);

        HttpResponse<byte[]> longer = http.post(ECHO, "application/json", "{}".getBytes(StandardCharsets.UTF_8),
                "Connect-Protocol-Version", "1", "Connect-Timeout-Ms", "60000");
        assertThat(json(longer.body()).get("deadlineRemainingMillis").getAsLong()).isLessThanOrEqualTo(3000);

        for (String bad : List.of("-1", "1.5", "12345678901", "soon")) {
            HttpResponse<byte[]> refused = http.post(ECHO, "application/json", "{}".getBytes(StandardCharsets.UTF_8),
                    "Connect-Protocol-Version", "1", "Connect-Timeout-Ms", bad);
            assertThat(refused.statusCode()).as(bad).isEqualTo(400);
            assertThat(json(refused.body()).get("message").getAsString()).contains("connect-timeout-ms");
        }
    }

    @Test
    void anotherProtocolVersionIsRefused() {
        HttpResponse<byte[]> response = http.post(ECHO, "application/json", "{}".getBytes(StandardCharsets.UTF_8),
                "Connect-Protocol-Version", "2");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response.body()).get("message").getAsString()).contains("connect-protocol-version: '2'");
    }

    @Test
    void gzipRequestBodiesAreInflatedWithinTheLimit() {
        byte[] body = Gzip.compress("{\"text\":\"zipped\"}".getBytes(StandardCharsets.UTF_8));
        HttpResponse<byte[]> response = http.post(ECHO, "application/json", body,
                "Connect-Protocol-Version", "1", "Content-Encoding", "gzip");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response.body()).get("text").getAsString()).isEqualTo("zipped");

        HttpResponse<byte[]> bomb = http.post(ECHO, "application/proto", Gzip.compress(new byte[10 * MAX_REQUEST]),
                "Connect-Protocol-Version", "1", "Content-Encoding", "gzip");
        assertThat(bomb.statusCode()).isEqualTo(413);
        assertThat(json(bomb.body()).get("message").getAsString()).contains("inflates to more than " + MAX_REQUEST);

        HttpResponse<byte[]> notGzip = http.post(ECHO, "application/proto", new byte[] {1, 2, 3},
                "Connect-Protocol-Version", "1", "Content-Encoding", "gzip");
        assertThat(notGzip.statusCode()).isEqualTo(400);

        HttpResponse<byte[]> unknown = http.post(ECHO, "application/proto", new byte[0],
                "Connect-Protocol-Version", "1", "Content-Encoding", "br");
        assertThat(unknown.statusCode()).isEqualTo(501);
        assertThat(json(unknown.body()).get("code").getAsString()).isEqualTo("unimplemented");
        assertThat(unknown.headers().firstValue("accept-encoding")).hasValue("gzip");
    }

    @Test
    void largeAnswersAreGzippedForClientsThatAsk() throws Exception {
        String text = "x".repeat(8192);
        HttpResponse<byte[]> response = http.post(ECHO, "application/json",
                ("{\"text\":\"" + text + "\"}").getBytes(StandardCharsets.UTF_8),
                "Connect-Protocol-Version", "1", "Accept-Encoding", "gzip");

        assertThat(response.headers().firstValue("content-encoding")).hasValue("gzip");
        assertThat(response.body().length).isLessThan(2048);
        assertThat(new String(Gzip.inflate(response.body(), 1 << 20), StandardCharsets.UTF_8)).contains(text);

        HttpResponse<byte[]> small = http.post(ECHO, "application/json", "{\"text\":\"x\"}".getBytes(StandardCharsets.UTF_8),
                "Connect-Protocol-Version", "1", "Accept-Encoding", "gzip");
        assertThat(small.headers().firstValue("content-encoding")).isEmpty();
    }

    @Test
    void getIsRefusedForMethodsWithSideEffects() {
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(
                URI.create(http.base() + ECHO + "?connect=v1&encoding=json&message=%7B%7D")).GET().build());

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("allow")).hasValue("POST");
    }

    // --- streams ---

    @Test
    void aStreamDeliversEveryMessageThenAnOkEnd() throws Exception {
        EchoRequest request = EchoRequest.newBuilder().setText("m").setNumber(3).build();

        Stream<Frame> frames = streamFrames(CONNECT_PROTO, request.toByteArray(), 0);

        List<Frame> all = frames.toList();
        assertThat(all).hasSize(4);
        assertThat(EchoResponse.parseFrom(all.get(2).payload()).getText()).isEqualTo("m 2");
        assertThat(all.get(3).flags()).isEqualTo(2);
        assertThat(json(all.get(3).payload()).has("error")).isFalse();
    }

    @Test
    void jsonStreamsCarryJsonMessages() {
        List<Frame> all = streamFrames(CONNECT_JSON, "{\"text\":\"j\",\"number\":\"2\"}".getBytes(StandardCharsets.UTF_8), 0)
                .toList();

        assertThat(all).hasSize(3);
        assertThat(json(all.get(1).payload()).get("text").getAsString()).isEqualTo("j 1");
    }

    @Test
    void aFailureAfterTheFirstMessageEndsTheStreamWithItsCodeAndIsNotRetried() throws Exception {
        int callsBefore = backend.calls();
        EchoRequest request = EchoRequest.newBuilder().setText("cut").setNumber(2).addTags("unavailable-after").build();

        List<Frame> all = streamFrames(CONNECT_PROTO, request.toByteArray(), 0).toList();

        assertThat(all).hasSize(3);
        JsonObject error = json(all.get(2).payload()).getAsJsonObject("error");
        assertThat(error.get("code").getAsString()).isEqualTo("unavailable");
        assertThat(error.get("message").getAsString()).isEqualTo("the backend cut the stream");
        assertThat(backend.calls() - callsBefore).isEqualTo(1);
    }

    @Test
    void aFailureBeforeTheFirstMessageIsRetried() throws Exception {
        EchoRequest request = EchoRequest.newBuilder().setText("again").setNumber(1)
                .addTags("unavailable-first:" + java.util.UUID.randomUUID()).build();

        List<Frame> all = streamFrames(CONNECT_PROTO, request.toByteArray(), 0).toList();

        assertThat(all).hasSize(2);
        assertThat(EchoResponse.parseFrom(all.get(0).payload()).getText()).isEqualTo("again 0");
    }

    @Test
    void theDeadlineEndsAStreamWithDeadlineExceeded() {
        EchoRequest open = EchoRequest.newBuilder().setNumber(0).build();
        long started = System.nanoTime();

        List<Frame> all = streamFrames(CONNECT_PROTO, open.toByteArray(), 0, "Connect-Timeout-Ms", "700").toList();

        long millis = (System.nanoTime() - started) / 1_000_000;
        assertThat(all).hasSize(1);
        assertThat(json(all.get(0).payload()).getAsJsonObject("error").get("code").getAsString())
                .isEqualTo("deadline_exceeded");
        assertThat(millis).isBetween(600L, 1400L);
    }

    @Test
    void aSilentStreamEndsAtTheIdleLimit() {
        EchoRequest open = EchoRequest.newBuilder().setNumber(0).build();
        long started = System.nanoTime();

        List<Frame> all = streamFrames(CONNECT_PROTO, open.toByteArray(), 0).toList();

        long millis = (System.nanoTime() - started) / 1_000_000;
        JsonObject error = json(all.get(0).payload()).getAsJsonObject("error");
        assertThat(error.get("code").getAsString()).isEqualTo("deadline_exceeded");
        assertThat(error.get("message").getAsString()).contains("sent no message for 1500ms");
        assertThat(millis).isBetween(1400L, 2500L);
    }

    @Test
    void aClientThatGoesAwayCancelsTheUpstreamCall() throws Exception {
        int cancelledBefore = backend.cancelled();
        HttpResponse<InputStream> response = openStream(CONNECT_PROTO,
                envelope(0, EchoRequest.newBuilder().setNumber(0).build().toByteArray()));
        assertThat(response.statusCode()).isEqualTo(200);

        response.body().close();

        eventually(() -> assertThat(backend.cancelled()).isGreaterThan(cancelledBefore));
    }

    @Test
    void aSlowClientHoldsBackItsOwnStream() throws Exception {
        int streamedBefore = backend.streamed();
        // 100,000 messages of 1 KiB: 100 MB the gateway must not buffer for a client that does not read.
        EchoRequest many = EchoRequest.newBuilder().setNumber(100_000).setBlob(ByteString.copyFrom(new byte[1024])).build();
        HttpResponse<InputStream> response = openStream(CONNECT_PROTO, envelope(0, many.toByteArray()));
        try (DataInputStream in = new DataInputStream(response.body())) {
            assertThat(readFrame(in).flags()).isZero();
            // Shorter than the idle limit (1.5 s): a client that reads nothing starves the stream too.
            Thread.sleep(800);
            int handedToGrpc = backend.streamed() - streamedBefore;
            // Socket buffers, gRPC's 1 MiB window and Reactor's prefetch hold some thousands.
            assertThat(handedToGrpc).isLessThan(30_000);
            for (int i = 0; i < 5_000; i++) {
                assertThat(readFrame(in).flags()).isZero();
            }
            assertThat(backend.streamed() - streamedBefore).isGreaterThan(handedToGrpc);
        }
    }

    @Test
    void streamsAreGzippedPerMessageWhenTheClientAccepts() throws Exception {
        EchoRequest request = EchoRequest.newBuilder().setText("z").setNumber(2)
                .setBlob(ByteString.copyFrom(new byte[4096])).build();
        byte[] compressedRequest = envelope(1, Gzip.compress(request.toByteArray()));

        HttpResponse<InputStream> response = openStream(CONNECT_PROTO, compressedRequest,
                "Connect-Content-Encoding", "gzip", "Connect-Accept-Encoding", "gzip");

        assertThat(response.headers().firstValue("connect-content-encoding")).hasValue("gzip");
        try (DataInputStream in = new DataInputStream(response.body())) {
            Frame first = readFrame(in);
            assertThat(first.flags()).isEqualTo(1);
            assertThat(first.payload().length).isLessThan(1024);
            EchoResponse message = EchoResponse.parseFrom(Gzip.inflate(first.payload(), 1 << 20));
            assertThat(message.getBlob().size()).isEqualTo(4096);
        }
    }

    static Stream<Arguments> hostileEnvelopes() {
        byte[] message = EchoRequest.newBuilder().setNumber(1).build().toByteArray();
        byte[] lying = envelope(0, message);
        lying[4] = (byte) (lying[4] + 10);
        return Stream.of(
                Arguments.of("a length that says more than follows", lying, "invalid_argument", "declares"),
                Arguments.of("a prefix cut short", new byte[] {0, 0, 0}, "invalid_argument", "5-byte prefix"),
                Arguments.of("a compressed flag without an encoding", envelope(1, message), "invalid_argument",
                        "flagged compressed"),
                Arguments.of("an envelope over the size limit", envelope(0, new byte[MAX_REQUEST + 1]),
                        "resource_exhausted", "(expected: at most"),
                Arguments.of("a declared length of 4 GiB", new byte[] {0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff},
                        "resource_exhausted", "declares 4294967295 bytes"),
                Arguments.of("two messages", concat(envelope(0, message), envelope(0, message)), "invalid_argument",
                        "exactly one message"),
                Arguments.of("an end-of-stream flag from the client", envelope(2, message), "invalid_argument",
                        "flags 0x02"),
                Arguments.of("bytes that are not the request message", envelope(0, new byte[] {(byte) 0xff, 1}),
                        "invalid_argument", "EchoRequest"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileEnvelopes")
    void hostileEnvelopesEndTheStreamWithAClientError(String name, byte[] body, String code, String message) {
        int callsBefore = backend.calls();

        List<Frame> all = framesOf(openStream(CONNECT_PROTO, body)).toList();

        assertThat(all).hasSize(1);
        assertThat(all.get(0).flags()).isEqualTo(2);
        JsonObject error = json(all.get(0).payload()).getAsJsonObject("error");
        assertThat(error.get("code").getAsString()).isEqualTo(code);
        assertThat(error.get("message").getAsString()).contains(message);
        assertThat(backend.calls()).isEqualTo(callsBefore);
    }

    @Test
    void aGzipBombInAStreamEnvelopeIsRefused() {
        byte[] bomb = envelope(1, Gzip.compress(new byte[20 * MAX_REQUEST]));

        List<Frame> all = framesOf(openStream(CONNECT_PROTO, bomb, "Connect-Content-Encoding", "gzip")).toList();

        JsonObject error = json(all.get(0).payload()).getAsJsonObject("error");
        assertThat(error.get("code").getAsString()).isEqualTo("resource_exhausted");
        assertThat(error.get("message").getAsString()).contains("inflates to more than");
    }

    @Test
    void aUnaryContentTypeOnAStreamingMethodIs415() {
        HttpResponse<byte[]> response = http.post(STREAM, "application/proto", new byte[0], "Connect-Protocol-Version", "1");

        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(json(response.body()).get("message").getAsString()).contains("server-streaming");
    }

    // --- the legacy dialect's NDJSON streams ---

    @Test
    void legacyStreamsAreNdjsonLines() {
        HttpResponse<byte[]> response = http.postJson(STREAM, "{\"text\":\"n\",\"number\":\"3\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/x-ndjson");
        List<String> lines = new String(response.body(), StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(json(lines.get(2).getBytes(StandardCharsets.UTF_8)).getAsJsonObject("result").get("text").getAsString())
                .isEqualTo("n 2");
    }

    @Test
    void aLegacyStreamCutAfterItsFirstMessageEndsWithAnErrorLine() {
        HttpResponse<byte[]> response = http.postJson(STREAM,
                "{\"text\":\"n\",\"number\":\"1\",\"tags\":[\"unavailable-after\"]}");

        List<String> lines = new String(response.body(), StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(2);
        JsonObject error = json(lines.get(1).getBytes(StandardCharsets.UTF_8)).getAsJsonObject("error");
        assertThat(error.get("code").getAsInt()).isEqualTo(14);
        assertThat(error.get("message").getAsString()).isEqualTo("the backend cut the stream");
    }

    @Test
    void aLegacyStreamThatFailsBeforeAnyMessageIsAnOrdinaryError() {
        HttpResponse<byte[]> response = http.postJson(STREAM, "{\"number\":\"0\"}", "grpc-timeout", "300m");

        assertThat(response.statusCode()).isEqualTo(504);
        assertThat(response.headers().firstValue("grpc-status")).hasValue("4");
    }

    @Test
    void legacyStreamsNeedJson() {
        HttpResponse<byte[]> response = http.post(STREAM, "application/x-protobuf", new byte[0]);

        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).contains("Connect");
    }

    @Test
    void streamsAreMeteredWithTheirMessages() throws Exception {
        streamFrames(CONNECT_PROTO, EchoRequest.newBuilder().setNumber(4).build().toByteArray(), 0).toList();
        int management = environment.getRequiredProperty("local.management.port", Integer.class);

        eventually(() -> {
            String metrics = new String(http.send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + management + "/actuator/prometheus")).build()).body(),
                    StandardCharsets.UTF_8);
            assertThat(metrics).containsPattern("torii_gateway_stream_messages_total\\{[^}]*route=\"" + STREAM + "\"");
            assertThat(metrics).containsPattern("torii_gateway_streams_seconds_count\\{[^}]*grpc_code=\"OK\",route=\""
                    + STREAM + "\"");
        });
    }

    // --- helpers ---

    private static void eventually(Runnable assertion) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true) {
            try {
                assertion.run();
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    private record Frame(int flags, byte[] payload) {}

    private Stream<Frame> streamFrames(String contentType, byte[] message, int flags, String... headers) {
        return framesOf(openStream(contentType, envelope(flags, message), headers));
    }

    private HttpResponse<InputStream> openStream(String contentType, byte[] body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(http.base() + STREAM))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", contentType)
                .header("Connect-Protocol-Version", "1")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.statusCode()).isEqualTo(200);
            return response;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Stream<Frame> framesOf(HttpResponse<InputStream> response) {
        List<Frame> frames = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(response.body())) {
            while (true) {
                Frame frame = readFrame(in);
                if (frame == null) {
                    break;
                }
                frames.add(frame);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return frames.stream();
    }

    private static Frame readFrame(DataInputStream in) throws IOException {
        int flags = in.read();
        if (flags < 0) {
            return null;
        }
        int length = in.readInt();
        byte[] payload = new byte[length];
        try {
            in.readFully(payload);
        } catch (EOFException e) {
            throw new IOException("stream ended inside a frame", e);
        }
        return new Frame(flags, payload);
    }

    private static byte[] envelope(int flags, byte[] payload) {
        return MessageFrames.frame(flags, payload);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static JsonObject json(byte[] body) {
        return JsonParser.parseString(new String(body, StandardCharsets.UTF_8)).getAsJsonObject();
    }
}
