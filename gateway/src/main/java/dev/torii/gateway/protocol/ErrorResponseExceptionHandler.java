package dev.torii.gateway.protocol;

import dev.torii.gateway.error.GatewayErrors;
import dev.torii.gateway.exchange.GatewayExchange;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;

/**
 * Catches what escapes the gateway's steps (a failure before a route is chosen, in a codec, in
 * the framework) and answers it in the request's protocol's error envelope instead of Spring's
 * error page. It runs before Spring Boot's default handler.
 */
public final class ErrorResponseExceptionHandler implements WebExceptionHandler, Ordered {

    private final Protocols protocols;

    /**
     * Creates the handler.
     *
     * @param protocols the protocols the gateway speaks
     */
    public ErrorResponseExceptionHandler(Protocols protocols) {
        this.protocols = protocols;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable failure) {
        if (exchange.getResponse().isCommitted()) {
            return Mono.error(failure);
        }
        GatewayExchange state = GatewayExchange.of(exchange);
        return protocols.of(state).writeError(exchange, state, GatewayErrors.from(exchange, failure));
    }

    @Override
    public int getOrder() {
        // Spring Boot's ErrorWebExceptionHandler runs at -1 and renders HTML or its own JSON.
        return -2;
    }
}
