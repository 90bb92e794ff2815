package dev.torii.gateway.upstream;

import dev.torii.gateway.exchange.GatewayExchange;
import dev.torii.gateway.grpc.UpstreamCallException;
import dev.torii.gateway.protocol.Protocol;
import dev.torii.gateway.protocol.Protocols;
import dev.torii.gateway.route.MethodRoute;
import dev.torii.gateway.route.UpstreamTarget;
import dev.torii.gateway.traffic.RetryPolicy;
import dev.torii.gateway.traffic.UpstreamGuards;
import dev.torii.gateway.error.GatewayError;
import dev.torii.gateway.grpc.GrpcTimeout;
import io.grpc.Metadata;
import io.grpc.Status;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The last step: reads the request message through the request's protocol, calls the upstream
 * (its local or remote target, through its guards, with retries the route allows and the retry
 * budget affords, failing over from a local target that went away) and writes the answer
 * through the protocol.
 */
public final class UpstreamCallFilter implements GatewayFilter {

    private static final Logger log = LoggerFactory.getLogger(UpstreamCallFilter.class);

    private final Protocols protocols;
    private final int maxRequestBytes;
    private final ForwardedMetadata metadata;
    private final GuardedCall call;
    private final UpstreamGuards guards;
    private final LocalUpstreamSelector selector;
    private final UnreachableUpstreams unreachable;
    private final Duration streamIdleTimeout;

    /**
     * Creates the step.
     *
     * @param protocols read requests and write answers
     * @param maxRequestBytes the request size limit
     * @param metadata builds the forwarded metadata
     * @param call makes one guarded attempt
     * @param guards each upstream's circuit breaker, concurrency limit and retry budget
     * @param selector picks a route's local or remote target, and fails over between them
     * @param unreachable explains an unreachable upstream (in detail in local development)
     * @param streamIdleTimeout how long a stream may go without a message
     */
    public UpstreamCallFilter(Protocols protocols, int maxRequestBytes, ForwardedMetadata metadata, GuardedCall call,
            UpstreamGuards guards, LocalUpstreamSelector selector, UnreachableUpstreams unreachable,
            Duration streamIdleTimeout) {
        this.protocols = protocols;
        this.maxRequestBytes = maxRequestBytes;
        this.metadata = metadata;
        this.call = call;
        this.guards = guards;
        this.selector = selector;
        this.unreachable = unreachable;
        this.streamIdleTimeout = streamIdleTimeout;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        GatewayExchange state = GatewayExchange.of(exchange);
        Protocol protocol = protocols.of(state);
        return protocol.readRequest(exchange, state, maxRequestBytes).flatMap(request -> {
            MethodRoute route = state.route();
            UpstreamTarget target = selector.select(route);
            UpstreamGuards.Guards guard = guards.of(target, route.traffic());
            guard.retryBudget().deposit(System.nanoTime());
            Call plan = new Call(exchange, state, metadata.build(exchange, state), request);
            if (route.serverStreaming()) {
                return protocol.writeStream(exchange, state, stream(plan, target, guard));
            }
            return attempt(plan, target, guard, 1).flatMap(answer -> protocol.writeMessage(exchange, state, answer));
        });
    }

    // A stream's messages for the protocol: retried like a unary call until the first message
    // (never after: the client has seen part of the answer), ended by the idle limit, and failing
    // with the client's error rather than the upstream's raw status.
    private Flux<byte[]> stream(Call plan, UpstreamTarget target, UpstreamGuards.Guards guard) {
        GatewayExchange state = plan.state();
        return IdleLimit.apply(streamAttempt(plan, target, guard, 1), streamIdleTimeout, Schedulers.parallel(), System::nanoTime,
                        () -> GatewayError.of(Status.Code.DEADLINE_EXCEEDED, state.route().serviceName() + "/"
                                + state.route().methodName() + " sent no message for "
                                + GrpcTimeout.describe(streamIdleTimeout.toNanos())
                                + " (the gateway's stream idle timeout)"))
                .onErrorMap(UpstreamCallException.class, failure -> UpstreamErrors.translate(state, failure));
    }

    private Flux<byte[]> streamAttempt(Call plan, UpstreamTarget target, UpstreamGuards.Guards guard, int attempt) {
        boolean[] delivered = {false};
        return call.serverStream(plan.state(), target, guard, plan.headers(), plan.request())
                .doOnNext(message -> delivered[0] = true)
                .onErrorResume(UpstreamCallException.class, failure -> delivered[0] ? Flux.error(failure)
                        : retryOrFail(plan, target, guard, attempt, failure,
                                (next, nextGuard, nextAttempt) -> streamAttempt(plan, next, nextGuard, nextAttempt))
                                .flatMapMany(Function.identity()));
    }

    // What every attempt of one request shares.
    private record Call(ServerWebExchange exchange, GatewayExchange state, Metadata headers, byte[] request) {}

    private Mono<byte[]> attempt(Call plan, UpstreamTarget target, UpstreamGuards.Guards guard, int attempt) {
        return call.unary(plan.state(), target, guard, plan.headers(), plan.request())
                .onErrorResume(UpstreamCallException.class, failure -> retryOrFail(plan, target, guard, attempt, failure,
                        (next, nextGuard, nextAttempt) -> attempt(plan, next, nextGuard, nextAttempt)).flatMap(Function.identity()));
    }

    // Makes the next attempt of a call, unary or streaming.
    @FunctionalInterface
    private interface NextAttempt<T> {
        T start(UpstreamTarget target, UpstreamGuards.Guards guard, int attempt);
    }

    // Retries when the policy and the budget allow, fails over from a local target that went
    // away, and otherwise answers with the translated status.
    private <T> Mono<T> retryOrFail(Call plan, UpstreamTarget target, UpstreamGuards.Guards guard, int attempt,
            UpstreamCallException failure, NextAttempt<T> next) {
        GatewayExchange state = plan.state();
        MethodRoute route = state.route();
        long delay = RetryPolicy.delayMillis(route.traffic(), failure.status().getCode(), !failure.unreachable(),
                attempt, state.deadline().timeRemaining(TimeUnit.MILLISECONDS),
                ceiling -> ThreadLocalRandom.current().nextLong(ceiling + 1));
        if (delay != RetryPolicy.NO_RETRY && !guard.retryBudget().tryWithdraw(System.nanoTime())) {
            log.debug("retry budget of {} exhausted; not retrying {}", target, route.path());
            delay = RetryPolicy.NO_RETRY;
        }
        if (delay != RetryPolicy.NO_RETRY) {
            log.debug("retrying {} (attempt {} after {} ms, request id {}): {}", route.path(), attempt + 1, delay,
                    state.requestId(), failure.getMessage());
            return Mono.delay(Duration.ofMillis(delay)).map(tick -> next.start(target, guard, attempt + 1));
        }
        if (failure.unreachable()) {
            Optional<UpstreamTarget> remote = selector.failover(route, target);
            if (remote.isPresent()) {
                return Mono.fromSupplier(() -> next.start(remote.get(), guards.of(remote.get(), route.traffic()), attempt));
            }
            log.warn("upstream {} unavailable for {} (request id {}): {}", target, route.path(), state.requestId(),
                    failure.status());
            return unreachable.explain(plan.exchange(), route, target).flatMap(Mono::error);
        }
        return Mono.error(UpstreamErrors.translate(state, failure));
    }
}
