package dev.torii.gateway.protocol;

import dev.torii.gateway.error.GatewayErrors;
import dev.torii.gateway.exchange.GatewayExchange;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Tells which wire protocol a request speaks, and answers every failure of the steps after it in
 * that protocol's error envelope, so no other step needs to know how errors are written.
 */
public final class ProtocolFilter implements GatewayFilter {

    private final Protocols protocols;

    /**
     * Creates the step.
     *
     * @param protocols the protocols the gateway speaks
     */
    public ProtocolFilter(Protocols protocols) {
        this.protocols = protocols;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        GatewayExchange state = GatewayExchange.of(exchange);
        Protocol protocol = protocols.select(exchange.getRequest(), state);
        state.protocol(protocol.id());
        return Mono.defer(() -> {
                    protocol.admit(exchange.getRequest());
                    return chain.filter(exchange);
                })
                .onErrorResume(failure -> protocol.writeError(exchange, state, GatewayErrors.from(exchange, failure)));
    }
}
