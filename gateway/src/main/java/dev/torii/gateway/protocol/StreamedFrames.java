package dev.torii.gateway.protocol;

import dev.torii.gateway.error.GatewayError;
import dev.torii.gateway.grpc.MessageFrames;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Splits a request body that streams length-prefixed frames into its messages as the bytes
 * arrive, for a request stream that stays open while its answer flows (a bidirectional call):
 * a message goes on as soon as its last byte is in, not when the body ends. A frame is held only
 * until it is complete, so at most one message's bytes are buffered; a frame that declares more
 * than the limit is refused before its payload is read.
 */
final class StreamedFrames {

    private final String encoding;
    private final String encodingHeader;
    private final String what;
    private final int maxBytes;
    private final byte[] prefix = new byte[MessageFrames.PREFIX_BYTES];
    private int prefixFilled;
    private byte[] payload;
    private int payloadFilled;
    private int frames;

    private StreamedFrames(String encoding, String encodingHeader, String what, int maxBytes) {
        this.encoding = encoding;
        this.encodingHeader = encodingHeader;
        this.what = what;
        this.maxBytes = maxBytes;
    }

    /**
     * Reads a body's messages one at a time, as its buffers are asked for.
     *
     * @param body the request body
     * @param encoding the message encoding the client named, possibly null
     * @param encodingHeader the header that names it, for errors
     * @param what names a frame in errors ("request frame")
     * @param maxBytes the size limit of one message, compressed and inflated
     * @return the messages; failing with INVALID_ARGUMENT for a body that ends inside a frame or a
     *     frame with unknown flags, and RESOURCE_EXHAUSTED for one over the limit
     */
    static Flux<byte[]> messages(Flux<DataBuffer> body, String encoding, String encodingHeader, String what,
            int maxBytes) {
        return Flux.defer(() -> {
            StreamedFrames reader = reader(encoding, encodingHeader, what, maxBytes);
            // Prefetch 1: the next buffer is read only when its messages are wanted, so the
            // client's HTTP/2 window, not the gateway's memory, holds what it sends ahead.
            return body.doOnDiscard(DataBuffer.class, DataBufferUtils::release)
                    .concatMapIterable(reader::feedBuffer, 1)
                    .concatWith(Mono.fromRunnable(reader::end));
        });
    }

    /**
     * Creates a reader that keeps the state of one body; {@link #messages} makes one per
     * subscription, tests use one directly.
     */
    static StreamedFrames reader(String encoding, String encodingHeader, String what, int maxBytes) {
        return new StreamedFrames(encoding, encodingHeader, what, maxBytes);
    }

    /**
     * Splits bytes as they arrive.
     *
     * @param bytes the next bytes of the body
     * @return the messages they complete, possibly none
     */
    List<byte[]> feed(byte[] bytes) {
        List<byte[]> messages = new ArrayList<>(1);
        int at = 0;
        while (at < bytes.length) {
            if (payload == null) {
                int take = Math.min(MessageFrames.PREFIX_BYTES - prefixFilled, bytes.length - at);
                System.arraycopy(bytes, at, prefix, prefixFilled, take);
                prefixFilled += take;
                at += take;
                if (prefixFilled < MessageFrames.PREFIX_BYTES) {
                    break;
                }
                long length = ((prefix[1] & 0xffL) << 24) | ((prefix[2] & 0xff) << 16) | ((prefix[3] & 0xff) << 8)
                        | (prefix[4] & 0xff);
                if (length > maxBytes) {
                    throw GatewayError.withHttpStatus(413, Status.Code.RESOURCE_EXHAUSTED, what + " " + frames
                            + " declares " + length + " bytes (expected: at most " + maxBytes + ")");
                }
                // Allocated once the prefix is in, at its exact size: each byte is copied once.
                payload = new byte[(int) length];
                payloadFilled = 0;
            }
            int take = Math.min(payload.length - payloadFilled, bytes.length - at);
            System.arraycopy(bytes, at, payload, payloadFilled, take);
            payloadFilled += take;
            at += take;
            if (payloadFilled == payload.length) {
                MessageFrames.Frame frame = new MessageFrames.Frame(prefix[0] & 0xff, payload);
                payload = null;
                prefixFilled = 0;
                messages.add(MessageCodec.payload(frame, encoding, encodingHeader, what + " " + frames, maxBytes));
                frames++;
            }
        }
        return messages;
    }

    /**
     * Checks that the body did not end inside a frame.
     *
     * @throws GatewayError INVALID_ARGUMENT when it did
     */
    void end() {
        if (payload != null || prefixFilled > 0) {
            String where = payload == null
                    ? prefixFilled + " bytes of its 5-byte prefix (expected: flags and a 4-byte length)"
                    : payloadFilled + " of the " + payload.length + " bytes its prefix declares (expected: all of"
                            + " them)";
            throw GatewayError.of(Status.Code.INVALID_ARGUMENT, "the request body ends inside " + what + " "
                    + frames + ", after " + where);
        }
    }

    private List<byte[]> feedBuffer(DataBuffer buffer) {
        try {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            return feed(bytes);
        } finally {
            DataBufferUtils.release(buffer);
        }
    }
}
