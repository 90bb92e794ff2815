package dev.torii.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class EnvelopeReaderTest {

    @Test
    void readsTheSameEnvelopesWhereverTheChunksCutThem() {
        byte[] body = body(envelope(0, "first"), envelope(0, ""), envelope(2, "{\"error\":{}}"));
        for (int cut = 1; cut < body.length; cut++) {
            EnvelopeReader reader = new EnvelopeReader(100);
            List<String> read = new ArrayList<>();
            EnvelopeReader.Handler handler = (flags, payload) ->
                    read.add(flags + ":" + new String(payload, StandardCharsets.UTF_8));
            reader.read(Unpooled.wrappedBuffer(Arrays.copyOfRange(body, 0, cut)), handler);
            reader.read(Unpooled.wrappedBuffer(Arrays.copyOfRange(body, cut, body.length)), handler);

            assertThat(read).as("cut at byte %d", cut).containsExactly("0:first", "0:", "2:{\"error\":{}}");
            assertThat(reader.partial()).isFalse();
        }
    }

    @Test
    void tellsABodyCutInsideAnEnvelope() {
        EnvelopeReader reader = new EnvelopeReader(100);
        List<byte[]> read = new ArrayList<>();
        byte[] envelope = envelope(0, "offer");
        reader.read(Unpooled.wrappedBuffer(Arrays.copyOf(envelope, 3)), (flags, payload) -> read.add(payload));

        assertThat(read).isEmpty();
        assertThat(reader.partial()).isTrue();
    }

    @Test
    void refusesALengthOverTheLimitWithoutWaitingForItsBytes() {
        EnvelopeReader reader = new EnvelopeReader(4);

        assertThatThrownBy(() -> reader.read(Unpooled.wrappedBuffer(new byte[] {1, (byte) 0xff, 0, 0, 0}),
                (flags, payload) -> { }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("envelope of 4278190080 bytes, flags 0x01 (expected: at most 4 bytes)");
    }

    @Test
    void framesARequestAsConnectStreamsExpect() {
        assertThat(ConnectOfferStreams.envelope(new byte[] {7, 8})).containsExactly(0, 0, 0, 0, 2, 7, 8);
        assertThat(ConnectOfferStreams.envelope(new byte[0])).containsExactly(0, 0, 0, 0, 0);
    }

    private static byte[] envelope(int flags, String payload) {
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        byte[] envelope = ConnectOfferStreams.envelope(bytes);
        envelope[0] = (byte) flags;
        return envelope;
    }

    private static byte[] body(byte[]... envelopes) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] envelope : envelopes) {
            body.writeBytes(envelope);
        }
        return body.toByteArray();
    }
}
