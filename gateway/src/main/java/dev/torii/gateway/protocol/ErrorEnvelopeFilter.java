package dev.torii.gateway.protocol;

import dev.torii.gateway.error.GatewayErrors;
import dev.torii.gateway.config.FilterOrder;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Turns every failure of the steps after it into the error envelope, so no step needs to know
 * how errors are written.
 */
public final class ErrorEnvelopeFilter implements GatewayFilter, Ordered {

    private final ErrorEnvelopeWriter writer;

    /**
     * Creates the filter.
     *
     * @param writer writes the envelope
     */
    public ErrorEnvelopeFilter(ErrorEnvelopeWriter writer) {
        this.writer = writer;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        return chain.filter(exchange).onErrorResume(failure -> writer.write(exchange, GatewayErrors.from(exchange, failure)));
    }

    @Override
    public int getOrder() {
        return FilterOrder.ERROR_ENVELOPE;
    }
}
