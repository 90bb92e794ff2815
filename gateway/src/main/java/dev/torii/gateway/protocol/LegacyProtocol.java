package dev.torii.gateway.protocol;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.rpc.Status;
import dev.torii.gateway.error.GatewayError;
import dev.torii.gateway.error.GatewayErrors;
import dev.torii.gateway.exchange.GatewayExchange;
import dev.torii.gateway.exchange.WireProtocol;
import dev.torii.gateway.grpc.GrpcMessage;
import dev.torii.gateway.grpc.JsonTranscoder;
import dev.torii.gateway.grpc.WireFormat;
import dev.torii.gateway.route.MethodRoute;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 * {@code x-request-id} headers. A server-streaming method answers NDJSON (see
 * {@link #writeStream}). A gzip body ({@code Content-Encoding: gzip}) is accepted, the size limit
 * applying to its inflated size. It takes every request no other protocol claims, so a request it
 * cannot read is refused in its plain envelope (415 for an unknown content type).
 */
public final class LegacyProtocol implements Protocol {

    private static final Logger log = LoggerFactory.getLogger(LegacyProtocol.class);
    /** The media type of streamed answers: newline-delimited JSON. */
    public static final String NDJSON = JsonStream.NDJSON;

    private final MessageCodec codec;
    private final StatusJson statusJson;

    /**
     * Creates the protocol.
     *
     * @param json transcodes JSON bodies and answers
     * @param statusJson prints error statuses as JSON
     */
    public LegacyProtocol(JsonTranscoder json, StatusJson statusJson) {
        this.codec = new MessageCodec(json);
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
        return GrpcCodec.timeoutNanos(request);
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
        MethodRoute route = state.route();
        if (route.serverStreaming() && format != WireFormat.JSON) {
            return Mono.error(GatewayErrors.unsupportedMediaType(contentType, "application/json: "
                    + route.methodName() + " streams, answered as " + NDJSON + "; for protobuf streams use the Connect"
                    + " protocol"));
        }
        state.format(format, route.serverStreaming() ? NDJSON : mediaType);
        return MessageCodec.inflatedBody(exchange.getRequest(), maxBytes)
                .map(body -> codec.toUpstream(body, format, route.protoMethod().getInputType()));
    }

    @Override
    public Mono<Void> writeMessage(ServerWebExchange exchange, GatewayExchange state, byte[] message) {
        byte[] body = codec.toClient(message, state.format(), state.route().protoMethod().getOutputType());
        return MessageCodec.answer(exchange.getResponse(), HttpStatus.OK, state.mediaType(), body);
    }

    /**
     * Answers a stream as NDJSON, grpc-gateway's form: one line {@code {"result":<message>}} per
     * message as it arrives, and a failure after the first message as a last line
     * {@code {"error":<google.rpc.Status>}} (a failure before it is answered as any error, with its
     * HTTP status). A stream that ends without an error line ended OK.
     */
    @Override
    public Mono<Void> writeStream(ServerWebExchange exchange, GatewayExchange state, Flux<byte[]> messages) {
        Descriptor output = state.route().protoMethod().getOutputType();
        return JsonStream.write(exchange, state, messages, message -> codec.toClient(message, WireFormat.JSON, output),
                statusJson, false);
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
        HttpHeaders headers = response.getHeaders();
        headers.set("grpc-status", Integer.toString(status.getCode()));
        headers.set(GrpcMessage.HEADER, GrpcMessage.percentEncode(status.getMessage()));
        MessageCodec.errorHeaders(headers, state, error);
        return MessageCodec.answer(response, HttpStatusCode.valueOf(error.httpStatus()), contentType, body);
    }
}
