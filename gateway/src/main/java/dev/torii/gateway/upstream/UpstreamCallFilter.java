package dev.torii.gateway.upstream;

import dev.torii.gateway.grpc.JsonTranscoder;
import dev.torii.gateway.grpc.UnaryCall;
import dev.torii.gateway.grpc.WireFormat;
import dev.torii.gateway.protocol.RequestDecodeFilter;
import dev.torii.gateway.config.FilterOrder;
import dev.torii.gateway.protocol.ErrorEnvelopeWriter;
import dev.torii.gateway.error.GatewayError;
import dev.torii.gateway.observe.GatewayMetrics;
import dev.torii.gateway.observe.GatewayTracing;
import dev.torii.gateway.edge.RequestTelemetryFilter;
import dev.torii.gateway.route.MethodRoute;
import dev.torii.gateway.edge.RouteMatchFilter;
import dev.torii.gateway.route.TrafficPolicy;
import dev.torii.gateway.route.UpstreamTarget;
import dev.torii.gateway.edge.DeadlineFilter;
import dev.torii.gateway.traffic.UpstreamGuards;
import dev.torii.gateway.edge.RequestIdFilter;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.grpc.CallOptions;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.micrometer.tracing.Span;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
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
 * request's deadline and forwarded metadata, through the upstream's guards: its concurrency limit
 * (refuses at once when full), its circuit breaker (refuses at once while open), and retries where
 * the route allows them. Writes the answer: the message bytes (or their JSON) with 200, or the
 * upstream's status, details included, as the error envelope.
 */
public final class UpstreamCallFilter implements GatewayFilter, Ordered {

    private static final Logger log = LoggerFactory.getLogger(UpstreamCallFilter.class);

    private final UpstreamChannels channels;
    private final ForwardedMetadata metadata;
    private final JsonTranscoder json;
    private final UpstreamGuards guards;
    private final LocalUpstreamSelector selector;
    private final UnreachableUpstreams unreachable;
    private final GatewayMetrics metrics;
    private final GatewayTracing tracing;

    /**
     * Creates the filter.
     *
     * @param channels the upstream channels
     * @param metadata builds the forwarded metadata
     * @param json transcodes JSON answers
     * @param guards each upstream's circuit breaker, concurrency limit and retry budget
     * @param selector picks a route's local or remote target
     * @param unreachable explains an unreachable upstream (in detail in local development)
     * @param metrics records each upstream call
     * @param tracing makes each call's client span and propagates the trace to the upstream
     */
    public UpstreamCallFilter(UpstreamChannels channels, ForwardedMetadata metadata, JsonTranscoder json,
            UpstreamGuards guards, LocalUpstreamSelector selector, UnreachableUpstreams unreachable,
            GatewayMetrics metrics, GatewayTracing tracing) {
        this.channels = channels;
        this.metadata = metadata;
        this.json = json;
        this.guards = guards;
        this.selector = selector;
        this.unreachable = unreachable;
        this.metrics = metrics;
        this.tracing = tracing;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        MethodRoute route = exchange.getRequiredAttribute(RouteMatchFilter.ATTRIBUTE);
        byte[] request = exchange.getRequiredAttribute(RequestDecodeFilter.MESSAGE_ATTRIBUTE);
        Deadline deadline = exchange.getRequiredAttribute(DeadlineFilter.ATTRIBUTE);
        UpstreamTarget target = selector.select(route);
        UpstreamGuards.Guards guard = guards.of(target, route.traffic());
        guard.retryBudget().deposit(System.nanoTime());
        Metadata headers = metadata.build(exchange);
        return attempt(exchange, route, target, guard, request, headers, deadline, 1)
                .flatMap(response -> respond(exchange, route, response));
    }

    private Mono<byte[]> attempt(ServerWebExchange exchange, MethodRoute route, UpstreamTarget target,
            UpstreamGuards.Guards guard, byte[] request, Metadata headers, Deadline deadline, int attempt) {
        return call(exchange, route, target, guard, request, headers, deadline).onErrorResume(failure -> {
            long delay = retryDelay(route, guard, failure, deadline, attempt);
            if (delay < 0) {
                if (failure instanceof UnaryCall.UpstreamCallException call && unreachable(call.status())
                        && route.localUpstream().isPresent() && target.equals(route.localUpstream().get())) {
                    // The local service went away (the request never reached it): fail over to the
                    // remote target now rather than after the next health check.
                    selector.markDown(target);
                    UpstreamTarget remote = route.upstream();
                    return attempt(exchange, route, remote, guards.of(remote, route.traffic()), request, headers,
                            deadline, attempt);
                }
                if (failure instanceof UnaryCall.UpstreamCallException call && unreachable(call.status())) {
                    log.warn("upstream {} unavailable for {} (request id {}): {}", target, route.path(),
                            RequestIdFilter.requestId(exchange), call.status());
                    return unreachable.explain(exchange, route, target).flatMap(Mono::error);
                }
                return Mono.error(failure instanceof UnaryCall.UpstreamCallException call
                        ? translate(exchange, route, deadline, call) : failure);
            }
            log.debug("retrying {} (attempt {} after {} ms, request id {}): {}", route.path(), attempt + 1, delay,
                    RequestIdFilter.requestId(exchange), failure.getMessage());
            return Mono.delay(Duration.ofMillis(delay))
                    .then(Mono.defer(() -> attempt(exchange, route, target, guard, request, headers, deadline,
                            attempt + 1)));
        });
    }

    // One call through the concurrency limit and the circuit breaker.
    private Mono<byte[]> call(ServerWebExchange exchange, MethodRoute route, UpstreamTarget target,
            UpstreamGuards.Guards guard, byte[] request, Metadata headers, Deadline deadline) {
        return Mono.defer(() -> {
            if (deadline.isExpired()) {
                return Mono.error(deadlineExceeded(exchange, route));
            }
            if (!guard.bulkhead().tryAcquirePermission()) {
                return Mono.error(GatewayError.of(Status.Code.UNAVAILABLE, "upstream " + route.serviceName()
                        + " is at its limit of " + guard.maxConcurrentCalls() + " calls in flight; retry shortly")
                        .header("Retry-After", "1"));
            }
            CircuitBreaker breaker = guard.breaker();
            if (breaker != null && !breaker.tryAcquirePermission()) {
                guard.bulkhead().onComplete();
                long wait = Math.max(1, guard.settings().waitInOpenState().toSeconds());
                return Mono.error(GatewayError.of(Status.Code.UNAVAILABLE, "upstream " + route.serviceName()
                        + " is failing and its circuit is open; retry in " + wait + "s")
                        .header("Retry-After", Long.toString(wait)));
            }
            exchange.getAttributes().put(RequestTelemetryFilter.UPSTREAM_ATTRIBUTE, target.target());
            // The shared headers stay as built; each attempt carries its own span's context.
            Metadata attemptHeaders = new Metadata();
            attemptHeaders.merge(headers);
            Span span = tracing.startCall(exchange, route.serviceName() + "/" + route.methodName(), attemptHeaders);
            if (span != null) {
                span.remoteServiceName(route.serviceName());
                span.tag("rpc.system", "grpc");
                span.tag("server.address", target.target());
            }
            long started = System.nanoTime();
            return UnaryCall.call(channels.channel(target), route.grpcMethod(), CallOptions.DEFAULT.withDeadline(deadline),
                            attemptHeaders, request)
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
        return failure instanceof UnaryCall.UpstreamCallException call ? call.status().getCode() : Status.Code.UNKNOWN;
    }

    // Failures that say the upstream is in trouble, as opposed to answers about the request.
    private static boolean upstreamFault(Throwable failure) {
        if (!(failure instanceof UnaryCall.UpstreamCallException call)) {
            return false;
        }
        return switch (call.status().getCode()) {
            case UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL, UNKNOWN, DATA_LOSS -> true;
            default -> false;
        };
    }

    /**
     * Decides whether a failed attempt is tried again, and after how long: only when the route
     * allows more attempts, the failure is safe to repeat (the request never reached the upstream,
     * or the method is idempotent and the upstream said to retry), the retry budget has room, and
     * the wait ends well before the deadline.
     *
     * @return the wait in milliseconds, or -1 for no retry
     */
    private static long retryDelay(MethodRoute route, UpstreamGuards.Guards guard, Throwable failure, Deadline deadline,
            int attempt) {
        TrafficPolicy.Retry retry = route.traffic().retry();
        if (attempt >= retry.attempts() || !(failure instanceof UnaryCall.UpstreamCallException call)) {
            return -1;
        }
        Status status = call.status();
        boolean notSent = status.getCode() == Status.Code.UNAVAILABLE && status.getCause() != null;
        boolean retryable = notSent || (route.traffic().idempotent()
                && (status.getCode() == Status.Code.UNAVAILABLE || status.getCode() == Status.Code.ABORTED));
        if (!retryable) {
            return -1;
        }
        long ceiling = Math.min(retry.maxBackoff().toMillis(), retry.backoff().toMillis() << Math.min(20, attempt - 1));
        long delay = ThreadLocalRandom.current().nextLong(ceiling + 1);
        // Leave the next attempt at least as much time as it waited.
        if (deadline.timeRemaining(TimeUnit.MILLISECONDS) <= delay * 2) {
            return -1;
        }
        if (!guard.retryBudget().tryWithdraw(System.nanoTime())) {
            log.debug("retry budget of {} exhausted; not retrying {}", route.upstream(), route.path());
            return -1;
        }
        return delay;
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

    // The transport's own failure (connection refused, reset, DNS), not an answer of the upstream.
    private static boolean unreachable(Status status) {
        return status.getCode() == Status.Code.UNAVAILABLE && status.getCause() != null;
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
