package dev.torii.gateway.config;

import dev.torii.gateway.auth.AuthenticationFilter;
import dev.torii.gateway.auth.AuthorityConnection;
import dev.torii.gateway.auth.PrivateTokenCache;
import dev.torii.gateway.edge.StripEdgeHeadersFilter;
import dev.torii.gateway.protocol.ErrorEnvelopeExceptionHandler;
import dev.torii.gateway.protocol.ErrorEnvelopeFilter;
import dev.torii.gateway.protocol.ErrorEnvelopeWriter;
import dev.torii.gateway.grpc.DescriptorRegistry;
import dev.torii.gateway.upstream.ForwardedMetadata;
import dev.torii.gateway.grpc.JsonTranscoder;
import dev.torii.gateway.protocol.RequestDecodeFilter;
import dev.torii.gateway.upstream.UpstreamCallFilter;
import dev.torii.gateway.upstream.UpstreamChannels;
import dev.torii.gateway.observe.GatewayMetrics;
import dev.torii.gateway.observe.GatewayTracing;
import dev.torii.gateway.edge.RequestTelemetryFilter;
import dev.torii.gateway.edge.TracedStep;
import dev.torii.gateway.reload.ReloadStatus;
import dev.torii.gateway.routefile.RouteFileLoader;
import dev.torii.gateway.edge.RouteMatchFilter;
import dev.torii.gateway.route.RouteRegistry;
import dev.torii.gateway.reload.RouteReloader;
import dev.torii.gateway.route.RouteTable;
import dev.torii.gateway.edge.DeadlineFilter;
import dev.torii.gateway.edge.RequestIdFilter;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.AnnotationAwareOrderComparator;
import org.springframework.core.env.Environment;
import org.springframework.core.io.support.ResourcePatternResolver;
import reactor.core.publisher.Flux;

/**
 * Wires the gateway's request path: descriptors, routes, upstream channels, and the ordered
 * filters of the single Spring Cloud Gateway route that serves every request.
 *
 * <p>Why one route: Spring Cloud Gateway evaluates route predicates one after another for every
 * request, so a route per method would cost time linear in the number of methods. Instead one
 * route matches everything and its first step finds the method in an immutable hash table,
 * which also makes a reload one atomic swap.
 */
@Configuration(proxyBeanMethods = false)
public class GatewayConfiguration {

    private static final Logger log = LoggerFactory.getLogger(GatewayConfiguration.class);

    /** The id of the one Spring Cloud Gateway route. */
    public static final String ROUTE_ID = "torii";

    @Bean
    DescriptorRegistry descriptorRegistry(ResourcePatternResolver resolver, GatewayProperties properties) {
        DescriptorRegistry registry = DescriptorRegistry.load(resolver, properties.descriptorSets());
        log.info("loaded {} services from descriptor sets {}", registry.serviceNames().size(), registry.sources());
        return registry;
    }

    @Bean
    RouteFileLoader routeFileLoader(DescriptorRegistry descriptors, Environment environment) {
        return new RouteFileLoader(descriptors, environment, Clock.systemUTC());
    }

    @Bean
    RouteRegistry routeRegistry(RouteFileLoader loader, GatewayProperties properties, ReloadStatus reloadStatus) {
        // Digested before loading, so a change made while the gateway starts differs from it and
        // the first reload poll picks it up.
        String digest = RouteReloader.digest(properties.routesDir());
        RouteTable table = loader.load(properties.routesDir());
        requireAuthorityWhenNeeded(table, properties);
        reloadStatus.started(table, digest, table.loadedAt());
        log.info("loaded {} routes of {} services from {}", table.size(), table.services().size(),
                properties.routesDir().toAbsolutePath().normalize());
        return new RouteRegistry(table);
    }

    /**
     * Refuses route sets with protected routes when no Authority is configured: such routes could
     * only ever answer 503.
     */
    static void requireAuthorityWhenNeeded(RouteTable table, GatewayProperties properties) {
        if (properties.authority().target().isPresent()) {
            return;
        }
        List<String> protectedRoutes = table.services().stream().flatMap(s -> s.methods().stream())
                .filter(m -> !m.auth().isPublic()).map(m -> m.path() + " (" + m.source() + ")").limit(5).toList();
        if (!protectedRoutes.isEmpty()) {
            throw new IllegalStateException("torii.gateway.authority.target is not set, but routes need authentication: "
                    + String.join(", ", protectedRoutes) + " (expected: the Authority's gRPC address, for example"
                    + " localhost:9090, or auth: public on those routes)");
        }
    }

    @Bean(destroyMethod = "close")
    AuthorityConnection authorityConnection(GatewayProperties properties, GatewayMetrics metrics) {
        return new AuthorityConnection(properties.authority(), properties.channelShutdownGrace(), metrics);
    }

    @Bean
    PrivateTokenCache privateTokenCache(AuthorityConnection authority, GatewayProperties properties) {
        GatewayProperties.Authority settings = properties.authority();
        return new PrivateTokenCache(authority.client(), settings.cacheMaxEntries(), settings.refreshBefore(),
                settings.negativeTtl(), Clock.systemUTC());
    }

    @Bean(destroyMethod = "close")
    UpstreamChannels upstreamChannels(GatewayProperties properties, RouteRegistry routes) {
        UpstreamChannels channels = new UpstreamChannels((int) properties.maxResponseSize().toBytes(),
                properties.channelShutdownGrace());
        channels.open(routes.current().upstreams());
        return channels;
    }

    @Bean
    ErrorEnvelopeWriter errorEnvelopeWriter(DescriptorRegistry descriptors) {
        return new ErrorEnvelopeWriter(descriptors);
    }

    @Bean
    ErrorEnvelopeExceptionHandler errorEnvelopeExceptionHandler(ErrorEnvelopeWriter writer) {
        return new ErrorEnvelopeExceptionHandler(writer);
    }

    @Bean
    JsonTranscoder jsonTranscoder(DescriptorRegistry descriptors) {
        return new JsonTranscoder(descriptors);
    }

    @Bean
    RouteLocator toriiRouteLocator(GatewayProperties properties, RouteRegistry routes, UpstreamChannels channels,
            ErrorEnvelopeWriter errors, JsonTranscoder json, PrivateTokenCache tokens,
            dev.torii.gateway.traffic.RateLimiter rateLimiter,
            dev.torii.gateway.traffic.ClientAddressResolver clientAddresses,
            dev.torii.gateway.traffic.UpstreamGuards guards,
            dev.torii.gateway.upstream.LocalUpstreamSelector selector,
            dev.torii.gateway.upstream.UnreachableUpstreams unreachable, GatewayMetrics metrics, GatewayTracing tracing,
            dev.torii.gateway.observe.BufferedAccessLog accessLog) {
        List<GatewayFilter> filters = new java.util.ArrayList<>(List.of(
                new RequestIdFilter(),
                new RequestTelemetryFilter(metrics, tracing, accessLog),
                new StripEdgeHeadersFilter(properties.additionalEdgeHeaders()),
                new ErrorEnvelopeFilter(errors),
                new RouteMatchFilter(routes),
                new DeadlineFilter(),
                new TracedStep(new AuthenticationFilter(tokens, tracing), "authenticate", tracing),
                new TracedStep(new dev.torii.gateway.traffic.RateLimitFilter(rateLimiter, clientAddresses, metrics),
                        "rate limit", tracing),
                new RequestDecodeFilter(json, (int) properties.maxRequestSize().toBytes()),
                new UpstreamCallFilter(channels, new ForwardedMetadata(properties.forwardedHeaders()), json, guards,
                        selector, unreachable, metrics, tracing)));
        AnnotationAwareOrderComparator.sort(filters);
        Route route = Route.async()
                .id(ROUTE_ID)
                .uri("no://op")
                .predicate(exchange -> true)
                .filters(filters)
                .build();
        return () -> Flux.just(route);
    }
}
