package dev.torii.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.BadRequest;
import dev.torii.gateway.grpc.Gzip;
import dev.torii.gateway.grpc.MessageFrames;
import dev.torii.gateway.test.v1.EchoRequest;
import dev.torii.gateway.test.v1.EchoResponse;
import dev.torii.gateway.test.v1.FailRequest;
import dev.torii.gateway.test.v1.TestServiceGrpc;
import dev.torii.gateway.testing.HttpCalls;
import dev.torii.gateway.testing.TestBackend;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;

/**
 * Drives the gateway's gRPC-Web and gRPC protocols at the wire level against a real gRPC
 * backend: what clients rely on (frames, the trailer frame, HTTP/2 trailers, trailers-only
 * errors, base64 text), hostile input (lengths that lie, a compressed flag without an encoding,
 * frames over the limit, truncated base64, a gzip bomb), and HTTP/2 abuse the server must survive
 * (hundreds of streams opened and reset at once, a huge header block). The client-library tests
 * are ConnectClientIT (connect-es) and GrpcJavaClientIT (grpc-java).
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GrpcProtocolIT {

    private static final String ECHO = "/torii.test.v1.TestService/Echo";
    private static final String FAIL = "/torii.test.v1.TestService/Fail";
    private static final String STREAM = "/torii.test.v1.TestService/Stream";
    private static final String COLLECT = "/torii.test.v1.TestService/Collect";
    private static final String WEB = "application/grpc-web+proto";
    private static final String WEB_TEXT = "application/grpc-web-text";
    private static final int MAX_REQUEST = 64 * 1024;
    private static final byte[] HELLO = EchoRequest.newBuilder().setText("hi").build().toByteArray();

    private static TestBackend backend;

    @Autowired
    private Environment environment;

    private HttpCalls http;
    private int port;

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
                """.formatted(backend.port()));
        registry.add("torii.gateway.routes-dir", routes::toString);
        registry.add("torii.gateway.descriptor-sets",
                () -> "classpath*:META-INF/torii/descriptors/*.binpb,classpath:test-descriptors.binpb");
        registry.add("torii.gateway.max-request-size", () -> MAX_REQUEST + "B");
        registry.add("management.server.port", () -> "0");
    }

    @AfterAll
    static void stopBackend() {
        backend.close();
    }

    @BeforeEach
    void client() {
        port = environment.getRequiredProperty("local.server.port", Integer.class);
        http = new HttpCalls(port);
    }

    // --- gRPC-Web ---

    @Test
    void aUnaryCallIsADataFrameThenTheTrailerFrame() throws Exception {
        HttpResponse<byte[]> response = http.post(ECHO, WEB, frame(0, HELLO), "x-grpc-web", "1");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue(WEB);
        List<MessageFrames.Frame> frames = MessageFrames.split(response.body(), 1 << 20);
        assertThat(frames).hasSize(2);
        assertThat(frames.get(0).flags()).isZero();
        assertThat(EchoResponse.parseFrom(frames.get(0).payload()).getText()).isEqualTo("hi");
        assertThat(frames.get(1).flags()).isEqualTo(0x80);
        assertThat(trailers(frames.get(1))).containsEntry("grpc-status", "0");
    }

    @Test
    void textRequestsInConcatenatedSegmentsGetTextAnswers() throws Exception {
        // Two padded segments, the frame split inside its prefix, as a sender encoding as it goes may.
        byte[] framed = frame(0, HELLO);
        String body = Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(framed, 2))
                + Base64.getEncoder().encodeToString(java.util.Arrays.copyOfRange(framed, 2, framed.length));

        HttpResponse<byte[]> response = http.post(ECHO, WEB_TEXT, body.getBytes(StandardCharsets.US_ASCII));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue(WEB_TEXT);
        List<MessageFrames.Frame> frames = MessageFrames.split(
                dev.torii.gateway.grpc.GrpcWebText.decode(response.body()), 1 << 20);
        assertThat(EchoResponse.parseFrom(frames.get(0).payload()).getText()).isEqualTo("hi");
        assertThat(trailers(frames.get(1))).containsEntry("grpc-status", "0");
    }

    @Test
    void anUpstreamErrorIsTrailersOnlyWithItsMessageAndDetails() throws Exception {
        byte[] request = FailRequest.newBuilder().setCode(5).setMessage("100% gone ✓").setWithDetails(true).build()
                .toByteArray();

        HttpResponse<byte[]> response = http.post(FAIL, WEB, frame(0, request));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEmpty();
        assertThat(response.headers().firstValue("grpc-status")).hasValue("5");
        String message = response.headers().firstValue("grpc-message").orElseThrow();
        assertThat(message).isEqualTo("100%25 gone %E2%9C%93");
        assertThat(URLDecoder.decode(message, StandardCharsets.UTF_8)).isEqualTo("100% gone ✓");
        com.google.rpc.Status status = com.google.rpc.Status.parseFrom(Base64.getDecoder().decode(
                response.headers().firstValue("grpc-status-details-bin").orElseThrow()));
        assertThat(status.getCode()).isEqualTo(5);
        assertThat(status.getDetails(0).unpack(BadRequest.class).getFieldViolations(0).getField()).isEqualTo("text");
    }

    @Test
    void theGatewaysOwnErrorsAreTrailersOnlyBehindA200() {
        HttpResponse<byte[]> unknown = http.post("/torii.test.v1.TestService/Nope", WEB, frame(0, HELLO));
        HttpResponse<byte[]> badTimeout = http.post(ECHO, WEB, frame(0, HELLO), "grpc-timeout", "soon");

        assertThat(unknown.statusCode()).isEqualTo(200);
        assertThat(unknown.headers().firstValue("grpc-status")).hasValue("5");
        assertThat(unknown.headers().firstValue("x-request-id")).isPresent();
        assertThat(badTimeout.statusCode()).isEqualTo(200);
        assertThat(badTimeout.headers().firstValue("grpc-status")).hasValue("3");
        assertThat(badTimeout.headers().firstValue("grpc-message").orElseThrow()).contains("grpc-timeout");
    }

    @Test
    void aStreamIsDataFramesThenTheTrailerFrame() throws Exception {
        byte[] request = EchoRequest.newBuilder().setText("s").setNumber(3).build().toByteArray();

        List<MessageFrames.Frame> frames = MessageFrames.split(http.post(STREAM, WEB, frame(0, request)).body(), 1 << 20);

        assertThat(frames).hasSize(4);
        assertThat(EchoResponse.parseFrom(frames.get(2).payload()).getText()).isEqualTo("s 2");
        assertThat(trailers(frames.get(3))).containsEntry("grpc-status", "0");
    }

    @Test
    void aStreamCutAfterItsFirstMessageEndsWithTheErrorInTheTrailerFrame() throws Exception {
        byte[] request = EchoRequest.newBuilder().setText("cut").setNumber(2).addTags("unavailable-after").build()
                .toByteArray();

        HttpResponse<byte[]> response = http.post(STREAM, WEB, frame(0, request));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("grpc-status")).isEmpty();
        List<MessageFrames.Frame> frames = MessageFrames.split(response.body(), 1 << 20);
        assertThat(frames).hasSize(3);
        assertThat(trailers(frames.get(2))).containsEntry("grpc-status", "14")
                .containsEntry("grpc-message", "the backend cut the stream");
    }

    @Test
    void grpcTimeoutEndsAStreamWithDeadlineExceeded() throws Exception {
        byte[] open = EchoRequest.newBuilder().setNumber(0).build().toByteArray();
        long started = System.nanoTime();

        HttpResponse<byte[]> response = http.post(STREAM, WEB, frame(0, open), "grpc-timeout", "700m");

        assertThat((System.nanoTime() - started) / 1_000_000).isBetween(600L, 1900L);
        assertThat(response.headers().firstValue("grpc-status")).hasValue("4");
    }

    static Stream<Arguments> hostileWebBodies() {
        byte[] lying = frame(0, HELLO);
        lying[4] = (byte) (lying[4] + 10);
        return Stream.of(
                Arguments.of("a length that says more than follows", WEB, lying, "3", "declares"),
                Arguments.of("a prefix cut short", WEB, new byte[] {0, 0, 0}, "3", "5-byte prefix"),
                Arguments.of("a compressed flag without an encoding", WEB, frame(1, HELLO), "3", "flagged compressed"),
                Arguments.of("a frame over the size limit", WEB, frame(0, new byte[MAX_REQUEST + 1]), "8",
                        "(expected: at most"),
                Arguments.of("a declared length of 4 GiB", WEB,
                        new byte[] {0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}, "8", "declares 4294967295"),
                Arguments.of("two messages", WEB, concat(frame(0, HELLO), frame(0, HELLO)), "3", "exactly one message"),
                Arguments.of("a trailer flag from the client", WEB, frame(0x80, HELLO), "3", "flags 0x80"),
                Arguments.of("bytes that are not the request message", WEB, frame(0, new byte[] {(byte) 0xff, 1}), "3",
                        "EchoRequest"),
                Arguments.of("truncated base64", WEB_TEXT, "AAAAA".getBytes(StandardCharsets.US_ASCII), "3",
                        "base64"),
                Arguments.of("base64 padded mid-group", WEB_TEXT, "AA=AAAAA".getBytes(StandardCharsets.US_ASCII), "3",
                        "base64"),
                Arguments.of("not base64 at all", WEB_TEXT, "{\"text\":\"hi\"}".getBytes(StandardCharsets.US_ASCII), "3",
                        "base64"),
                Arguments.of("base64 of a frame cut short", WEB_TEXT, Base64.getEncoder().encode(
                        java.util.Arrays.copyOf(frame(0, HELLO), 6)), "3", "declares"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileWebBodies")
    void hostileWebBodiesAreRefusedInTheProtocolsOwnForm(String name, String type, byte[] body, String code,
            String message) {
        int callsBefore = backend.calls();

        HttpResponse<byte[]> response = http.post(ECHO, type, body);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("grpc-status")).hasValue(code);
        assertThat(URLDecoder.decode(response.headers().firstValue("grpc-message").orElseThrow(), StandardCharsets.UTF_8))
                .contains(message);
        assertThat(backend.calls()).isEqualTo(callsBefore);
    }

    @Test
    void aGzipBombIsRefusedAndGzipWithinTheLimitIsInflated() throws Exception {
        byte[] bomb = frame(1, Gzip.compress(new byte[20 * MAX_REQUEST]));

        HttpResponse<byte[]> refused = http.post(ECHO, WEB, bomb, "grpc-encoding", "gzip");
        HttpResponse<byte[]> inflated = http.post(ECHO, WEB, frame(1, Gzip.compress(HELLO)), "grpc-encoding", "gzip");
        HttpResponse<byte[]> unknown = http.post(ECHO, WEB, frame(1, HELLO), "grpc-encoding", "snappy");

        assertThat(refused.headers().firstValue("grpc-status")).hasValue("8");
        assertThat(refused.headers().firstValue("grpc-message").orElseThrow()).contains("inflates to more than");
        assertThat(EchoResponse.parseFrom(MessageFrames.split(inflated.body(), 1 << 20).get(0).payload()).getText())
                .isEqualTo("hi");
        assertThat(unknown.headers().firstValue("grpc-status")).hasValue("12");
        assertThat(unknown.headers().firstValue("grpc-accept-encoding")).hasValue("gzip");
    }

    @Test
    void largeAnswersAreCompressedForClientsThatAcceptGzip() throws Exception {
        byte[] request = EchoRequest.newBuilder().setText("big").setBlob(com.google.protobuf.ByteString.copyFrom(
                new byte[8192])).build().toByteArray();

        HttpResponse<byte[]> response = http.post(ECHO, WEB, frame(0, request), "grpc-accept-encoding", "gzip");

        assertThat(response.headers().firstValue("grpc-encoding")).hasValue("gzip");
        MessageFrames.Frame first = MessageFrames.split(response.body(), 1 << 20).get(0);
        assertThat(first.flags()).isEqualTo(1);
        assertThat(EchoResponse.parseFrom(Gzip.inflate(first.payload(), 1 << 20)).getBlob().size()).isEqualTo(8192);
    }

    // --- gRPC over HTTP/2 ---

    @Test
    void nativeGrpcEndsWithRealHttp2Trailers() throws Exception {
        Answer answer = h2c(ECHO, frame(0, HELLO));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.headers().get("content-type")).isEqualTo("application/grpc");
        assertThat(answer.headers().get("grpc-status")).isNull();
        assertThat(EchoResponse.parseFrom(MessageFrames.split(answer.body(), 1 << 20).get(0).payload()).getText())
                .isEqualTo("hi");
        assertThat(answer.trailers().get("grpc-status")).isEqualTo("0");
    }

    @Test
    void nativeGrpcStreamsCarryTheirErrorInTheTrailers() throws Exception {
        byte[] request = EchoRequest.newBuilder().setText("cut").setNumber(2).addTags("unavailable-after").build()
                .toByteArray();

        Answer answer = h2c(STREAM, frame(0, request));

        assertThat(MessageFrames.split(answer.body(), 1 << 20)).hasSize(2);
        assertThat(answer.trailers().get("grpc-status")).isEqualTo("14");
        assertThat(answer.trailers().get("grpc-message")).isEqualTo("the backend cut the stream");
    }

    static Stream<Arguments> hostileGrpcBodies() {
        byte[] lying = frame(0, HELLO);
        lying[4] = (byte) (lying[4] + 10);
        return Stream.of(
                Arguments.of("a length that says more than follows", lying, "3", "declares"),
                Arguments.of("a compressed flag without an encoding", frame(1, HELLO), "3", "flagged compressed"),
                Arguments.of("a frame over the size limit", frame(0, new byte[MAX_REQUEST + 1]), "8", "(expected: at most"),
                Arguments.of("a gzip bomb", frame(1, Gzip.compress(new byte[20 * MAX_REQUEST])), "8",
                        "inflates to more than"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileGrpcBodies")
    void hostileGrpcBodiesAreRefusedTrailersOnly(String name, byte[] body, String code, String message) {
        int callsBefore = backend.calls();

        Answer answer = h2c(ECHO, body, "grpc-encoding", name.contains("bomb") ? "gzip" : "identity");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.headers().get("grpc-status")).isEqualTo(code);
        assertThat(URLDecoder.decode(answer.headers().get("grpc-message"), StandardCharsets.UTF_8)).contains(message);
        assertThat(backend.calls()).isEqualTo(callsBefore);
    }

    @Test
    void grpcOverHttp11IsRefusedWithAClearMessage() {
        HttpResponse<byte[]> response = http.post(ECHO, "application/grpc", frame(0, HELLO));

        assertThat(response.statusCode()).isEqualTo(505);
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).contains("HTTP/2", "application/grpc-web");
    }

    @Test
    void clientStreamingMethodsAreNotServed() {
        Answer answer = h2c(COLLECT, frame(0, HELLO));

        assertThat(answer.headers().get("grpc-status")).isEqualTo("12");
        assertThat(URLDecoder.decode(answer.headers().get("grpc-message"), StandardCharsets.UTF_8))
                .contains("torii.test.v1.TestService.Collect is a client-streaming method");
    }

    @Test
    void hundredsOfStreamsOpenedAndResetAtOnceLeaveTheServerServing() throws Exception {
        ManagedChannel channel = NettyChannelBuilder.forAddress("localhost", port).usePlaintext().build();
        try {
            List<ClientCall<EchoRequest, EchoResponse>> calls = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                ClientCall<EchoRequest, EchoResponse> call = channel.newCall(TestServiceGrpc.getStreamMethod(),
                        io.grpc.CallOptions.DEFAULT);
                call.start(new ClientCall.Listener<>() {}, new Metadata());
                call.sendMessage(EchoRequest.newBuilder().setNumber(0).build());
                call.halfClose();
                call.request(1);
                calls.add(call);
                if (i % 2 == 0) {
                    // Half are reset at once, before the gateway has even routed them.
                    call.cancel("rapid reset", null);
                }
            }
            calls.forEach(call -> call.cancel("reset", null));

            // Netty may answer the flood with GOAWAY (ENHANCE_YOUR_CALM, past its limit of resets):
            // the abusive connection ends, the server serves the next client.
            EchoResponse next = echoOnANewConnection("still here");

            assertThat(next.getText()).isEqualTo("still here");
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aHugeHeaderBlockIsRefusedAndTheNextCallIsServed() throws Exception {
        // A conforming client keeps to the server's SETTINGS_MAX_HEADER_LIST_SIZE, so this one is
        // written by hand: the preface, SETTINGS, then HEADERS and CONTINUATION frames holding
        // 1 MiB of one header's value.
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            writeFrame(out, 0x4, 0, 0, new byte[0]);
            ByteArrayOutputStream block = new ByteArrayOutputStream();
            literal(block, ":method", "POST");
            literal(block, ":scheme", "http");
            literal(block, ":path", ECHO);
            literal(block, ":authority", "localhost");
            literal(block, "content-type", "application/grpc");
            literal(block, "x-huge", "x".repeat(1 << 20));
            byte[] headers = block.toByteArray();
            int chunk = 16_384;
            try {
                for (int at = 0; at < headers.length; at += chunk) {
                    int end = Math.min(headers.length, at + chunk);
                    int type = at == 0 ? 0x1 : 0x9;
                    writeFrame(out, type, end == headers.length ? 0x4 : 0, 1, java.util.Arrays.copyOfRange(headers, at, end));
                }
                out.flush();
            } catch (IOException closedOnUs) {
                // The server may close the connection before the block ends: that is a refusal too.
            }
            assertThat(refusal(socket.getInputStream())).isTrue();
        }

        assertThat(echoOnANewConnection("next").getText()).isEqualTo("next");
    }

    private EchoResponse echoOnANewConnection(String text) throws InterruptedException {
        ManagedChannel fresh = NettyChannelBuilder.forAddress("localhost", port).usePlaintext().build();
        try {
            return ClientCalls.blockingUnaryCall(fresh, TestServiceGrpc.getEchoMethod(),
                    io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                    EchoRequest.newBuilder().setText(text).build());
        } finally {
            fresh.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    // Reads frames until a GOAWAY, a RST_STREAM, a response HEADERS frame or the end of the connection.
    private static boolean refusal(InputStream in) throws IOException {
        byte[] head = new byte[9];
        while (true) {
            try {
                if (in.readNBytes(head, 0, 9) < 9) {
                    return true;
                }
            } catch (IOException reset) {
                return true;
            }
            int length = ((head[0] & 0xff) << 16) | ((head[1] & 0xff) << 8) | (head[2] & 0xff);
            int type = head[3] & 0xff;
            in.readNBytes(length);
            if (type == 0x7 || type == 0x3 || type == 0x1) {
                return true;
            }
        }
    }

    private static void writeFrame(OutputStream out, int type, int flags, int stream, byte[] payload) throws IOException {
        out.write(new byte[] {(byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
                (byte) type, (byte) flags, (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8),
                (byte) stream});
        out.write(payload);
    }

    // An HPACK literal header field without indexing, new name, no Huffman coding.
    private static void literal(ByteArrayOutputStream block, String name, String value) {
        block.write(0);
        hpackString(block, name.getBytes(StandardCharsets.US_ASCII));
        hpackString(block, value.getBytes(StandardCharsets.US_ASCII));
    }

    private static void hpackString(ByteArrayOutputStream block, byte[] bytes) {
        int length = bytes.length;
        if (length < 127) {
            block.write(length);
        } else {
            block.write(127);
            length -= 127;
            while (length >= 128) {
                block.write((length & 0x7f) | 0x80);
                length >>>= 7;
            }
            block.write(length);
        }
        block.writeBytes(bytes);
    }

    // --- helpers ---

    private record Answer(int status, HttpHeaders headers, byte[] body, HttpHeaders trailers) {}

    private Answer h2c(String path, byte[] body, String... headers) {
        return HttpClient.create().protocol(HttpProtocol.H2C)
                .headers(h -> {
                    h.set("content-type", "application/grpc");
                    h.set("te", "trailers");
                    for (int i = 0; i < headers.length; i += 2) {
                        h.set(headers[i], headers[i + 1]);
                    }
                })
                .post()
                .uri("http://localhost:" + port + path)
                .send(ByteBufFlux.fromInbound(Mono.just(body)))
                .responseSingle((response, content) -> content.asByteArray().defaultIfEmpty(new byte[0])
                        .flatMap(bytes -> response.trailerHeaders().defaultIfEmpty(EmptyHttpHeaders.INSTANCE)
                                .map(trailers -> new Answer(response.status().code(), response.responseHeaders(), bytes,
                                        trailers))))
                .block(Duration.ofSeconds(20));
    }

    private static Map<String, String> trailers(MessageFrames.Frame frame) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : new String(frame.payload(), StandardCharsets.ISO_8859_1).split("\r\n")) {
            int colon = line.indexOf(':');
            fields.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
        }
        return fields;
    }

    private static byte[] frame(int flags, byte[] payload) {
        return MessageFrames.frame(flags, payload);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
