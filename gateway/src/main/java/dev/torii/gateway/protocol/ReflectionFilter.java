package dev.torii.gateway.protocol;

import dev.torii.gateway.error.GatewayError;
import dev.torii.gateway.error.GatewayErrors;
import dev.torii.gateway.exchange.GatewayExchange;
import dev.torii.gateway.exchange.WireProtocol;
import dev.torii.gateway.grpc.GrpcTimeout;
import dev.torii.gateway.grpc.UpstreamCallException;
import io.grpc.CallOptions;
import io.grpc.Status;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.http.HttpMethod;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Answers gRPC server reflection ({@code grpc.reflection.v1.ServerReflection/ServerReflectionInfo}
 * and its {@code v1alpha} twin) itself, over native gRPC, when the gateway is set to: a
 * bidirectional stream whose requests are relayed to the {@link ReflectionServer} as their frames
 * complete and whose answers flow back meanwhile (grpcurl sends a request, waits for its answer,
 * then sends the next on the same stream). Every other path goes on to route matching.
 *
 * <p>When reflection is off, or the request speaks another protocol, the reflection paths are
 * answered UNIMPLEMENTED, as a gRPC server answers a service it does not have (grpcurl then says
 * the server does not support reflection, rather than showing a raw error). Reflection needs no
 * credential: the gateway-wide setting alone decides, and what it reveals is the schema of
 * methods anyone may already call.
 */
public final class ReflectionFilter implements GatewayFilter {

    private final GrpcProtocol grpc;
    private final Optional<ReflectionServer> server;
    private final int maxRequestBytes;
    private final Duration idleTimeout;

    /**
     * Creates the step.
     *
     * @param grpc reads the request stream and writes the answer in gRPC's form
     * @param server the reflection server; empty when reflection is off
     * @param maxRequestBytes the size limit of one request message
     * @param idleTimeout how long a stream may go without an answer before it ends with
     *     DEADLINE_EXCEEDED, as for server streams
     */
    public ReflectionFilter(GrpcProtocol grpc, Optional<ReflectionServer> server, int maxRequestBytes,
            Duration idleTimeout) {
        this.grpc = grpc;
        this.server = server;
        this.maxRequestBytes = maxRequestBytes;
        this.idleTimeout = idleTimeout;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        String path = exchange.getRequest().getPath().value();
        if (!ReflectionServer.serves(path)) {
            return chain.filter(exchange);
        }
        GatewayExchange state = GatewayExchange.of(exchange);
        String service = path.substring(1, path.lastIndexOf('/'));
        if (server.isEmpty()) {
            return Mono.error(GatewayError.of(Status.Code.UNIMPLEMENTED, service
                    + " is not served: server reflection is off (torii.gateway.reflection.enabled)"));
        }
        if (state.protocol() != WireProtocol.GRPC) {
            return Mono.error(GatewayError.of(Status.Code.UNIMPLEMENTED, service + " over " + state.protocol()
                    + " (expected: native gRPC, application/grpc over HTTP/2)"));
        }
        HttpMethod method = exchange.getRequest().getMethod();
        if (method != HttpMethod.POST) {
            return Mono.error(GatewayErrors.methodNotAllowed(method.name()));
        }
        CallOptions options = CallOptions.DEFAULT;
        long timeoutNanos = grpc.clientTimeoutNanos(exchange.getRequest());
        if (timeoutNanos >= 0) {
            options = options.withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS);
        }
        Flux<byte[]> answers = server.get()
                .call(path, grpc.readStream(exchange, state, maxRequestBytes), options, state.received())
                .timeout(idleTimeout)
                .onErrorMap(TimeoutException.class, idle -> GatewayError.of(Status.Code.DEADLINE_EXCEEDED,
                        service + " sent no message for " + GrpcTimeout.describe(idleTimeout.toNanos())
                                + " (the gateway's stream idle timeout)"))
                .onErrorMap(UpstreamCallException.class, failure -> GatewayError.of(failure.status().getCode(),
                        String.valueOf(failure.status().getDescription())));
        return grpc.writeStream(exchange, state, answers);
    }
}
