package dev.torii.gateway.edge;

import dev.torii.gateway.exchange.GatewayExchange;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.cors.reactive.CorsUtils;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Hands CORS preflights to the gateway's request path, where {@link CorsFilter} answers them with
 * the route file's policy, a request id, metrics and an access-log line. Spring's
 * {@code DispatcherHandler} answers every preflight itself, from its handler mappings' global
 * CORS settings, and never calls a handler for one; so before it sees the request, this filter
 * records the requested method in the request's {@link GatewayExchange} and hides
 * {@code Access-Control-Request-Method}, the header by which Spring tells a preflight.
 */
public final class PreflightPassThrough implements WebFilter, Ordered {

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        if (!CorsUtils.isPreFlightRequest(request)) {
            return chain.filter(exchange);
        }
        GatewayExchange.of(exchange).preflightMethod(
                request.getHeaders().getFirst(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD));
        HttpHeaders headers = new HttpHeaders();
        headers.putAll(request.getHeaders());
        headers.remove(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD);
        HttpHeaders readOnly = HttpHeaders.readOnlyHttpHeaders(headers);
        return chain.filter(exchange.mutate().request(new ServerHttpRequestDecorator(request) {
            @Override
            public HttpHeaders getHeaders() {
                return readOnly;
            }
        }).build());
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
