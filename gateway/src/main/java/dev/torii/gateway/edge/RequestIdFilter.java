package dev.torii.gateway.edge;

import dev.torii.gateway.exchange.GatewayExchange;
import dev.torii.gateway.exchange.RequestIds;
import dev.torii.gateway.exchange.WarmUpKey;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.cors.reactive.CorsUtils;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The first step: makes the request's {@link GatewayExchange}, which gives it an id (the
 * client's {@code x-request-id} when it is sane, a new UUID otherwise) and notes when it arrived,
 * for the deadline. The id is echoed on every answer and forwarded to the backend. It also tells
 * the gateway's own warm-up calls by their {@link WarmUpKey}, before the strip step, which
 * removes the key's header from every other request, and CORS preflights, by the method they ask
 * about.
 */
public final class RequestIdFilter implements GatewayFilter {

    private final WarmUpKey warmUpKey;

    /**
     * Creates the filter.
     *
     * @param warmUpKey tells warm-up calls from clients' requests
     */
    public RequestIdFilter(WarmUpKey warmUpKey) {
        this.warmUpKey = warmUpKey;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        GatewayExchange state = GatewayExchange.of(exchange);
        ServerHttpRequest request = exchange.getRequest();
        if (warmUpKey.carriedBy(request)) {
            state.markWarmUp();
        }
        if (CorsUtils.isPreFlightRequest(request)) {
            state.preflightMethod(request.getHeaders().getFirst(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD));
        }
        exchange.getResponse().getHeaders().set(RequestIds.HEADER, state.requestId());
        return chain.filter(exchange);
    }
}
