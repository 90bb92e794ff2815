package dev.torii.gateway.protocol;

import com.google.rpc.Status;
import dev.torii.gateway.error.GatewayError;
import dev.torii.gateway.error.GatewayErrors;
import dev.torii.gateway.exchange.GatewayExchange;
import dev.torii.gateway.exchange.WireProtocol;
import dev.torii.gateway.grpc.CallMetadata;
import dev.torii.gateway.grpc.GrpcTrailers;
import dev.torii.gateway.grpc.Gzip;
import dev.torii.gateway.grpc.MessageFrames;
import dev.torii.gateway.grpc.WireFormat;
import io.grpc.Status.Code;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The gRPC protocol itself (grpc/grpc {@code doc/PROTOCOL-HTTP2.md}), as grpc-java, grpc-kotlin,
 * grpc-go, grpcurl and connect-es's gRPC transport speak it, over HTTP/2 only: h2c (prior
 * knowledge) on the public port, or TLS with ALPN {@code h2} when the server has a certificate.
 *
 * <ul>
 *   <li>Requests: {@code application/grpc} or {@code application/grpc+proto}, one message frame
 *       ({@code grpc-encoding: gzip} for a frame flagged compressed), forwarded to the upstream
 *       as it is: the upstream parses it, so the gateway does not.</li>
 *   <li>Answers: 200, a data frame per message as it arrives (gzip-compressed when the client
 *       accepts it and the message is large enough), then HTTP/2 trailers with
 *       {@code grpc-status}, {@code grpc-message}, {@code grpc-status-details-bin} and the
 *       upstream's trailers.</li>
 *   <li>Errors before the first message, the gateway's own included: trailers-only (one HEADERS
 *       frame with HTTP 200 and the status fields).</li>
 *   <li>Client and bidirectional streaming are not served: route files refuse such methods. The
 *       one exception is server reflection, a bidirectional call the gateway answers itself
 *       ({@link ReflectionFilter}).</li>
 *   <li>A request over HTTP/1.1 is refused with 505 and a plain-text explanation: gRPC's
 *       trailers need HTTP/2 (browsers and HTTP/1.1 clients use gRPC-Web).</li>
 * </ul>
 */
public final class GrpcProtocol implements Protocol {

    private static final Logger log = LoggerFactory.getLogger(GrpcProtocol.class);

    private static final String GRPC = "application/grpc";
    private static final String GRPC_PROTO = "application/grpc+proto";
    private static final String HTTP_2 = "HTTP/2.0";

    private final int compressMinBytes;

    /**
     * Creates the protocol.
     *
     * @param compressMinBytes messages at least this large are compressed for clients that accept
     *     gzip; smaller ones cost more to compress than they save
     */
    public GrpcProtocol(int compressMinBytes) {
        this.compressMinBytes = compressMinBytes;
    }

    @Override
    public WireProtocol id() {
        return WireProtocol.GRPC;
    }

    @Override
    public boolean claims(ServerHttpRequest request) {
        String type = GrpcCodec.baseType(request.getHeaders().getFirst(HttpHeaders.CONTENT_TYPE));
        return type != null && (type.equals(GRPC) || type.startsWith(GRPC + "+"));
    }

    @Override
    public void admit(ServerHttpRequest request) {
        String version = httpVersion(request);
        if (!HTTP_2.equals(version)) {
            throw GatewayError.withHttpStatus(505, Code.UNIMPLEMENTED, GRPC + " over " + version
                    + " (expected: HTTP/2, as h2c with prior knowledge or TLS with ALPN h2; HTTP/1.1 clients and"
                    + " browsers use application/grpc-web)");
        }
    }

    private static String httpVersion(ServerHttpRequest request) {
        Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(request);
        return nativeRequest instanceof HttpServerRequest netty ? netty.protocol() : HTTP_2;
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
        if (!GRPC.equals(type) && !GRPC_PROTO.equals(type)) {
            return Mono.error(GatewayErrors.unsupportedMediaType(contentType, GRPC + " or " + GRPC_PROTO));
        }
        state.format(WireFormat.PROTOBUF, GRPC);
        String encoding;
        try {
            encoding = GrpcCodec.requestEncoding(request);
        } catch (GatewayError e) {
            return Mono.error(e);
        }
        return MessageCodec.body(request, maxBytes + MessageFrames.PREFIX_BYTES)
                .map(body -> MessageCodec.onlyFrame(body, encoding, GrpcTrailers.ENCODING, "request frame", maxBytes));
    }

    /**
     * Reads a request that streams messages (a bidirectional call served by the gateway itself):
     * each message as its frame completes, while the answer may already flow.
     *
     * @param exchange the request
     * @param state the request's state, whose format this sets
     * @param maxBytes the size limit of one message
     * @return the messages, failing in the gateway's error form for a bad content type, encoding
     *     or frame
     */
    Flux<byte[]> readStream(ServerWebExchange exchange, GatewayExchange state, int maxBytes) {
        ServerHttpRequest request = exchange.getRequest();
        String contentType = request.getHeaders().getFirst(HttpHeaders.CONTENT_TYPE);
        String type = GrpcCodec.baseType(contentType);
        if (!GRPC.equals(type) && !GRPC_PROTO.equals(type)) {
            return Flux.error(GatewayErrors.unsupportedMediaType(contentType, GRPC + " or " + GRPC_PROTO));
        }
        state.format(WireFormat.PROTOBUF, GRPC);
        String encoding;
        try {
            encoding = GrpcCodec.requestEncoding(request);
        } catch (GatewayError e) {
            return Flux.error(e);
        }
        return StreamedFrames.messages(request.getBody(), encoding, GrpcTrailers.ENCODING, "request frame", maxBytes);
    }

    @Override
    public Mono<Void> writeMessage(ServerWebExchange exchange, GatewayExchange state, byte[] message) {
        ServerHttpResponse response = exchange.getResponse();
        boolean compress = startAnswer(exchange, state);
        endWith(response, state, new AtomicReference<>(GrpcTrailers.ok()));
        state.outcome(Code.OK);
        return MessageCodec.answer(response, HttpStatus.OK, GRPC, MessageCodec.frame(message, compress,
                compressMinBytes));
    }

    @Override
    public Mono<Void> writeStream(ServerWebExchange exchange, GatewayExchange state, Flux<byte[]> messages) {
        ServerHttpResponse response = exchange.getResponse();
        AtomicReference<Status> end = new AtomicReference<>();
        endWith(response, state, end);
        boolean[] compress = {false};
        Flux<DataBuffer> frames = messages
                .map(message -> {
                    if (state.messagesSent() == 0) {
                        // Not committed yet: the upstream's headers are known, and go first.
                        compress[0] = startAnswer(exchange, state);
                    }
                    byte[] frame = MessageCodec.frame(message, compress[0], compressMinBytes);
                    state.messageSent();
                    return response.bufferFactory().wrap(frame);
                })
                .doOnComplete(() -> {
                    if (state.messagesSent() == 0) {
                        startAnswer(exchange, state);
                    }
                    state.outcome(Code.OK);
                    end.set(GrpcTrailers.ok());
                })
                .onErrorResume(failure -> {
                    if (state.messagesSent() == 0) {
                        // Nothing sent yet: a trailers-only answer, as for any error.
                        return Flux.error(failure);
                    }
                    GatewayError error = GatewayErrors.from(exchange, failure);
                    state.outcome(GrpcCodec.code(error));
                    end.set(error.status());
                    return Flux.empty();
                });
        return response.writeWith(frames);
    }

    // Sets the answer's status and headers; tells whether its messages are compressed.
    private static boolean startAnswer(ServerWebExchange exchange, GatewayExchange state) {
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(HttpStatus.OK);
        HttpHeaders headers = response.getHeaders();
        headers.set(HttpHeaders.CONTENT_TYPE, GRPC);
        CallMetadata.forEachRelayable(state.received().headers(), headers::add);
        boolean compress = GrpcCodec.acceptsGzip(exchange.getRequest());
        if (compress) {
            headers.set(GrpcTrailers.ENCODING, Gzip.NAME);
        }
        return compress;
    }

    // Ends the answer with HTTP/2 trailers carrying the status in `end` when the body is done
    // (Reactor Netty asks for them then); none while it is unset.
    private static void endWith(ServerHttpResponse response, GatewayExchange state, AtomicReference<Status> end) {
        Object nativeResponse = ServerHttpResponseDecorator.getNativeResponse(response);
        if (!(nativeResponse instanceof HttpServerResponse netty)) {
            throw new IllegalStateException("gRPC answers need Reactor Netty's server (found: "
                    + nativeResponse.getClass().getName() + ")");
        }
        netty.trailerHeaders(trailers -> {
            Status status = end.get();
            if (status == null) {
                return;
            }
            GrpcTrailers.forEach(status, state.received().trailers(), (name, value) -> {
                try {
                    trailers.add(name, value);
                } catch (IllegalArgumentException notATrailer) {
                    // HTTP forbids some names in trailers (retry-after, cache-control, …).
                    log.debug("upstream trailer {} cannot travel as an HTTP/2 trailer; dropped", name);
                }
            });
        });
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
        if (!HTTP_2.equals(httpVersion(exchange.getRequest()))) {
            // No gRPC client reads this; a person with curl does.
            return MessageCodec.answer(response, HttpStatusCode.valueOf(error.httpStatus()), "text/plain;charset=utf-8",
                    (error.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return MessageCodec.answer(response, HttpStatus.OK, GRPC, new byte[0]);
    }
}
