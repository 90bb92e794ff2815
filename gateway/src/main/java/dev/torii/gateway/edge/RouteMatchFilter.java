package dev.torii.gateway.edge;

import dev.torii.gateway.protocol.Protocol;
import dev.torii.gateway.protocol.Protocols;
import dev.torii.gateway.route.MethodRoute;
import dev.torii.gateway.route.RouteRegistry;
import dev.torii.gateway.error.GatewayError;
import dev.torii.gateway.error.GatewayErrors;
import dev.torii.gateway.grpc.DescriptorRegistry;
import com.google.protobuf.Descriptors.MethodDescriptor;
import io.grpc.Status;
import dev.torii.gateway.exchange.GatewayExchange;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.http.HttpMethod;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Finds the route of the request in the table in force through the request's protocol (one hash
 * lookup of an RPC path, or one walk of the compiled REST templates), and refuses
 * unknown paths (404; UNIMPLEMENTED for a client- or bidirectional-streaming method, which no
 * route may expose) and HTTP methods the request's protocol does not take for it (405: POST,
 * and for Connect also GET of side-effect-free methods).
 */
public final class RouteMatchFilter implements GatewayFilter {

    private final RouteRegistry routes;
    private final Protocols protocols;
    private final DescriptorRegistry descriptors;

    /**
     * Creates the filter.
     *
     * @param routes the table in force
     * @param protocols tell which HTTP methods the request's protocol takes
     * @param descriptors the known services, to tell a streaming method from an unknown one
     */
    public RouteMatchFilter(RouteRegistry routes, Protocols protocols, DescriptorRegistry descriptors) {
        this.routes = routes;
        this.protocols = protocols;
        this.descriptors = descriptors;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        String path = exchange.getRequest().getPath().value();
        GatewayExchange state = GatewayExchange.of(exchange);
        Protocol protocol = protocols.of(state);
        MethodRoute route;
        try {
            route = protocol.findRoute(routes.matching(state.warmUp()), exchange.getRequest(), state);
        } catch (GatewayError refused) {
            return Mono.error(refused);
        }
        HttpMethod method = exchange.getRequest().getMethod();
        if (route == null) {
            GatewayError streaming = clientStreaming(path);
            return Mono.error(streaming != null ? streaming : GatewayErrors.routeNotFound(method.name(), path));
        }
        if (!protocol.accepts(method, route)) {
            return Mono.error(GatewayErrors.methodNotAllowed(method.name(), protocol.allowedMethods(route)));
        }
        state.route(route);
        return chain.filter(exchange);
    }

    // A known method that streams from the client: gRPC clients read UNIMPLEMENTED as "not here".
    private GatewayError clientStreaming(String path) {
        int slash = path.lastIndexOf('/');
        if (slash <= 1) {
            return null;
        }
        MethodDescriptor rpc = descriptors.findService(path.substring(1, slash))
                .map(service -> service.findMethodByName(path.substring(slash + 1)))
                .orElse(null);
        if (rpc == null || !rpc.isClientStreaming()) {
            return null;
        }
        return GatewayError.of(Status.Code.UNIMPLEMENTED, rpc.getFullName() + " is a "
                + (rpc.isServerStreaming() ? "bidirectional" : "client") + "-streaming method (expected: a unary or"
                + " server-streaming method; the gateway serves no other kind)");
    }
}
