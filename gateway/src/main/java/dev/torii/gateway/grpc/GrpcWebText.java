package dev.torii.gateway.grpc;

import java.io.ByteArrayOutputStream;
import java.util.Base64;

/**
 * The body of {@code application/grpc-web-text}: frames in base64. A sender may encode each
 * frame on its own, so a body is one or more padded base64 segments one after another
 * ({@code AAAA==BBBB}); the last may be unpadded.
 */
public final class GrpcWebText {

    private GrpcWebText() {}

    /**
     * Decodes a body of concatenated base64 segments.
     *
     * @param text the body as sent
     * @return the bytes the segments encode, in order
     * @throws MalformedMessageException when a segment is not base64 or is cut short
     */
    public static byte[] decode(byte[] text) throws MalformedMessageException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length * 3 / 4 + 3);
        Base64.Decoder decoder = Base64.getDecoder();
        int start = 0;
        while (start < text.length) {
            int end = start;
            while (end < text.length && text[end] != '=') {
                end++;
            }
            while (end < text.length && text[end] == '=') {
                end++;
            }
            int length = end - start;
            // A base64 segment of 4n + 1 characters cannot be whole, padded or not.
            if (length % 4 == 1 || (end < text.length || text[end - 1] == '=') && length % 4 != 0) {
                throw new MalformedMessageException("grpc-web-text body: the base64 segment at character " + start
                        + " has " + length + " characters (expected: a multiple of 4 when padded)");
            }
            try {
                out.writeBytes(decoder.decode(java.util.Arrays.copyOfRange(text, start, end)));
            } catch (IllegalArgumentException e) {
                throw new MalformedMessageException("grpc-web-text body: not base64 at character " + start + " ("
                        + e.getMessage() + ")");
            }
            start = end;
        }
        return out.toByteArray();
    }

    /**
     * Encodes one frame as a padded base64 segment.
     *
     * @param frame the frame
     * @return its base64 text
     */
    public static byte[] encode(byte[] frame) {
        return Base64.getEncoder().encode(frame);
    }
}
