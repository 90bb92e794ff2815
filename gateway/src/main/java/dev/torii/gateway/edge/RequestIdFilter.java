package dev.torii.gateway.edge;

import dev.torii.gateway.exchange.GatewayExchange;
import dev.torii.gateway.exchange.RequestIds;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The first step: makes the request's {@link GatewayExchange}, which gives it an id (the
 * client's {@code x-request-id} when it is sane, a new UUID otherwise) and notes when it arrived,
 * for the deadline. The id is echoed on every answer and forwarded to the backend.
 */
public final class RequestIdFilter implements GatewayFilter {

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        GatewayExchange state = GatewayExchange.of(exchange);
        exchange.getResponse().getHeaders().set(RequestIds.HEADER, state.requestId());
        return chain.filter(exchange);
    }
}
