package dev.torii.gateway.grpc;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes length-prefixed message frames, the envelope that gRPC, gRPC-Web and Connect
 * streaming share: one flags byte, a 4-byte big-endian length, then that many bytes. What the
 * flags mean is the protocol's business; this class only checks that the lengths tell the truth.
 */
public final class MessageFrames {

    /** The size of a frame's prefix. */
    public static final int PREFIX_BYTES = 5;

    private MessageFrames() {}

    /**
     * One frame read from a body.
     *
     * @param flags the flags byte, 0 to 255
     * @param payload the frame's bytes, as sent (still compressed when a flag says so)
     */
    public record Frame(int flags, byte[] payload) {}

    /**
     * Thrown when a frame's declared length exceeds the limit; the client sent too much rather
     * than something malformed.
     */
    public static final class FrameTooLargeException extends Exception {

        private static final long serialVersionUID = 1L;

        FrameTooLargeException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Splits a whole body into frames.
     *
     * @param body the body
     * @param maxPayloadBytes the largest payload a frame may declare
     * @return the frames in order
     * @throws MalformedMessageException when the body ends inside a prefix or a payload (a length
     *     that lies)
     * @throws FrameTooLargeException when a frame declares more than {@code maxPayloadBytes}
     */
    public static List<Frame> split(byte[] body, int maxPayloadBytes) throws MalformedMessageException,
            FrameTooLargeException {
        List<Frame> frames = new ArrayList<>(2);
        int at = 0;
        while (at < body.length) {
            if (body.length - at < PREFIX_BYTES) {
                throw new MalformedMessageException("frame " + frames.size() + " at byte " + at + ": the body ends after "
                        + (body.length - at) + " bytes of its 5-byte prefix (expected: flags and a 4-byte length)");
            }
            int flags = body[at] & 0xff;
            long length = ((body[at + 1] & 0xffL) << 24) | ((body[at + 2] & 0xff) << 16) | ((body[at + 3] & 0xff) << 8)
                    | (body[at + 4] & 0xff);
            if (length > maxPayloadBytes) {
                throw new FrameTooLargeException("frame " + frames.size() + " declares " + length
                        + " bytes (expected: at most " + maxPayloadBytes + ")");
            }
            int start = at + PREFIX_BYTES;
            if (body.length - start < length) {
                throw new MalformedMessageException("frame " + frames.size() + " at byte " + at + " declares " + length
                        + " bytes but " + (body.length - start) + " follow (expected: the length to match)");
            }
            byte[] payload = new byte[(int) length];
            System.arraycopy(body, start, payload, 0, payload.length);
            frames.add(new Frame(flags, payload));
            at = start + payload.length;
        }
        return frames;
    }

    /**
     * Writes one frame.
     *
     * @param flags the flags byte
     * @param payload the payload
     * @return the prefix and the payload
     */
    public static byte[] frame(int flags, byte[] payload) {
        byte[] framed = new byte[PREFIX_BYTES + payload.length];
        framed[0] = (byte) flags;
        framed[1] = (byte) (payload.length >>> 24);
        framed[2] = (byte) (payload.length >>> 16);
        framed[3] = (byte) (payload.length >>> 8);
        framed[4] = (byte) payload.length;
        System.arraycopy(payload, 0, framed, PREFIX_BYTES, payload.length);
        return framed;
    }
}
