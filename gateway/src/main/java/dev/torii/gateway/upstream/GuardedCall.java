package dev.torii.gateway.upstream;

import dev.torii.gateway.error.GatewayError;
import dev.torii.gateway.exchange.GatewayExchange;
import dev.torii.gateway.grpc.ServerStreamingCall;
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
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One attempt of an upstream call through the upstream's guards: its concurrency limit (refuses
 * at once when full), its circuit breaker (refuses at once while open, and learns from the
 * outcome), a client span carrying the trace to the upstream, and the upstream-call meter (the
 * warm-up's own registry for the gateway's warm-up calls).
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
            GatewayError refused = refusal(state, guard);
            if (refused != null) {
                return Mono.error(refused);
            }
            Attempt attempt = new Attempt(state, target, guard, headers);
            return UnaryCall.call(channels.channel(target), state.route().grpcMethod(), attempt.options(),
                            attempt.headers, request, state.received())
                    .doOnSuccess(response -> attempt.ended(null))
                    .doOnError(attempt::ended)
                    .doOnCancel(attempt::cancelled);
        });
    }

    /**
     * Makes one server-streaming attempt. It holds a place of the concurrency limit while the
     * stream is open; the meter and the breaker see the time to the first message (a stream's
     * length says nothing about the upstream's health).
     *
     * @param state the request's state; its upstream is set to {@code target}
     * @param target where the attempt goes
     * @param guard the target's guards
     * @param headers the forwarded metadata, shared by the attempts and left as it is
     * @param request the request message bytes
     * @return the messages as the client demands them, ending with an
     *     {@link UpstreamCallException} on a failure, or a {@link GatewayError} when a guard refused
     *     the attempt or the deadline had passed
     */
    public Flux<byte[]> serverStream(GatewayExchange state, UpstreamTarget target, UpstreamGuards.Guards guard,
            Metadata headers, byte[] request) {
        return Flux.defer(() -> {
            GatewayError refused = refusal(state, guard);
            if (refused != null) {
                return Flux.error(refused);
            }
            Attempt attempt = new Attempt(state, target, guard, headers);
            return ServerStreamingCall.call(channels.channel(target), state.route().grpcMethod(), attempt.options(),
                            attempt.headers, request, state.received())
                    .doOnNext(message -> attempt.answered())
                    .doOnComplete(() -> attempt.ended(null))
                    .doOnError(attempt::ended)
                    .doOnCancel(attempt::cancelled);
        });
    }

    // Why an attempt may not start: the deadline passed, or a guard is full or open.
    private static GatewayError refusal(GatewayExchange state, UpstreamGuards.Guards guard) {
        MethodRoute route = state.route();
        if (state.deadline().isExpired()) {
            return UpstreamErrors.deadlineExceeded(state);
        }
        if (!guard.bulkhead().tryAcquirePermission()) {
            return GatewayError.of(Status.Code.UNAVAILABLE, "upstream " + route.serviceName()
                    + " is at its limit of " + guard.maxConcurrentCalls() + " calls in flight; retry shortly")
                    .retryAfter(1);
        }
        CircuitBreaker breaker = guard.breaker();
        if (breaker != null && !breaker.tryAcquirePermission()) {
            guard.bulkhead().onComplete();
            long wait = Math.max(1, guard.settings().waitInOpenState().toSeconds());
            return GatewayError.of(Status.Code.UNAVAILABLE, "upstream " + route.serviceName()
                    + " is failing and its circuit is open; retry in " + wait + "s")
                    .retryAfter(wait);
        }
        return null;
    }

    // One admitted attempt: its span, its meter and what the breaker learns, recorded once.
    private final class Attempt {

        private final GatewayExchange state;
        private final UpstreamTarget target;
        private final UpstreamGuards.Guards guard;
        private final Metadata headers;
        private final Span span;
        private final long started = System.nanoTime();
        private long answeredAfter = -1;
        private boolean ended;

        Attempt(GatewayExchange state, UpstreamTarget target, UpstreamGuards.Guards guard, Metadata shared) {
            this.state = state;
            this.target = target;
            this.guard = guard;
            MethodRoute route = state.route();
            state.upstream(target);
            // The shared headers stay as built; each attempt carries its own span's context.
            this.headers = new Metadata();
            headers.merge(shared);
            this.span = tracing.startCall(state.span(), route.serviceName() + "/" + route.methodName(), headers);
            if (span != null) {
                span.remoteServiceName(route.serviceName());
                span.tag("rpc.system", "grpc");
                span.tag("server.address", target.target());
            }
        }

        CallOptions options() {
            return CallOptions.DEFAULT.withDeadline(state.deadline());
        }

        // The first message of a stream: what the meter and the breaker time.
        void answered() {
            if (answeredAfter < 0) {
                answeredAfter = System.nanoTime() - started;
            }
        }

        void ended(Throwable failure) {
            if (ended) {
                return;
            }
            ended = true;
            long elapsed = answeredAfter >= 0 ? answeredAfter : System.nanoTime() - started;
            metrics.of(state.warmUp()).upstreamCall(state.route().path(), target.target(),
                    failure == null ? Status.Code.OK : codeOf(failure), elapsed);
            GatewayTracing.end(span, failure);
            CircuitBreaker breaker = guard.breaker();
            if (breaker != null) {
                if (failure != null && upstreamFault(failure)) {
                    breaker.onError(elapsed, TimeUnit.NANOSECONDS, failure);
                } else {
                    breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
                }
            }
            guard.bulkhead().onComplete();
        }

        void cancelled() {
            if (ended) {
                return;
            }
            ended = true;
            metrics.of(state.warmUp()).upstreamCall(state.route().path(), target.target(), Status.Code.CANCELLED,
                    System.nanoTime() - started);
            GatewayTracing.end(span, null);
            CircuitBreaker breaker = guard.breaker();
            if (breaker != null) {
                if (answeredAfter >= 0) {
                    // A stream the client left after it had answered: the upstream did its part.
                    breaker.onSuccess(answeredAfter, TimeUnit.NANOSECONDS);
                } else {
                    breaker.releasePermission();
                }
            }
            guard.bulkhead().onComplete();
        }
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
