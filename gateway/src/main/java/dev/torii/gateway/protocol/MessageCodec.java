package dev.torii.gateway.protocol;

import dev.torii.gateway.error.GatewayError;
import dev.torii.gateway.error.GatewayErrors;
import dev.torii.gateway.grpc.Gzip;
import dev.torii.gateway.grpc.JsonTranscoder;
import dev.torii.gateway.grpc.MalformedMessageException;
import dev.torii.gateway.grpc.MessageFrames;
import dev.torii.gateway.grpc.ProtobufWireCheck;
import dev.torii.gateway.grpc.WireFormat;
import com.google.protobuf.Descriptors.Descriptor;
import dev.torii.gateway.exchange.GatewayExchange;
import dev.torii.gateway.exchange.RequestIds;
import io.grpc.Status;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import reactor.core.publisher.Mono;

/**
 * What every protocol does with message bytes, whatever its envelope: reads a body within the
 * size limit, inflates a compressed body or message (the limit applies to the inflated size),
 * checks protobuf or transcodes JSON on the way in, and transcodes to JSON on the way out.
 */
final class MessageCodec {

    /** The flag of a length-prefixed frame whose payload is compressed (gRPC, gRPC-Web, Connect). */
    static final int COMPRESSED = 0x01;

    private static final byte[] EMPTY = new byte[0];

    private final JsonTranscoder json;
    private final ProtobufWireCheck wireCheck = new ProtobufWireCheck();

    MessageCodec(JsonTranscoder json) {
        this.json = json;
    }

    /**
     * Reads a whole request body, refusing one over the limit with 413 before reading it all.
     */
    static Mono<byte[]> body(ServerHttpRequest request, int maxBytes) {
        if (request.getHeaders().getContentLength() > maxBytes) {
            return Mono.error(GatewayErrors.payloadTooLarge(maxBytes));
        }
        return DataBufferUtils.join(request.getBody(), maxBytes)
                .map(MessageCodec::drain)
                .defaultIfEmpty(EMPTY)
                .onErrorMap(DataBufferLimitException.class, e -> GatewayErrors.payloadTooLarge(maxBytes));
    }

    /**
     * Reads a whole request body as its {@code Content-Encoding} says (gzip or none), the limit
     * applying to the inflated size; an encoding the gateway cannot inflate is a 415 that offers
     * gzip.
     */
    static Mono<byte[]> inflatedBody(ServerHttpRequest request, int maxBytes) {
        String encoding = request.getHeaders().getFirst(HttpHeaders.CONTENT_ENCODING);
        if (!knownEncoding(encoding)) {
            return Mono.error(GatewayError.withHttpStatus(415, io.grpc.Status.Code.INVALID_ARGUMENT,
                    "Content-Encoding: " + encoding + " (expected: gzip or identity)").header("Accept-Encoding", "gzip"));
        }
        return body(request, maxBytes).map(body -> decode(body, encoding, maxBytes, "the request body"));
    }

    private static byte[] drain(DataBuffer buffer) {
        try {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            return bytes;
        } finally {
            DataBufferUtils.release(buffer);
        }
    }

    /**
     * Writes a whole answer: its status, content type, length and body.
     */
    static Mono<Void> answer(ServerHttpResponse response, HttpStatusCode status, String contentType, byte[] body) {
        response.setStatusCode(status);
        HttpHeaders headers = response.getHeaders();
        headers.set(HttpHeaders.CONTENT_TYPE, contentType);
        headers.setContentLength(body.length);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
    }

    /**
     * Sets the headers every error answer carries, whatever its protocol: the request id, no
     * caching, and the error's own headers ({@code Retry-After}, {@code WWW-Authenticate}).
     */
    static void errorHeaders(HttpHeaders headers, GatewayExchange state, GatewayError error) {
        headers.set(RequestIds.HEADER, state.requestId());
        headers.set(HttpHeaders.CACHE_CONTROL, "no-store");
        for (Map.Entry<String, String> header : error.headers().entrySet()) {
            headers.set(header.getKey(), header.getValue());
        }
    }

    /**
     * Tells whether the gateway can inflate an encoding.
     *
     * @param encoding a content-coding name, possibly null (none)
     */
    static boolean knownEncoding(String encoding) {
        return encoding == null || encoding.isBlank() || encoding.trim().equalsIgnoreCase("identity")
                || encoding.trim().equalsIgnoreCase(Gzip.NAME);
    }

    /**
     * Undoes a content coding, which must be one {@link #knownEncoding} accepts.
     *
     * @param bytes the bytes as sent
     * @param encoding the coding, possibly null
     * @param maxBytes the size limit on the inflated bytes
     * @param what names the bytes in errors ("the request body", "the request message")
     */
    static byte[] decode(byte[] bytes, String encoding, int maxBytes, String what) {
        if (encoding == null || !encoding.trim().toLowerCase(Locale.ROOT).equals(Gzip.NAME)) {
            return bytes;
        }
        try {
            return Gzip.inflate(bytes, maxBytes);
        } catch (Gzip.InflatedTooLargeException e) {
            return throwTooLarge(maxBytes, what);
        } catch (MalformedMessageException e) {
            throw GatewayError.of(Status.Code.INVALID_ARGUMENT, what + ": " + e.getMessage());
        }
    }

    private static byte[] throwTooLarge(int maxBytes, String what) {
        throw GatewayError.withHttpStatus(413, Status.Code.RESOURCE_EXHAUSTED, what + " inflates to more than "
                + maxBytes + " bytes (expected: at most " + maxBytes + " bytes)");
    }

    /**
     * Reads the one message of a length-prefixed body (a Connect stream request, a gRPC or gRPC-Web
     * request): exactly one frame, flagged 0x00, or 0x01 when compressed with {@code encoding}.
     *
     * @param body the whole body
     * @param encoding the message encoding the client named, possibly null
     * @param encodingHeader the header that names it, for errors
     * @param what names a frame in errors ("request envelope", "request frame")
     * @param maxBytes the size limit of the message, compressed and inflated
     */
    static byte[] onlyFrame(byte[] body, String encoding, String encodingHeader, String what, int maxBytes) {
        List<MessageFrames.Frame> frames;
        try {
            frames = MessageFrames.split(body, maxBytes);
        } catch (MessageFrames.FrameTooLargeException e) {
            throw GatewayError.withHttpStatus(413, Status.Code.RESOURCE_EXHAUSTED, what + ": " + e.getMessage());
        } catch (MalformedMessageException e) {
            throw GatewayError.of(Status.Code.INVALID_ARGUMENT, what + ": " + e.getMessage());
        }
        if (frames.size() != 1) {
            throw GatewayError.of(Status.Code.INVALID_ARGUMENT, "request body holds " + frames.size() + " "
                    + (what.endsWith("envelope") ? "envelopes" : "frames")
                    + " (expected: exactly one message for a unary or server-streaming method)");
        }
        return payload(frames.get(0), encoding, encodingHeader, what, maxBytes);
    }

    /**
     * Reads the message of one length-prefixed frame: flagged 0x00, or 0x01 when compressed with
     * {@code encoding}, which is then undone.
     *
     * @param frame the frame
     * @param encoding the message encoding the client named, possibly null
     * @param encodingHeader the header that names it, for errors
     * @param what names a frame in errors ("request envelope", "request frame")
     * @param maxBytes the size limit of the inflated message
     */
    static byte[] payload(MessageFrames.Frame frame, String encoding, String encodingHeader, String what,
            int maxBytes) {
        if ((frame.flags() & ~COMPRESSED) != 0) {
            throw GatewayError.of(Status.Code.INVALID_ARGUMENT, String.format(Locale.ROOT,
                    "%s flags 0x%02x (expected: 0x00, or 0x01 for a compressed message)", what, frame.flags()));
        }
        if ((frame.flags() & COMPRESSED) == 0) {
            return frame.payload();
        }
        if (encoding == null || encoding.isBlank() || encoding.trim().equalsIgnoreCase("identity")) {
            throw GatewayError.of(Status.Code.INVALID_ARGUMENT, what + " is flagged compressed but "
                    + encodingHeader + " names no encoding (expected: " + encodingHeader + ": gzip)");
        }
        return decode(frame.payload(), encoding, maxBytes, "the request message");
    }

    /**
     * Writes one length-prefixed message frame, gzip-compressed (flag 0x01) when the client
     * accepts it and the message is at least {@code compressMinBytes} long.
     */
    static byte[] frame(byte[] message, boolean compress, int compressMinBytes) {
        if (compress && message.length >= compressMinBytes) {
            return MessageFrames.frame(COMPRESSED, Gzip.compress(message));
        }
        return MessageFrames.frame(0, message);
    }

    /**
     * Turns a client's message into protobuf bytes for the upstream: JSON is transcoded, protobuf
     * checked on the wire (and forwarded as it is).
     */
    byte[] toUpstream(byte[] message, WireFormat format, Descriptor type) {
        try {
            if (format == WireFormat.JSON) {
                return json.toProtobuf(message, type);
            }
            wireCheck.check(message, type);
            return message;
        } catch (MalformedMessageException e) {
            throw GatewayError.of(Status.Code.INVALID_ARGUMENT, e.getMessage());
        }
    }

    /**
     * Turns an upstream's message into the client's format.
     */
    byte[] toClient(byte[] message, WireFormat format, Descriptor type) {
        if (format != WireFormat.JSON) {
            return message;
        }
        try {
            return json.toJson(message, type);
        } catch (MalformedMessageException e) {
            throw GatewayError.withHttpStatus(502, Status.Code.INTERNAL, e.getMessage());
        }
    }
}
