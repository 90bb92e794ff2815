package dev.torii.gateway.protocol;

import com.google.rpc.Status;
import dev.torii.gateway.error.GatewayError;
import dev.torii.gateway.error.GatewayErrors;
import dev.torii.gateway.exchange.GatewayExchange;
import dev.torii.gateway.exchange.RequestIds;
import dev.torii.gateway.exchange.WireProtocol;
import dev.torii.gateway.grpc.GrpcMessage;
import dev.torii.gateway.grpc.GrpcTimeout;
import dev.torii.gateway.grpc.JsonTranscoder;
import dev.torii.gateway.grpc.MalformedMessageException;
import dev.torii.gateway.grpc.ProtobufWireCheck;
import dev.torii.gateway.grpc.WireFormat;
import dev.torii.gateway.route.MethodRoute;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The gateway's first dialect: one protobuf ({@code application/x-protobuf},
 * {@code application/protobuf}) or proto3 JSON ({@code application/json}) message in the body of
 * {@code POST /package.Service/Method}, answered in the same format with 200, or with the mapped
 * HTTP status and a {@code google.rpc.Status} body (protobuf when the request was protobuf, JSON
 * otherwise, details preserved) plus {@code grpc-status}, {@code grpc-message} and
 * {@code x-request-id} headers. It takes every request no other protocol claims, so a request it
 * cannot read is refused in its plain envelope (415 for an unknown content type).
 */
public final class LegacyProtocol implements Protocol {

    private static final Logger log = LoggerFactory.getLogger(LegacyProtocol.class);
    private static final byte[] EMPTY = new byte[0];

    private final JsonTranscoder json;
    private final StatusJson statusJson;
    private final ProtobufWireCheck wireCheck = new ProtobufWireCheck();

    /**
     * Creates the protocol.
     *
     * @param json transcodes JSON bodies and answers
     * @param statusJson prints error statuses as JSON
     */
    public LegacyProtocol(JsonTranscoder json, StatusJson statusJson) {
        this.json = json;
        this.statusJson = statusJson;
    }

    @Override
    public WireProtocol id() {
        return WireProtocol.LEGACY;
    }

    @Override
    public boolean claims(ServerHttpRequest request) {
        return true;
    }

    @Override
    public long clientTimeoutNanos(ServerHttpRequest request) {
        String header = request.getHeaders().getFirst(GrpcTimeout.HEADER);
        if (header == null) {
            return -1;
        }
        try {
            return GrpcTimeout.parseNanos(header.trim());
        } catch (IllegalArgumentException e) {
            throw GatewayError.of(io.grpc.Status.Code.INVALID_ARGUMENT, e.getMessage());
        }
    }

    @Override
    public Mono<byte[]> readRequest(ServerWebExchange exchange, GatewayExchange state, int maxBytes) {
        HttpHeaders headers = exchange.getRequest().getHeaders();
        String contentType = headers.getFirst(HttpHeaders.CONTENT_TYPE);
        String mediaType = WireFormat.supportedMediaType(contentType);
        if (mediaType == null) {
            return Mono.error(GatewayErrors.unsupportedMediaType(contentType));
        }
        WireFormat format = WireFormat.of(mediaType);
        state.format(format, mediaType);
        if (headers.getContentLength() > maxBytes) {
            return Mono.error(GatewayErrors.payloadTooLarge(maxBytes));
        }
        MethodRoute route = state.route();
        return DataBufferUtils.join(exchange.getRequest().getBody(), maxBytes)
                .map(LegacyProtocol::drain)
                .defaultIfEmpty(EMPTY)
                .onErrorMap(DataBufferLimitException.class, e -> GatewayErrors.payloadTooLarge(maxBytes))
                .handle((body, sink) -> {
                    try {
                        if (format == WireFormat.JSON) {
                            sink.next(json.toProtobuf(body, route.protoMethod().getInputType()));
                        } else {
                            wireCheck.check(body, route.protoMethod().getInputType());
                            sink.next(body);
                        }
                    } catch (MalformedMessageException e) {
                        sink.error(GatewayError.of(io.grpc.Status.Code.INVALID_ARGUMENT, e.getMessage()));
                    }
                });
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

    @Override
    public Mono<Void> writeMessage(ServerWebExchange exchange, GatewayExchange state, byte[] message) {
        byte[] body;
        if (state.format() == WireFormat.JSON) {
            try {
                body = json.toJson(message, state.route().protoMethod().getOutputType());
            } catch (MalformedMessageException e) {
                return Mono.error(GatewayError.withHttpStatus(502, io.grpc.Status.Code.INTERNAL, e.getMessage()));
            }
        } else {
            body = message;
        }
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(HttpStatus.OK);
        HttpHeaders headers = response.getHeaders();
        headers.set(HttpHeaders.CONTENT_TYPE, state.mediaType());
        headers.setContentLength(body.length);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
    }

    @Override
    public Mono<Void> writeStream(ServerWebExchange exchange, GatewayExchange state, Flux<byte[]> messages) {
        return Mono.error(GatewayError.of(io.grpc.Status.Code.UNIMPLEMENTED, state.route().path()
                + " is a server-streaming method, which this protocol does not carry"));
    }

    @Override
    public Mono<Void> writeError(ServerWebExchange exchange, GatewayExchange state, GatewayError error) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            log.debug("response already committed; cannot report {}", error.getMessage());
            return Mono.empty();
        }
        WireFormat format = state.format();
        if (format == null) {
            format = WireFormat.forErrors(exchange.getRequest().getHeaders().getFirst(HttpHeaders.CONTENT_TYPE));
        }
        Status status = error.status();
        byte[] body;
        String contentType;
        String accept = exchange.getRequest().getHeaders().getFirst(HttpHeaders.ACCEPT);
        if (error.html() != null && format == WireFormat.JSON && accept != null && accept.contains("text/html")) {
            body = error.html().getBytes(StandardCharsets.UTF_8);
            contentType = "text/html;charset=utf-8";
        } else if (format == WireFormat.PROTOBUF) {
            body = status.toByteArray();
            String requested = WireFormat.supportedMediaType(
                    exchange.getRequest().getHeaders().getFirst(HttpHeaders.CONTENT_TYPE));
            contentType = requested != null ? requested : WireFormat.APPLICATION_X_PROTOBUF;
        } else {
            body = statusJson.print(status).getBytes(StandardCharsets.UTF_8);
            contentType = WireFormat.APPLICATION_JSON;
        }
        response.setStatusCode(HttpStatusCode.valueOf(error.httpStatus()));
        HttpHeaders headers = response.getHeaders();
        headers.set(HttpHeaders.CONTENT_TYPE, contentType);
        headers.setContentLength(body.length);
        headers.set("grpc-status", Integer.toString(status.getCode()));
        headers.set(GrpcMessage.HEADER, GrpcMessage.percentEncode(status.getMessage()));
        headers.set(HttpHeaders.CACHE_CONTROL, "no-store");
        headers.set(RequestIds.HEADER, state.requestId());
        for (Map.Entry<String, String> header : error.headers().entrySet()) {
            headers.set(header.getKey(), header.getValue());
        }
        return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
    }
}
