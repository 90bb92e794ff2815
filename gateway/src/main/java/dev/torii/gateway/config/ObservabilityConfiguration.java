package dev.torii.gateway.config;

import dev.torii.gateway.auth.PrivateTokenCache;
import dev.torii.gateway.exchange.WarmUpKey;
import dev.torii.gateway.upstream.UpstreamHealthChecker;
import dev.torii.gateway.observe.BufferedAccessLog;
import dev.torii.gateway.observe.GatewayMetrics;
import dev.torii.gateway.observe.GatewayTracing;
import dev.torii.gateway.reload.ReloadStatus;
import dev.torii.gateway.route.RouteRegistry;
import dev.torii.gateway.traffic.RateLimiter;
import dev.torii.gateway.traffic.RedisRateLimiter;
import dev.torii.gateway.traffic.UpstreamGuards;
import io.github.resilience4j.micrometer.tagged.TaggedBulkheadMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micrometer.tracing.exporter.SpanExportingPredicate;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.TaskScheduler;

/**
 * Wires the gateway's metrics and tracing: the per-request recorder and span helper the filters
 * use, and the meters read from state other parts keep (the private-token cache, route reloads,
 * Redis fallback, circuit breakers, concurrency limits, upstream health).
 */
@Configuration(proxyBeanMethods = false)
public class ObservabilityConfiguration {

    // Batches the access log's writes to standard output (see BufferedAccessLog).
    @Bean(destroyMethod = "close")
    BufferedAccessLog bufferedAccessLog(TaskScheduler scheduler) {
        return BufferedAccessLog.install(java.time.Duration.ofSeconds(1), scheduler);
    }

    // The warm-up's meters go to a registry of the kind clients' requests record into, which
    // nothing exports, so the warm-up compiles the same meter code and leaves no series behind.
    @Bean
    GatewayMetrics gatewayMetrics(MeterRegistry registry) {
        MeterRegistry warmUp = registry instanceof PrometheusMeterRegistry
                ? new PrometheusMeterRegistry(PrometheusConfig.DEFAULT) : new SimpleMeterRegistry();
        return new GatewayMetrics(registry, warmUp);
    }

    // Spans of the gateway's own warm-up calls are recorded (the sampled path gets compiled too)
    // but never leave the process.
    @Bean
    SpanExportingPredicate warmUpSpansStayHome(WarmUpKey key) {
        return span -> !key.isWarmUpTrace(span.getTraceId());
    }

    // Tracing is on whenever Spring Boot configures a tracer (management.tracing.enabled, true by
    // default); spans leave the process only when an OTLP endpoint is set.
    @Bean
    GatewayTracing gatewayTracing(ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator) {
        return new GatewayTracing(tracer.getIfAvailable(() -> Tracer.NOOP),
                propagator.getIfAvailable(() -> Propagator.NOOP));
    }

    @Bean
    MeterBinder toriiStateMeters(PrivateTokenCache tokens, ReloadStatus reloads, RouteRegistry routes,
            RateLimiter rateLimiter) {
        return registry -> {
            FunctionCounter.builder("torii.gateway.exchange.cache", tokens, PrivateTokenCache::hits)
                    .description("Private-token lookups answered from the gateway's cache")
                    .tag("result", "hit").register(registry);
            FunctionCounter.builder("torii.gateway.exchange.cache", tokens, PrivateTokenCache::misses)
                    .description("Private-token lookups answered from the gateway's cache")
                    .tag("result", "miss").register(registry);
            Gauge.builder("torii.gateway.exchange.cache.size", tokens, PrivateTokenCache::size)
                    .description("Private tokens kept").register(registry);
            FunctionCounter.builder("torii.gateway.route.reloads", reloads, r -> r.snapshot().succeeded())
                    .description("Route reloads: loaded (put in force) or rejected (the previous set stays)")
                    .tag("result", "loaded").register(registry);
            FunctionCounter.builder("torii.gateway.route.reloads", reloads, r -> r.snapshot().failed())
                    .description("Route reloads: loaded (put in force) or rejected (the previous set stays)")
                    .tag("result", "rejected").register(registry);
            Gauge.builder("torii.gateway.route.reload.failing", reloads,
                            r -> r.snapshot().last().outcome() == ReloadStatus.Outcome.REJECTED ? 1 : 0)
                    .description("1 while the last reload was rejected and an older route set is in force")
                    .register(registry);
            Gauge.builder("torii.gateway.routes", routes, r -> r.current().size())
                    .description("Methods exposed by the routes in force").register(registry);
            Gauge.builder("torii.gateway.ratelimit.redis.fallback", rateLimiter,
                            limiter -> limiter instanceof RedisRateLimiter redis && !redis.usingRedis() ? 1 : 0)
                    .description("1 while Redis is out and rate-limit buckets are kept per gateway instance")
                    .register(registry);
        };
    }

    @Bean
    MeterBinder upstreamGuardMeters(UpstreamGuards guards) {
        return registry -> {
            TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(guards.breakers()).bindTo(registry);
            TaggedBulkheadMetrics.ofBulkheadRegistry(guards.bulkheads()).bindTo(registry);
        };
    }

    @Bean
    MeterBinder upstreamHealthMeters(UpstreamHealthChecker health) {
        return registry -> {
            MultiGauge up = MultiGauge.builder("torii.gateway.upstream.up")
                    .description("1 while the upstream answers health checks (or is reachable without a health"
                            + " service), 0 while it is down or not serving")
                    .register(registry);
            health.afterEachRound(() -> up.register(rows(health), true));
            up.register(rows(health), true);
        };
    }

    private static List<MultiGauge.Row<?>> rows(UpstreamHealthChecker health) {
        return health.targets().stream().<MultiGauge.Row<?>>map(target -> MultiGauge.Row.of(
                Tags.of("upstream", target.target()), health, h -> up(h.health(target)))).toList();
    }

    private static double up(UpstreamHealthChecker.Health health) {
        return switch (health.state()) {
            case SERVING, NO_HEALTH_SERVICE, UNKNOWN -> 1;
            case NOT_SERVING, DOWN -> 0;
            case PENDING -> Double.NaN;
        };
    }
}
