package dev.torii.gateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.torii.gateway.error.GatewayError;
import dev.torii.gateway.grpc.Gzip;
import dev.torii.gateway.grpc.GrpcTrailers;
import dev.torii.gateway.grpc.MessageFrames;
import io.grpc.Status.Code;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import reactor.core.publisher.Flux;

/**
 * Fuzzes how gRPC, gRPC-Web and Connect streaming requests read their one message frame from a
 * body that arrives in buffers cut anywhere. The message does not depend on where the cuts fall;
 * it is at most the limit, inflated or not; and a body is refused only with a {@link GatewayError}:
 * INVALID_ARGUMENT for lengths that lie, unknown flags, a compressed flag without an encoding, or
 * gzip that is not; 413 RESOURCE_EXHAUSTED for a frame or an inflated message over the limit.
 */
class MessageCodecFuzzTest {

    private static final int MAX_BYTES = 64;
    private static final String[] ENCODINGS = {null, "identity", Gzip.NAME, " GZIP "};

    @FuzzTest(maxDuration = "60s")
    void readsOneFrameWhereverTheBuffersAreCut(byte[] data) {
        if (data.length < 2) {
            return;
        }
        // The first byte picks the encoding header, the second where the buffers are cut; the rest is the body.
        String encoding = ENCODINGS[(data[0] & 0xff) % ENCODINGS.length];
        int cut = 1 + (data[1] & 0xff) % 7;
        byte[] body = Arrays.copyOfRange(data, 2, data.length);

        String whole = outcome(() -> MessageCodec.onlyFrame(body, encoding, GrpcTrailers.ENCODING, "request frame",
                MAX_BYTES));
        String buffered = outcome(() -> MessageCodec.body(request(body, cut), MAX_BYTES + MessageFrames.PREFIX_BYTES)
                .map(joined -> MessageCodec.onlyFrame(joined, encoding, GrpcTrailers.ENCODING, "request frame", MAX_BYTES))
                .block());

        if (body.length > MAX_BYTES + MessageFrames.PREFIX_BYTES) {
            // Refused before it is all read, whatever its frames say.
            assertThat(buffered).startsWith("413 RESOURCE_EXHAUSTED");
        } else {
            assertThat(buffered).as("read from buffers of " + cut + " bytes").isEqualTo(whole);
        }
        boolean oneWholeFrame = body.length >= MessageFrames.PREFIX_BYTES
                && ((body[1] & 0xff) << 24 | (body[2] & 0xff) << 16 | (body[3] & 0xff) << 8 | (body[4] & 0xff))
                        == body.length - MessageFrames.PREFIX_BYTES
                && body.length - MessageFrames.PREFIX_BYTES <= MAX_BYTES;
        if (oneWholeFrame && body[0] == MessageCodec.COMPRESSED && (encoding == null || encoding.equals("identity"))) {
            assertThat(whole).startsWith("400 INVALID_ARGUMENT").contains(GrpcTrailers.ENCODING + " names no encoding");
        }
    }

    @FuzzTest(maxDuration = "30s")
    void inflatesACompressedFrameUpToTheLimit(byte[] data) {
        // The first byte stretches the message: a run of it compresses to little, as a bomb does.
        int repeat = data.length == 0 ? 1 : 1 + (data[0] & 0xff);
        byte[] message = new byte[data.length * repeat];
        for (int i = 0; i < repeat; i++) {
            System.arraycopy(data, 0, message, i * data.length, data.length);
        }
        byte[] compressed = Gzip.compress(message);
        byte[] body = MessageFrames.frame(MessageCodec.COMPRESSED, compressed);

        String read = outcome(() -> MessageCodec.onlyFrame(body, Gzip.NAME, GrpcTrailers.ENCODING, "request frame",
                MAX_BYTES));
        String withoutEncoding = outcome(() -> MessageCodec.onlyFrame(body, null, GrpcTrailers.ENCODING, "request frame",
                MAX_BYTES));

        if (message.length <= MAX_BYTES && compressed.length <= MAX_BYTES) {
            assertThat(read).isEqualTo(Arrays.toString(message));
        } else {
            assertThat(read).startsWith("413 RESOURCE_EXHAUSTED");
        }
        if (compressed.length <= MAX_BYTES) {
            assertThat(withoutEncoding).startsWith("400 INVALID_ARGUMENT").contains("flagged compressed");
        }
    }

    // The message's bytes, or the refusal's HTTP status, code and text; anything else fails the test.
    private static String outcome(java.util.function.Supplier<byte[]> read) {
        byte[] message;
        try {
            message = read.get();
        } catch (GatewayError refused) {
            Code code = io.grpc.Status.fromCodeValue(refused.status().getCode()).getCode();
            assertThat(code).as(refused.getMessage()).isIn(Code.INVALID_ARGUMENT, Code.RESOURCE_EXHAUSTED);
            assertThat(refused.httpStatus()).isEqualTo(code == Code.INVALID_ARGUMENT ? 400 : 413);
            return refused.httpStatus() + " " + code + ": " + refused.getMessage();
        }
        assertThat(message.length).as("the message, inflated").isLessThanOrEqualTo(MAX_BYTES);
        return Arrays.toString(message);
    }

    private static MockServerHttpRequest request(byte[] body, int cut) {
        List<DataBuffer> buffers = new ArrayList<>();
        for (int at = 0; at < body.length; at += cut) {
            buffers.add(DefaultDataBufferFactory.sharedInstance.wrap(Arrays.copyOfRange(body, at,
                    Math.min(body.length, at + cut))));
        }
        return MockServerHttpRequest.post("/torii.test.v1.TestService/Echo").body(Flux.fromIterable(buffers));
    }
}
