package dev.torii.gateway.protocol;

import dev.torii.gateway.error.GatewayError;
import dev.torii.gateway.error.GatewayErrors;
import dev.torii.gateway.grpc.Gzip;
import dev.torii.gateway.grpc.JsonTranscoder;
import dev.torii.gateway.grpc.MalformedMessageException;
import dev.torii.gateway.grpc.ProtobufWireCheck;
import dev.torii.gateway.grpc.WireFormat;
import com.google.protobuf.Descriptors.Descriptor;
import dev.torii.gateway.exchange.GatewayExchange;
import dev.torii.gateway.exchange.RequestIds;
import io.grpc.Status;
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
