package dev.torii.gateway.edge;

import dev.torii.gateway.exchange.GatewayExchange;
import dev.torii.gateway.observe.GatewayTracing;
import io.micrometer.tracing.Span;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Wraps one step of the gateway in a span that covers the step's own work only: it ends when the
 * step hands the request on to the next one, or when the step answers or fails by itself.
 */
public final class TracedStep implements GatewayFilter {

    private final GatewayFilter step;
    private final String name;
    private final GatewayTracing tracing;

    /**
     * Wraps a step.
     *
     * @param step the step
     * @param name the span's name
     * @param tracing makes the span
     */
    public TracedStep(GatewayFilter step, String name, GatewayTracing tracing) {
        this.step = step;
        this.name = name;
        this.tracing = tracing;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        Span span = tracing.startStep(GatewayExchange.of(exchange).span(), name);
        if (span == null) {
            return step.filter(exchange, chain);
        }
        AtomicBoolean ended = new AtomicBoolean();
        return step.filter(exchange, next -> {
            if (ended.compareAndSet(false, true)) {
                span.end();
            }
            return chain.filter(next);
        }).doOnError(failure -> {
            if (ended.compareAndSet(false, true)) {
                GatewayTracing.end(span, failure);
            }
        }).doFinally(signal -> {
            if (ended.compareAndSet(false, true)) {
                span.end();
            }
        });
    }
}
