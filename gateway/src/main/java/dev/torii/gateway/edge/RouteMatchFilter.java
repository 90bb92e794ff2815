package dev.torii.gateway.edge;

import dev.torii.gateway.protocol.Protocol;
import dev.torii.gateway.protocol.Protocols;
import dev.torii.gateway.route.MethodRoute;
import dev.torii.gateway.route.RouteRegistry;
import dev.torii.gateway.error.GatewayErrors;
import dev.torii.gateway.exchange.GatewayExchange;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.http.HttpMethod;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Finds the route of the request path in the table in force (one hash lookup), and refuses
 * unknown paths (404) and HTTP methods the request's protocol does not take for it (405: POST,
 * and for Connect also GET of side-effect-free methods).
 */
public final class RouteMatchFilter implements GatewayFilter {

    private final RouteRegistry routes;
    private final Protocols protocols;

    /**
     * Creates the filter.
     *
     * @param routes the table in force
     * @param protocols tell which HTTP methods the request's protocol takes
     */
    public RouteMatchFilter(RouteRegistry routes, Protocols protocols) {
        this.routes = routes;
        this.protocols = protocols;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        String path = exchange.getRequest().getPath().value();
        MethodRoute route = routes.current().find(path);
        HttpMethod method = exchange.getRequest().getMethod();
        if (route == null) {
            return Mono.error(GatewayErrors.routeNotFound(method.name(), path));
        }
        GatewayExchange state = GatewayExchange.of(exchange);
        Protocol protocol = protocols.of(state);
        if (!protocol.accepts(method, route)) {
            return Mono.error(GatewayErrors.methodNotAllowed(method.name(), protocol.allowedMethods(route)));
        }
        state.route(route);
        return chain.filter(exchange);
    }
}
