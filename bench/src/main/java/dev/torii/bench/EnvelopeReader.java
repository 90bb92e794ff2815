package dev.torii.bench;

import io.netty.buffer.ByteBuf;
import java.util.Locale;

/**
 * Splits a stream body into the envelopes Connect streams and gRPC share: a flags byte, a
 * four-byte big-endian length, then that many bytes. The body arrives in chunks that cut
 * envelopes anywhere, so the reader keeps a partial envelope between chunks.
 */
final class EnvelopeReader {

    private static final int PREFIX_BYTES = 5;

    private final int maxPayloadBytes;
    private final byte[] prefix = new byte[PREFIX_BYTES];
    private int prefixRead;
    private byte[] payload;
    private int payloadRead;

    /**
     * Hears each whole envelope.
     */
    interface Handler {

        /**
         * Takes one envelope.
         *
         * @param flags the flags byte, 0 to 255
         * @param payload the envelope's bytes, owned by the handler
         */
        void envelope(int flags, byte[] payload);
    }

    /**
     * Creates a reader.
     *
     * @param maxPayloadBytes the largest payload taken; a larger length fails the read
     */
    EnvelopeReader(int maxPayloadBytes) {
        this.maxPayloadBytes = maxPayloadBytes;
    }

    /**
     * Reads every byte of {@code chunk}, handing each envelope it completes to {@code handler}.
     *
     * @param chunk the next part of the body; read to its end
     * @param handler takes the envelopes, in order
     * @throws IllegalStateException if an envelope's length is over the limit
     */
    void read(ByteBuf chunk, Handler handler) {
        while (chunk.isReadable()) {
            if (payload == null) {
                int n = Math.min(PREFIX_BYTES - prefixRead, chunk.readableBytes());
                chunk.readBytes(prefix, prefixRead, n);
                prefixRead += n;
                if (prefixRead < PREFIX_BYTES) {
                    return;
                }
                long length = (prefix[1] & 0xffL) << 24 | (prefix[2] & 0xff) << 16 | (prefix[3] & 0xff) << 8
                        | prefix[4] & 0xff;
                if (length > maxPayloadBytes) {
                    throw new IllegalStateException(String.format(Locale.ROOT,
                            "envelope of %d bytes, flags 0x%02x (expected: at most %d bytes)", length,
                            prefix[0] & 0xff, maxPayloadBytes));
                }
                payload = new byte[(int) length];
                payloadRead = 0;
            }
            int n = Math.min(payload.length - payloadRead, chunk.readableBytes());
            chunk.readBytes(payload, payloadRead, n);
            payloadRead += n;
            if (payloadRead == payload.length) {
                byte[] whole = payload;
                payload = null;
                prefixRead = 0;
                handler.envelope(prefix[0] & 0xff, whole);
            }
        }
    }

    /**
     * Tells whether the body so far ends inside an envelope, as a body cut short does.
     *
     * @return true when part of an envelope is waiting for the rest
     */
    boolean partial() {
        return prefixRead > 0;
    }
}
