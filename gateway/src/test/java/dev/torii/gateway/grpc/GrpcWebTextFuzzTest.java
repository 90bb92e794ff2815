package dev.torii.gateway.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Base64;

/**
 * Fuzzes the {@code application/grpc-web-text} body decoder: a body decodes to what its padded
 * segments encode, or is refused with a {@link MalformedMessageException} naming base64, nothing
 * else; and what the gateway encodes, frame by frame, always decodes back.
 */
class GrpcWebTextFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void decodesSegmentsOrRefuses(byte[] text) {
        byte[] decoded;
        try {
            decoded = GrpcWebText.decode(text);
        } catch (MalformedMessageException refused) {
            assertThat(refused.getMessage()).startsWith("grpc-web-text body: ").contains("base64");
            return;
        }
        assertThat(decoded.length).isLessThanOrEqualTo(text.length * 3 / 4 + 2);
        // Re-encoded segment by segment it is the same bytes again.
        byte[] again = GrpcWebText.encode(decoded);
        assertThat(Base64.getDecoder().decode(again)).isEqualTo(decoded);
    }

    @FuzzTest(maxDuration = "30s")
    void whatTheGatewayEncodesDecodesBack(byte[] frames) throws MalformedMessageException {
        // Two frames, each its own padded segment, as the gateway writes them.
        byte[] first = java.util.Arrays.copyOf(frames, frames.length / 2);
        byte[] second = java.util.Arrays.copyOfRange(frames, frames.length / 2, frames.length);
        byte[] a = GrpcWebText.encode(first);
        byte[] b = GrpcWebText.encode(second);
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        byte[] expected = new byte[first.length + second.length];
        System.arraycopy(first, 0, expected, 0, first.length);
        System.arraycopy(second, 0, expected, first.length, second.length);

        assertThat(GrpcWebText.decode(both)).isEqualTo(expected);
    }
}
