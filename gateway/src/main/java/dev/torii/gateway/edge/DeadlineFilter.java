package dev.torii.gateway.edge;

import dev.torii.gateway.config.FilterOrder;
import dev.torii.gateway.error.GatewayError;
import dev.torii.gateway.grpc.GrpcTimeout;
import dev.torii.gateway.route.MethodRoute;
import dev.torii.gateway.edge.RouteMatchFilter;
import dev.torii.gateway.edge.RequestIdFilter;
import io.grpc.Deadline;
import io.grpc.Status;
import java.util.concurrent.TimeUnit;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Fixes the request's absolute deadline: the route's timeout, or the client's
 * {@code grpc-timeout} when shorter, counted from when the request arrived. Every later step
 * spends from the same budget, and the upstream call carries what is left.
 */
public final class DeadlineFilter implements GatewayFilter, Ordered {

    /** Exchange attribute holding the {@link Deadline}. */
    public static final String ATTRIBUTE = "torii.deadline";
    /** Exchange attribute holding the timeout, in nanoseconds, the deadline was made from. */
    public static final String TIMEOUT_NANOS_ATTRIBUTE = "torii.timeoutNanos";

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        MethodRoute route = exchange.getRequiredAttribute(RouteMatchFilter.ATTRIBUTE);
        long timeout = route.timeout().toNanos();
        String clientTimeout = exchange.getRequest().getHeaders().getFirst(GrpcTimeout.HEADER);
        if (clientTimeout != null) {
            try {
                timeout = Math.min(timeout, GrpcTimeout.parseNanos(clientTimeout.trim()));
            } catch (IllegalArgumentException e) {
                return Mono.error(GatewayError.of(Status.Code.INVALID_ARGUMENT, e.getMessage()));
            }
        }
        Long started = exchange.getAttribute(RequestIdFilter.STARTED_NANOS_ATTRIBUTE);
        long spent = started == null ? 0 : System.nanoTime() - started;
        exchange.getAttributes().put(ATTRIBUTE, Deadline.after(timeout - spent, TimeUnit.NANOSECONDS));
        exchange.getAttributes().put(TIMEOUT_NANOS_ATTRIBUTE, timeout);
        return chain.filter(exchange);
    }

    @Override
    public int getOrder() {
        return FilterOrder.DEADLINE;
    }

    /**
     * Describes a timeout for messages, such as {@code 5s} or {@code 250ms}.
     *
     * @param nanos the timeout
     * @return a short text
     */
    public static String describe(long nanos) {
        long millis = TimeUnit.NANOSECONDS.toMillis(nanos);
        return millis % 1000 == 0 && millis > 0 ? millis / 1000 + "s" : millis > 0 ? millis + "ms" : nanos + "ns";
    }
}
