package dev.torii.gateway.edge;

import dev.torii.gateway.exchange.GatewayExchange;
import dev.torii.gateway.protocol.Protocols;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Fixes the request's absolute deadline: the route's timeout, or the timeout the client asked for
 * in its protocol's header ({@code grpc-timeout}) when shorter, never longer, counted from when
 * the request arrived. Every later step spends from the same budget, and the upstream call
 * carries what is left.
 */
public final class DeadlineFilter implements GatewayFilter {

    private final Protocols protocols;

    /**
     * Creates the step.
     *
     * @param protocols read the client's timeout header of the request's protocol
     */
    public DeadlineFilter(Protocols protocols) {
        this.protocols = protocols;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        GatewayExchange state = GatewayExchange.of(exchange);
        long timeout = state.route().timeout().toNanos();
        long asked = protocols.of(state).clientTimeoutNanos(exchange.getRequest());
        state.deadline(asked >= 0 ? Math.min(timeout, asked) : timeout);
        return chain.filter(exchange);
    }
}
