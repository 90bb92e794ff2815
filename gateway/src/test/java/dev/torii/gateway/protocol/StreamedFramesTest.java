package dev.torii.gateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torii.gateway.error.GatewayError;
import dev.torii.gateway.grpc.Gzip;
import dev.torii.gateway.grpc.MessageFrames;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.core.publisher.Flux;

class StreamedFramesTest {

    static final int LIMIT = 16;

    @Test
    void aMessageGoesOnAsSoonAsItsLastByteIsIn() {
        StreamedFrames reader = reader(null);
        byte[] first = MessageFrames.frame(0, bytes("one"));
        byte[] second = MessageFrames.frame(0, bytes("two"));

        // Byte by byte: nothing until the frame's last byte, then exactly that message.
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < first.length; i++) {
            List<byte[]> out = reader.feed(new byte[] {first[i]});
            assertThat(out).as("after byte " + i).hasSize(i == first.length - 1 ? 1 : 0);
            out.forEach(m -> seen.add(text(m)));
        }
        reader.feed(Arrays.copyOf(second, 3)).forEach(m -> seen.add(text(m)));
        reader.feed(Arrays.copyOfRange(second, 3, second.length)).forEach(m -> seen.add(text(m)));
        reader.end();

        assertThat(seen).containsExactly("one", "two");
    }

    @Test
    void severalFramesInOneChunkAndAnEmptyMessage() {
        StreamedFrames reader = reader(null);
        byte[] chunk = concat(MessageFrames.frame(0, bytes("a")), MessageFrames.frame(0, new byte[0]),
                MessageFrames.frame(0, bytes("b")));

        assertThat(reader.feed(chunk)).extracting(StreamedFramesTest::text).containsExactly("a", "", "b");
        reader.end();
    }

    @Test
    void aCompressedFrameIsInflated() {
        byte[] frame = MessageFrames.frame(MessageCodec.COMPRESSED, Gzip.compress(bytes("zipped")));

        // The limit holds for the frame as sent too: gzip's header alone is 18 bytes.
        assertThat(StreamedFrames.reader("gzip", "grpc-encoding", "request frame", 64).feed(frame)).extracting(StreamedFramesTest::text).containsExactly("zipped");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "a body that ends inside a prefix | 0000 | 3 | the request body ends inside request frame 0, after 2 bytes of its 5-byte prefix",
        "a length that lies               | 0000000004616263 | 3 | the request body ends inside request frame 0, after 3 of the 4 bytes its prefix declares",
        "unknown flags                    | 0200000000 | 3 | request frame 0 flags 0x02 (expected: 0x00, or 0x01",
        "compressed without an encoding   | 0100000000 | 3 | request frame 0 is flagged compressed but grpc-encoding names no encoding",
        "a frame over the limit           | 0000000011 | 8 | request frame 0 declares 17 bytes (expected: at most 16)",
        "a second frame that lies         | 000000000000ffffffff | 8 | request frame 1 declares 4294967295 bytes",
    })
    void refusesWithTheRightCode(String name, String hex, int code, String message) {
        StreamedFrames reader = reader(null);

        assertThatThrownBy(() -> {
            reader.feed(HexFormat.of().parseHex(hex));
            reader.end();
        }).isInstanceOfSatisfying(GatewayError.class, e -> assertThat(e.status().getCode()).isEqualTo(code))
                .hasMessageStartingWith(message);
    }

    @Test
    void theFluxReadsBuffersAsTheyAreAskedForAndReportsATruncatedEnd() {
        DefaultDataBufferFactory buffers = DefaultDataBufferFactory.sharedInstance;
        byte[] whole = concat(MessageFrames.frame(0, bytes("x")), MessageFrames.frame(0, bytes("yz")));
        Flux<DataBuffer> body = Flux.just(Arrays.copyOf(whole, 4), Arrays.copyOfRange(whole, 4, whole.length))
                .map(buffers::wrap);

        assertThat(StreamedFrames.messages(body, null, "grpc-encoding", "request frame", LIMIT).map(StreamedFramesTest::text)
                .collectList().block()).containsExactly("x", "yz");
        Flux<DataBuffer> truncated = Flux.just(buffers.wrap(Arrays.copyOf(whole, whole.length - 1)));
        assertThatThrownBy(() -> StreamedFrames.messages(truncated, null, "grpc-encoding", "request frame", LIMIT)
                .blockLast()).isInstanceOf(GatewayError.class).hasMessageContaining("ends inside request frame 1");
    }

    static StreamedFrames reader(String encoding) {
        return StreamedFrames.reader(encoding, "grpc-encoding", "request frame", LIMIT);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        byte[] all = new byte[0];
        for (byte[] part : parts) {
            byte[] next = Arrays.copyOf(all, all.length + part.length);
            System.arraycopy(part, 0, next, all.length, part.length);
            all = next;
        }
        return all;
    }
}
