package dev.torii.gateway.edge;

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
 * unknown paths (404) and methods other than POST (405).
 */
public final class RouteMatchFilter implements GatewayFilter {

    private final RouteRegistry routes;

    /**
     * Creates the filter.
     *
     * @param routes the table in force
     */
    public RouteMatchFilter(RouteRegistry routes) {
        this.routes = routes;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        String path = exchange.getRequest().getPath().value();
        MethodRoute route = routes.current().find(path);
        HttpMethod method = exchange.getRequest().getMethod();
        if (route == null) {
            return Mono.error(GatewayErrors.routeNotFound(method.name(), path));
        }
        if (!HttpMethod.POST.equals(method)) {
            return Mono.error(GatewayErrors.methodNotAllowed(method.name()));
        }
        GatewayExchange.of(exchange).route(route);
        return chain.filter(exchange);
    }
}
