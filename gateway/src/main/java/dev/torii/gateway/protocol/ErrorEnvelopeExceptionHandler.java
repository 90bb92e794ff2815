package dev.torii.gateway.protocol;

import dev.torii.gateway.error.GatewayErrors;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;

/**
 * Catches what escapes the gateway filters (a failure before a route is chosen, in a codec, in
 * the framework) and answers it with the error envelope instead of Spring's error page. It runs
 * before Spring Boot's default handler.
 */
public final class ErrorEnvelopeExceptionHandler implements WebExceptionHandler, Ordered {

    private final ErrorEnvelopeWriter writer;

    /**
     * Creates the handler.
     *
     * @param writer writes the envelope
     */
    public ErrorEnvelopeExceptionHandler(ErrorEnvelopeWriter writer) {
        this.writer = writer;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable failure) {
        if (exchange.getResponse().isCommitted()) {
            return Mono.error(failure);
        }
        return writer.write(exchange, GatewayErrors.from(exchange, failure));
    }

    @Override
    public int getOrder() {
        // Spring Boot's ErrorWebExceptionHandler runs at -1 and renders HTML or its own JSON.
        return -2;
    }
}
