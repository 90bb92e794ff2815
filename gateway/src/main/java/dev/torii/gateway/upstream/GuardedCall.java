package dev.torii.gateway.upstream;

import dev.torii.gateway.error.GatewayError;
import dev.torii.gateway.exchange.GatewayExchange;
import dev.torii.gateway.grpc.UnaryCall;
import dev.torii.gateway.grpc.UpstreamCallException;
import dev.torii.gateway.observe.GatewayMetrics;
import dev.torii.gateway.observe.GatewayTracing;
import dev.torii.gateway.route.MethodRoute;
import dev.torii.gateway.route.UpstreamTarget;
import dev.torii.gateway.traffic.UpstreamGuards;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.grpc.CallOptions;
import io.grpc.Metadata;
import io.grpc.Status;
import io.micrometer.tracing.Span;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;

/**
 * One attempt of an upstream call through the upstream's guards: its concurrency limit (refuses
 * at once when full), its circuit breaker (refuses at once while open, and learns from the
 * outcome), a client span carrying the trace to the upstream, and the upstream-call meter.
 */
public final class GuardedCall {

    private final UpstreamChannels channels;
    private final GatewayMetrics metrics;
    private final GatewayTracing tracing;

    /**
     * Creates the call.
     *
     * @param channels the upstream channels
     * @param metrics records each attempt
     * @param tracing makes each attempt's client span and propagates the trace
     */
    public GuardedCall(UpstreamChannels channels, GatewayMetrics metrics, GatewayTracing tracing) {
        this.channels = channels;
        this.metrics = metrics;
        this.tracing = tracing;
    }

    /**
     * Makes one unary attempt.
     *
     * @param state the request's state; its upstream is set to {@code target}
     * @param target where the attempt goes
     * @param guard the target's guards
     * @param headers the forwarded metadata, shared by the attempts and left as it is
     * @param request the request message bytes
     * @return the answer bytes, an {@link UpstreamCallException}, or a {@link GatewayError} when a
     *     guard refused the attempt or the deadline had passed
     */
    public Mono<byte[]> unary(GatewayExchange state, UpstreamTarget target, UpstreamGuards.Guards guard,
            Metadata headers, byte[] request) {
        return Mono.defer(() -> {
            MethodRoute route = state.route();
            if (state.deadline().isExpired()) {
                return Mono.error(UpstreamErrors.deadlineExceeded(state));
            }
            if (!guard.bulkhead().tryAcquirePermission()) {
                return Mono.error(GatewayError.of(Status.Code.UNAVAILABLE, "upstream " + route.serviceName()
                        + " is at its limit of " + guard.maxConcurrentCalls() + " calls in flight; retry shortly")
                        .retryAfter(1));
            }
            CircuitBreaker breaker = guard.breaker();
            if (breaker != null && !breaker.tryAcquirePermission()) {
                guard.bulkhead().onComplete();
                long wait = Math.max(1, guard.settings().waitInOpenState().toSeconds());
                return Mono.error(GatewayError.of(Status.Code.UNAVAILABLE, "upstream " + route.serviceName()
                        + " is failing and its circuit is open; retry in " + wait + "s")
                        .retryAfter(wait));
            }
            state.upstream(target);
            // The shared headers stay as built; each attempt carries its own span's context.
            Metadata attemptHeaders = new Metadata();
            attemptHeaders.merge(headers);
            Span span = tracing.startCall(state.span(), route.serviceName() + "/" + route.methodName(), attemptHeaders);
            if (span != null) {
                span.remoteServiceName(route.serviceName());
                span.tag("rpc.system", "grpc");
                span.tag("server.address", target.target());
            }
            long started = System.nanoTime();
            return UnaryCall.call(channels.channel(target), route.grpcMethod(),
                            CallOptions.DEFAULT.withDeadline(state.deadline()), attemptHeaders, request)
                    .doOnSuccess(response -> {
                        long elapsed = System.nanoTime() - started;
                        metrics.upstreamCall(route.path(), target.target(), Status.Code.OK, elapsed);
                        GatewayTracing.end(span, null);
                        if (breaker != null) {
                            breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
                        }
                    })
                    .doOnError(failure -> {
                        long elapsed = System.nanoTime() - started;
                        metrics.upstreamCall(route.path(), target.target(), codeOf(failure), elapsed);
                        GatewayTracing.end(span, failure);
                        if (breaker != null) {
                            if (upstreamFault(failure)) {
                                breaker.onError(elapsed, TimeUnit.NANOSECONDS, failure);
                            } else {
                                breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
                            }
                        }
                    })
                    .doOnCancel(() -> {
                        metrics.upstreamCall(route.path(), target.target(), Status.Code.CANCELLED,
                                System.nanoTime() - started);
                        GatewayTracing.end(span, null);
                        if (breaker != null) {
                            breaker.releasePermission();
                        }
                    })
                    .doFinally(signal -> guard.bulkhead().onComplete());
        });
    }

    private static Status.Code codeOf(Throwable failure) {
        return failure instanceof UpstreamCallException call ? call.status().getCode() : Status.Code.UNKNOWN;
    }

    // Failures that say the upstream is in trouble, as opposed to answers about the request.
    private static boolean upstreamFault(Throwable failure) {
        if (!(failure instanceof UpstreamCallException call)) {
            return false;
        }
        return switch (call.status().getCode()) {
            case UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL, UNKNOWN, DATA_LOSS -> true;
            default -> false;
        };
    }
}
