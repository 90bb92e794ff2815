package dev.torii.gateway.grpc;

import dev.torii.gateway.config.FilterOrder;
import dev.torii.gateway.error.ErrorEnvelopeWriter;
import dev.torii.gateway.error.GatewayError;
import dev.torii.gateway.route.MethodRoute;
import dev.torii.gateway.route.RouteMatchFilter;
import dev.torii.gateway.traffic.DeadlineFilter;
import dev.torii.gateway.web.RequestIdFilter;
import io.grpc.CallOptions;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Calls the upstream method as a gRPC unary call on the upstream's shared channel, with the
 * request's deadline and forwarded metadata, and writes the answer: the message bytes (or their
 * JSON) with 200, or the upstream's status, details included, as the error envelope.
 */
public final class UpstreamCallFilter implements GatewayFilter, Ordered {

    private static final Logger log = LoggerFactory.getLogger(UpstreamCallFilter.class);

    private final UpstreamChannels channels;
    private final ForwardedMetadata metadata;
    private final JsonTranscoder json;

    /**
     * Creates the filter.
     *
     * @param channels the upstream channels
     * @param metadata builds the forwarded metadata
     * @param json transcodes JSON answers
     */
    public UpstreamCallFilter(UpstreamChannels channels, ForwardedMetadata metadata, JsonTranscoder json) {
        this.channels = channels;
        this.metadata = metadata;
        this.json = json;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        MethodRoute route = exchange.getRequiredAttribute(RouteMatchFilter.ATTRIBUTE);
        byte[] request = exchange.getRequiredAttribute(RequestDecodeFilter.MESSAGE_ATTRIBUTE);
        Deadline deadline = exchange.getRequiredAttribute(DeadlineFilter.ATTRIBUTE);
        if (deadline.isExpired()) {
            return Mono.error(deadlineExceeded(exchange, route));
        }
        Metadata headers = metadata.build(exchange);
        CallOptions options = CallOptions.DEFAULT.withDeadline(deadline);
        return UnaryCall.call(channels.channel(route.upstream()), route.grpcMethod(), options, headers, request)
                .onErrorMap(UnaryCall.UpstreamCallException.class, e -> translate(exchange, route, deadline, e))
                .flatMap(response -> respond(exchange, route, response));
    }

    private Mono<Void> respond(ServerWebExchange exchange, MethodRoute route, byte[] message) {
        WireFormat format = exchange.getRequiredAttribute(ErrorEnvelopeWriter.WIRE_FORMAT_ATTRIBUTE);
        String mediaType = exchange.getRequiredAttribute(RequestDecodeFilter.MEDIA_TYPE_ATTRIBUTE);
        byte[] body = format == WireFormat.JSON ? json.toJson(message, route.protoMethod().getOutputType()) : message;
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(HttpStatus.OK);
        HttpHeaders headers = response.getHeaders();
        headers.set(HttpHeaders.CONTENT_TYPE, mediaType);
        headers.setContentLength(body.length);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
    }

    private GatewayError translate(ServerWebExchange exchange, MethodRoute route, Deadline deadline,
            UnaryCall.UpstreamCallException failure) {
        Status status = failure.status();
        switch (status.getCode()) {
            case DEADLINE_EXCEEDED:
                if (deadline.isExpired()) {
                    return deadlineExceeded(exchange, route);
                }
                break;
            case UNAVAILABLE:
                if (status.getCause() != null) {
                    // The transport's own failure (connection refused, reset, DNS): its text names
                    // internal addresses, so the client gets a plain message and the log the rest.
                    log.warn("upstream {} unavailable for {} (request id {}): {}", route.upstream(), route.path(),
                            RequestIdFilter.requestId(exchange), status);
                    return GatewayError.of(Status.Code.UNAVAILABLE, "upstream " + route.serviceName()
                            + " is unavailable; try again later");
                }
                break;
            case INTERNAL:
                if (unparsableRequest(status)) {
                    return GatewayError.of(Status.Code.INVALID_ARGUMENT, "upstream could not parse the request body"
                            + " (expected: an encoded " + route.protoMethod().getInputType().getFullName() + ")");
                }
                break;
            default:
                break;
        }
        return GatewayError.of(StatusProto.fromStatusAndTrailers(status, failure.trailers()));
    }

    // grpc-java and grpc-go answer INTERNAL when the request bytes do not parse; for the client
    // that is a bad request, not a server fault.
    private static boolean unparsableRequest(Status status) {
        String description = status.getDescription();
        return description != null && (description.equals("Invalid protobuf byte sequence")
                || description.startsWith("grpc: error unmarshalling request"));
    }

    private static GatewayError deadlineExceeded(ServerWebExchange exchange, MethodRoute route) {
        Long timeout = exchange.getAttribute(DeadlineFilter.TIMEOUT_NANOS_ATTRIBUTE);
        return GatewayError.of(Status.Code.DEADLINE_EXCEEDED, route.serviceName() + "/" + route.methodName()
                + " did not answer within " + (timeout == null ? "its deadline" : DeadlineFilter.describe(timeout)));
    }

    @Override
    public int getOrder() {
        return FilterOrder.UPSTREAM_CALL;
    }
}
