package dev.torii.gateway.protocol;

import dev.torii.gateway.grpc.JsonTranscoder;
import dev.torii.gateway.grpc.ProtobufWireCheck;
import dev.torii.gateway.grpc.WireFormat;
import dev.torii.gateway.config.FilterOrder;
import dev.torii.gateway.protocol.ErrorEnvelopeWriter;
import dev.torii.gateway.error.GatewayError;
import dev.torii.gateway.error.GatewayErrors;
import dev.torii.gateway.route.MethodRoute;
import dev.torii.gateway.edge.RouteMatchFilter;
import io.grpc.Status;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Reads the request body into the protobuf message the upstream expects: checks Content-Type
 * (415) and size (413, before reading when Content-Length tells), passes protobuf bytes through
 * after a cheap wire-format check, and transcodes JSON with the method's input type (400 when
 * malformed).
 */
public final class RequestDecodeFilter implements GatewayFilter, Ordered {

    /** Exchange attribute holding the request message as protobuf bytes. */
    public static final String MESSAGE_ATTRIBUTE = "torii.requestMessage";
    /** Exchange attribute holding the request's media type, echoed on the answer. */
    public static final String MEDIA_TYPE_ATTRIBUTE = "torii.mediaType";

    private static final byte[] EMPTY = new byte[0];

    private final JsonTranscoder json;
    private final int maxRequestBytes;

    /**
     * Creates the filter.
     *
     * @param json transcodes JSON bodies
     * @param maxRequestBytes the body size limit
     */
    public RequestDecodeFilter(JsonTranscoder json, int maxRequestBytes) {
        this.json = json;
        this.maxRequestBytes = maxRequestBytes;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        HttpHeaders headers = exchange.getRequest().getHeaders();
        String contentType = headers.getFirst(HttpHeaders.CONTENT_TYPE);
        String mediaType = WireFormat.supportedMediaType(contentType);
        if (mediaType == null) {
            return Mono.error(GatewayErrors.unsupportedMediaType(contentType));
        }
        WireFormat format = WireFormat.of(mediaType);
        exchange.getAttributes().put(ErrorEnvelopeWriter.WIRE_FORMAT_ATTRIBUTE, format);
        exchange.getAttributes().put(MEDIA_TYPE_ATTRIBUTE, mediaType);
        if (headers.getContentLength() > maxRequestBytes) {
            return Mono.error(GatewayErrors.payloadTooLarge(maxRequestBytes));
        }
        MethodRoute route = exchange.getRequiredAttribute(RouteMatchFilter.ATTRIBUTE);
        return DataBufferUtils.join(exchange.getRequest().getBody(), maxRequestBytes)
                .map(RequestDecodeFilter::drain)
                .defaultIfEmpty(EMPTY)
                .onErrorMap(DataBufferLimitException.class, e -> GatewayErrors.payloadTooLarge(maxRequestBytes))
                .flatMap(body -> {
                    byte[] message;
                    if (format == WireFormat.JSON) {
                        message = json.toProtobuf(body, route.protoMethod().getInputType());
                    } else if (ProtobufWireCheck.wellFormed(body)) {
                        message = body;
                    } else {
                        return Mono.error(GatewayError.of(Status.Code.INVALID_ARGUMENT, "request body is not"
                                + " well-formed protobuf (expected: an encoded "
                                + route.protoMethod().getInputType().getFullName() + ")"));
                    }
                    exchange.getAttributes().put(MESSAGE_ATTRIBUTE, message);
                    return chain.filter(exchange);
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
    public int getOrder() {
        return FilterOrder.DECODE;
    }
}
