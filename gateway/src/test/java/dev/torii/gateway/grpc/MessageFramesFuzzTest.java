package dev.torii.gateway.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzzes the length-prefixed frame reader that gRPC, gRPC-Web and Connect streaming share. A body
 * either splits into frames that frame back to exactly its bytes, none over the limit, or is
 * refused: {@link MalformedMessageException} for a length that lies (whatever the limit), or
 * {@link MessageFrames.FrameTooLargeException} for a frame that declares more than the limit,
 * before anything that large is allocated. Nothing else comes out; and what the gateway frames
 * always splits back.
 */
class MessageFramesFuzzTest {

    private static final int LIMIT = 64;

    @FuzzTest(maxDuration = "60s")
    void splitsWithinTheLimitOrRefuses(byte[] body) {
        List<MessageFrames.Frame> frames;
        try {
            frames = MessageFrames.split(body, LIMIT);
        } catch (MalformedMessageException lie) {
            assertThat(lie.getMessage()).startsWith("frame ").contains("(expected: ");
            // A length that lies is a lie at any limit: no limit makes the body whole.
            assertThat(outcome(body, Integer.MAX_VALUE)).isEqualTo("malformed");
            return;
        } catch (MessageFrames.FrameTooLargeException tooLarge) {
            assertThat(tooLarge.getMessage()).startsWith("frame ").endsWith("(expected: at most " + LIMIT + ")");
            // Without the limit the same body holds a frame over it, or fails at or after that frame.
            String unlimited = outcome(body, Integer.MAX_VALUE);
            if (!unlimited.equals("malformed") && !unlimited.equals("too large")) {
                assertThat(unlimited).as("frames without the limit").endsWith("one over");
            }
            return;
        }
        ByteArrayOutputStream again = new ByteArrayOutputStream(body.length);
        for (MessageFrames.Frame frame : frames) {
            assertThat(frame.payload().length).isLessThanOrEqualTo(LIMIT);
            assertThat(frame.flags()).isBetween(0, 255);
            again.writeBytes(MessageFrames.frame(frame.flags(), frame.payload()));
        }
        assertThat(again.toByteArray()).as("the frames, framed again").isEqualTo(body);
        assertThat(outcome(body, Integer.MAX_VALUE)).isEqualTo(frames.size() + " frames, none over");
    }

    @FuzzTest(maxDuration = "30s")
    void whatTheGatewayFramesSplitsBack(byte[] data) throws Exception {
        // Each byte of the data picks the next frame's flags and length, the bytes after it are the payload.
        List<MessageFrames.Frame> written = new ArrayList<>();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int at = 0;
        while (at < data.length) {
            int flags = data[at] & 0xff;
            int length = Math.min(flags % 17, data.length - at - 1);
            byte[] payload = java.util.Arrays.copyOfRange(data, at + 1, at + 1 + length);
            written.add(new MessageFrames.Frame(flags, payload));
            body.writeBytes(MessageFrames.frame(flags, payload));
            at += 1 + length;
        }

        List<MessageFrames.Frame> read = MessageFrames.split(body.toByteArray(), 16);

        assertThat(read).hasSameSizeAs(written);
        for (int i = 0; i < read.size(); i++) {
            assertThat(read.get(i).flags()).isEqualTo(written.get(i).flags());
            assertThat(read.get(i).payload()).isEqualTo(written.get(i).payload());
        }
    }

    private static String outcome(byte[] body, int limit) {
        try {
            List<MessageFrames.Frame> frames = MessageFrames.split(body, limit);
            boolean over = frames.stream().anyMatch(frame -> frame.payload().length > LIMIT);
            return frames.size() + " frames, " + (over ? "one over" : "none over");
        } catch (MalformedMessageException e) {
            return "malformed";
        } catch (MessageFrames.FrameTooLargeException e) {
            return "too large";
        }
    }
}
