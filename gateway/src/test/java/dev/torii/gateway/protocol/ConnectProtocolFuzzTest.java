package dev.torii.gateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.torii.gateway.error.GatewayError;
import dev.torii.gateway.exchange.GatewayExchange;
import dev.torii.gateway.grpc.DescriptorRegistry;
import dev.torii.gateway.grpc.Gzip;
import dev.torii.gateway.grpc.JsonTranscoder;
import dev.torii.gateway.route.MethodRoute;
import dev.torii.gateway.test.v1.EchoRequest;
import io.grpc.Status.Code;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.springframework.http.HttpMethod;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

/**
 * Fuzzes what the Connect protocol reads from a client outside the body: the GET form's query
 * ({@code connect}, {@code encoding}, {@code message}, {@code base64}, {@code compression}), the
 * {@code Connect-Timeout-Ms} header, and the {@code Accept-Encoding}-style lists it and gRPC read
 * to choose compression. A query yields a message within the size limit that the backend parses,
 * or a {@link GatewayError} with INVALID_ARGUMENT, UNIMPLEMENTED (an unknown compression) or a 413
 * (too large, inflated or not); a message the form encodes in any of its ways reads back.
 */
class ConnectProtocolFuzzTest {

    private static final int MAX_BYTES = 256;
    private static final Set<Code> REFUSALS = Set.of(Code.INVALID_ARGUMENT, Code.UNIMPLEMENTED, Code.RESOURCE_EXHAUSTED);

    private static final DescriptorRegistry DESCRIPTORS = DescriptorRegistry.of(List.of(EchoRequest.getDescriptor().getFile()));
    private static final MethodRoute ECHO = new MethodRoute("/torii.test.v1.TestService/Echo",
            EchoRequest.getDescriptor().getFile().findServiceByName("TestService").findMethodByName("Echo"), null, null,
            java.util.Optional.empty(), Duration.ofSeconds(5), null, null, null, java.util.Optional.empty(), null, List.of(),
            dev.torii.gateway.httprule.JsonPrintOptions.DEFAULT);

    private final ConnectProtocol connect = new ConnectProtocol(new JsonTranscoder(DESCRIPTORS), DESCRIPTORS, 1024);

    @FuzzTest(maxDuration = "60s")
    @DictionaryEntries({"connect=v1", "&encoding=proto", "&encoding=json", "&message=", "&base64=1",
        "&compression=gzip", "&compression=identity", "%1f%8b%08", "%0a", "%7b%7d", "="})
    void getFormYieldsAMessageWithinTheLimitOrRefuses(byte[] query) {
        URI uri;
        try {
            uri = new URI("http://gateway" + ECHO.path() + "?" + new String(query, StandardCharsets.ISO_8859_1));
        } catch (java.net.URISyntaxException notAUri) {
            // The server refuses a request line that is not a URI before any protocol sees it.
            return;
        }
        byte[] message;
        try {
            message = readGet(uri);
        } catch (GatewayError refused) {
            Code code = io.grpc.Status.fromCodeValue(refused.status().getCode()).getCode();
            assertThat(code).as(refused.getMessage()).isIn(REFUSALS);
            assertThat(refused.httpStatus()).isEqualTo(code == Code.RESOURCE_EXHAUSTED ? 413
                    : code == Code.UNIMPLEMENTED ? 501 : 400);
            return;
        }
        assertThat(message.length).isLessThanOrEqualTo(MAX_BYTES);
        assertThat(parses(message)).as("the backend parses what the gateway forwards").isTrue();
    }

    @FuzzTest(maxDuration = "30s")
    void getFormReadsBackAMessageInEveryEncoding(byte[] data) throws Exception {
        // The first byte picks base64 (padded or not) and gzip; the rest is the message's blob.
        int form = data.length == 0 ? 0 : data[0] & 0xff;
        EchoRequest request = EchoRequest.newBuilder()
                .setBlob(ByteString.copyFrom(data, Math.min(1, data.length), Math.max(0, data.length - 1))).build();
        byte[] message = request.toByteArray();
        boolean gzip = (form & 1) != 0;
        byte[] sent = gzip ? Gzip.compress(message) : message;
        StringBuilder query = new StringBuilder("connect=v1&encoding=proto");
        if ((form & 2) != 0) {
            Base64.Encoder base64 = (form & 4) != 0 ? Base64.getUrlEncoder() : Base64.getUrlEncoder().withoutPadding();
            query.append("&base64=1&message=").append(percentEncoded(base64.encode(sent)));
        } else {
            query.append("&message=").append(percentEncoded(sent));
        }
        if (gzip) {
            query.append("&compression=gzip");
        }

        byte[] read;
        try {
            read = readGet(new URI("http://gateway" + ECHO.path() + "?" + query));
        } catch (GatewayError refused) {
            // Too large as sent, or inflated: a 413, never another refusal.
            assertThat(refused.httpStatus()).as(refused.getMessage()).isEqualTo(413);
            assertThat(message.length > MAX_BYTES || sent.length > MAX_BYTES).isTrue();
            return;
        }
        assertThat(read).isEqualTo(message);
    }

    @FuzzTest(maxDuration = "30s")
    void timeoutIsMillisecondsOrInvalidArgument(byte[] value) {
        // Header values reach the gateway as ISO-8859-1 characters.
        String header = new String(value, StandardCharsets.ISO_8859_1);
        MockServerHttpRequest request = MockServerHttpRequest.post(ECHO.path()).header(ConnectProtocol.TIMEOUT_MS, header)
                .build();
        long nanos;
        try {
            nanos = connect.clientTimeoutNanos(request);
        } catch (GatewayError refused) {
            assertThat(refused.status().getCode()).isEqualTo(Code.INVALID_ARGUMENT.value());
            assertThat(refused.getMessage()).startsWith(ConnectProtocol.TIMEOUT_MS + ": '");
            assertThat(header.trim()).doesNotMatch("[0-9]{1,10}");
            return;
        }
        // Connect: at most 10 ASCII digits of milliseconds (optional whitespace around, as HTTP allows).
        assertThat(header.trim()).matches("[0-9]{1,10}");
        assertThat(nanos).isEqualTo(Long.parseLong(header.trim()) * 1_000_000L).isNotNegative();
    }

    @FuzzTest(maxDuration = "30s")
    @DictionaryEntries({"gzip", "GZIP", ";q=", ";", ",", "0", "1", "0.5", "identity", "br", "*"})
    void acceptEncodingIsAYesOrANo(byte[] value) {
        String header = new String(value, StandardCharsets.ISO_8859_1);

        boolean gzip = ConnectProtocol.acceptsGzip(header);

        if (gzip) {
            assertThat(header).as("a list that takes gzip names it").containsIgnoringCase(Gzip.NAME);
        }
        // A list that names only gzip takes it, unless its weight is zero (q=0, in either case).
        if (header.trim().equalsIgnoreCase(Gzip.NAME)) {
            assertThat(gzip).isTrue();
        }
        if (header.trim().matches("(?i)gzip[ \t]*;[ \t]*q=0(\\.0{0,3})?")) {
            assertThat(gzip).as("gzip with weight 0").isFalse();
        }
    }

    private byte[] readGet(URI uri) {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.method(HttpMethod.GET, uri));
        GatewayExchange state = GatewayExchange.of(exchange);
        state.route(ECHO);
        return connect.readRequest(exchange, state, MAX_BYTES).block();
    }

    private static boolean parses(byte[] message) {
        try {
            EchoRequest.parseFrom(message);
            return true;
        } catch (InvalidProtocolBufferException e) {
            return false;
        }
    }

    private static String percentEncoded(byte[] bytes) {
        StringBuilder out = new StringBuilder(bytes.length * 3);
        for (byte b : bytes) {
            out.append('%').append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return out.toString();
    }
}
