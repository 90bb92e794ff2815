package dev.torii.gateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.torii.gateway.error.GatewayError;
import dev.torii.gateway.grpc.MalformedMessageException;
import dev.torii.gateway.grpc.MessageFrames;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes the reader of streamed request frames (a bidirectional call's body, read as it
 * arrives): however the bytes are cut into chunks, it yields the messages the whole body holds,
 * or refuses it with a {@link GatewayError} and nothing else; for frames without flags those
 * messages are what {@link MessageFrames#split} reads from the whole body.
 */
class StreamedFramesFuzzTest {

    private static final int LIMIT = 64;

    @FuzzTest(maxDuration = "60s")
    void chunksReadAsTheWholeBody(byte[] input) {
        if (input.length == 0) {
            return;
        }
        int chunk = 1 + (input[0] & 0x1f);
        byte[] body = Arrays.copyOfRange(input, 1, input.length);

        List<byte[]> chunked = read(body, chunk);
        List<byte[]> whole = read(body, Math.max(1, body.length));

        if (chunked == null || whole == null) {
            assertThat(chunked).as("refused whole and refused in chunks alike").isEqualTo(whole);
            return;
        }
        assertThat(chunked).containsExactlyElementsOf(whole);
        List<MessageFrames.Frame> frames;
        try {
            frames = MessageFrames.split(body, LIMIT);
        } catch (MalformedMessageException | MessageFrames.FrameTooLargeException e) {
            throw new AssertionError("read by the streamed reader but refused by MessageFrames: " + e.getMessage());
        }
        assertThat(frames).hasSameSizeAs(whole);
        for (int i = 0; i < frames.size(); i++) {
            assertThat(frames.get(i).flags()).isZero();
            assertThat(whole.get(i)).isEqualTo(frames.get(i).payload());
        }
    }

    // The messages of a body fed in chunks of this size, or null when it is refused.
    private static List<byte[]> read(byte[] body, int chunk) {
        StreamedFrames reader = StreamedFramesTest.reader(null);
        List<byte[]> messages = new ArrayList<>();
        try {
            for (int at = 0; at < body.length; at += chunk) {
                messages.addAll(reader.feed(Arrays.copyOfRange(body, at, Math.min(body.length, at + chunk))));
            }
            reader.end();
        } catch (GatewayError refused) {
            return null;
        }
        return messages;
    }
}
