package dev.torii.gateway.protocol;

import dev.torii.gateway.error.GatewayError;
import dev.torii.gateway.error.GatewayErrors;
import dev.torii.gateway.exchange.GatewayExchange;
import dev.torii.gateway.exchange.WireProtocol;
import dev.torii.gateway.grpc.CallMetadata;
import dev.torii.gateway.grpc.GrpcTrailers;
import dev.torii.gateway.grpc.GrpcWebText;
import dev.torii.gateway.grpc.Gzip;
import dev.torii.gateway.grpc.MalformedMessageException;
import dev.torii.gateway.grpc.MessageFrames;
import dev.torii.gateway.grpc.WireFormat;
import io.grpc.Status.Code;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The gRPC-Web protocol (grpc/grpc {@code doc/PROTOCOL-WEB.md}), as grpc-web and connect-es's
 * gRPC-Web transport speak it from browsers, over HTTP/1.1 or HTTP/2.
 *
 * <ul>
 *   <li>Requests: {@code application/grpc-web} or {@code application/grpc-web+proto} with one
 *       length-prefixed message frame ({@code grpc-encoding: gzip} for a frame flagged
 *       compressed), or {@code application/grpc-web-text[+proto]}, the same in base64 (one or
 *       more padded segments).</li>
 *   <li>Answers: 200, one data frame per message as it arrives (gzip-compressed when the client
 *       sent {@code grpc-accept-encoding: gzip} and the message is large enough), then the
 *       trailer frame (flag 0x80) with {@code grpc-status}, {@code grpc-message},
 *       {@code grpc-status-details-bin} and the upstream's trailers; in base64, frame by frame,
 *       when the request was text or its {@code Accept} asks for text.</li>
 *   <li>Errors before the first message, the gateway's own included (401, 403, 429, 503, 504,
 *       413, 415 elsewhere): a trailers-only answer, HTTP 200 with the status fields in the
 *       headers and no body, as Envoy's {@code grpc_web} filter answers; {@code Retry-After} and
 *       {@code WWW-Authenticate} as headers beside them.</li>
 *   <li>{@code grpc-timeout} shortens the route's timeout, never extends it.</li>
 * </ul>
 */
public final class GrpcWebProtocol implements Protocol {

    private static final Logger log = LoggerFactory.getLogger(GrpcWebProtocol.class);

    private static final String PREFIX = "application/grpc-web";
    private static final String BINARY = "application/grpc-web";
    private static final String BINARY_PROTO = "application/grpc-web+proto";
    private static final String TEXT = "application/grpc-web-text";
    private static final String TEXT_PROTO = "application/grpc-web-text+proto";
    private static final Set<String> TYPES = Set.of(BINARY, BINARY_PROTO, TEXT, TEXT_PROTO);

    private final MessageCodec codec;
    private final int compressMinBytes;

    /**
     * Creates the protocol.
     *
     * @param compressMinBytes messages at least this large are compressed for clients that accept
     *     gzip
     */
    public GrpcWebProtocol(int compressMinBytes) {
        // Protobuf only: the codec's JSON side is never asked.
        this.codec = new MessageCodec(null);
        this.compressMinBytes = compressMinBytes;
    }

    @Override
    public WireProtocol id() {
        return WireProtocol.GRPC_WEB;
    }

    @Override
    public boolean claims(ServerHttpRequest request) {
        String type = GrpcCodec.baseType(request.getHeaders().getFirst(HttpHeaders.CONTENT_TYPE));
        return type != null && type.startsWith(PREFIX);
    }

    @Override
    public long clientTimeoutNanos(ServerHttpRequest request) {
        return GrpcCodec.timeoutNanos(request);
    }

    @Override
    public Mono<byte[]> readRequest(ServerWebExchange exchange, GatewayExchange state, int maxBytes) {
        ServerHttpRequest request = exchange.getRequest();
        String contentType = request.getHeaders().getFirst(HttpHeaders.CONTENT_TYPE);
        String type = GrpcCodec.baseType(contentType);
        if (!TYPES.contains(type)) {
            return Mono.error(GatewayErrors.unsupportedMediaType(contentType, BINARY_PROTO + " or " + TEXT_PROTO));
        }
        boolean text = type.startsWith(TEXT);
        state.format(WireFormat.PROTOBUF, answerType(request));
        String encoding;
        try {
            encoding = GrpcCodec.requestEncoding(request);
        } catch (GatewayError e) {
            return Mono.error(e);
        }
        int framed = maxBytes + MessageFrames.PREFIX_BYTES;
        // Base64 spends 4 characters on 3 bytes, and a segment per frame may add 2 of padding.
        int limit = text ? (int) Math.min(Integer.MAX_VALUE - 8L, 4L * ((framed + 2L) / 3) + 4) : framed;
        return MessageCodec.body(request, limit).map(body -> {
            byte[] frames = text ? fromText(body) : body;
            byte[] message = MessageCodec.onlyFrame(frames, encoding, GrpcTrailers.ENCODING, "request frame", maxBytes);
            return codec.toUpstream(message, WireFormat.PROTOBUF, state.route().protoMethod().getInputType());
        });
    }

    private static byte[] fromText(byte[] body) {
        try {
            return GrpcWebText.decode(body);
        } catch (MalformedMessageException e) {
            throw GatewayError.of(Code.INVALID_ARGUMENT, e.getMessage());
        }
    }

    // The answer's media type: text when the request was text or its Accept asks for text, and
    // with +proto when the request named it.
    private static String answerType(ServerHttpRequest request) {
        String type = GrpcCodec.baseType(request.getHeaders().getFirst(HttpHeaders.CONTENT_TYPE));
        String accept = request.getHeaders().getFirst(HttpHeaders.ACCEPT);
        boolean text = type != null && type.startsWith(TEXT) || accept != null && accept.contains(TEXT);
        boolean proto = type != null && type.endsWith("+proto");
        return text ? (proto ? TEXT_PROTO : TEXT) : (proto ? BINARY_PROTO : BINARY);
    }

    @Override
    public Mono<Void> writeMessage(ServerWebExchange exchange, GatewayExchange state, byte[] message) {
        ServerHttpResponse response = exchange.getResponse();
        boolean text = state.mediaType().startsWith(TEXT);
        boolean compress = startAnswer(exchange, state);
        byte[] data = encoded(MessageCodec.frame(message, compress, compressMinBytes), text);
        byte[] end = encoded(GrpcTrailers.webTrailerFrame(GrpcTrailers.ok(), state.received().trailers()), text);
        byte[] body = new byte[data.length + end.length];
        System.arraycopy(data, 0, body, 0, data.length);
        System.arraycopy(end, 0, body, data.length, end.length);
        state.outcome(Code.OK);
        return MessageCodec.answer(response, HttpStatus.OK, state.mediaType(), body);
    }

    @Override
    public Mono<Void> writeStream(ServerWebExchange exchange, GatewayExchange state, Flux<byte[]> messages) {
        ServerHttpResponse response = exchange.getResponse();
        boolean text = state.mediaType().startsWith(TEXT);
        boolean[] compress = {false};
        Flux<DataBuffer> frames = messages
                .map(message -> {
                    if (state.messagesSent() == 0) {
                        // Not committed yet: the upstream's headers are known, and go first.
                        compress[0] = startAnswer(exchange, state);
                    }
                    byte[] frame = encoded(MessageCodec.frame(message, compress[0], compressMinBytes), text);
                    state.messageSent();
                    return response.bufferFactory().wrap(frame);
                })
                .concatWith(Mono.fromSupplier(() -> {
                    if (state.messagesSent() == 0) {
                        startAnswer(exchange, state);
                    }
                    state.outcome(Code.OK);
                    return response.bufferFactory().wrap(encoded(GrpcTrailers.webTrailerFrame(GrpcTrailers.ok(),
                            state.received().trailers()), text));
                }))
                .onErrorResume(failure -> {
                    if (state.messagesSent() == 0) {
                        // Nothing sent yet: a trailers-only answer, as for any error.
                        return Flux.error(failure);
                    }
                    GatewayError error = GatewayErrors.from(exchange, failure);
                    state.outcome(GrpcCodec.code(error));
                    return Mono.just(response.bufferFactory().wrap(encoded(GrpcTrailers.webTrailerFrame(error.status(),
                            state.received().trailers()), text)));
                });
        return response.writeWith(frames);
    }

    // Sets the answer's status and headers; tells whether its messages are compressed.
    private boolean startAnswer(ServerWebExchange exchange, GatewayExchange state) {
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(HttpStatus.OK);
        HttpHeaders headers = response.getHeaders();
        headers.set(HttpHeaders.CONTENT_TYPE, state.mediaType());
        CallMetadata.forEachRelayable(state.received().headers(), headers::add);
        boolean compress = GrpcCodec.acceptsGzip(exchange.getRequest());
        if (compress) {
            headers.set(GrpcTrailers.ENCODING, Gzip.NAME);
        }
        return compress;
    }

    private static byte[] encoded(byte[] frame, boolean text) {
        return text ? GrpcWebText.encode(frame) : frame;
    }

    @Override
    public Mono<Void> writeError(ServerWebExchange exchange, GatewayExchange state, GatewayError error) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            log.debug("response already committed; cannot report {}", error.getMessage());
            return Mono.empty();
        }
        HttpHeaders headers = response.getHeaders();
        GrpcCodec.trailersOnly(headers, state, error);
        String type = state.mediaType() != null ? state.mediaType() : answerType(exchange.getRequest());
        return MessageCodec.answer(response, HttpStatus.OK, type, new byte[0]);
    }
}
