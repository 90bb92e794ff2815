package dev.torii.gateway.config;

import dev.torii.gateway.auth.AuthenticationFilter;
import dev.torii.gateway.auth.AuthorityConnection;
import dev.torii.gateway.auth.AuthorityProperties;
import dev.torii.gateway.auth.PrivateTokenCache;
import dev.torii.gateway.edge.CorsFilter;
import dev.torii.gateway.edge.DeadlineFilter;
import dev.torii.gateway.edge.RequestIdFilter;
import dev.torii.gateway.edge.RequestPipeline;
import dev.torii.gateway.edge.RequestTelemetryFilter;
import dev.torii.gateway.edge.RouteMatchFilter;
import dev.torii.gateway.edge.StripEdgeHeadersFilter;
import dev.torii.gateway.edge.TracedStep;
import dev.torii.gateway.exchange.WarmUpKey;
import dev.torii.gateway.grpc.DescriptorRegistry;
import dev.torii.gateway.grpc.JsonTranscoder;
import dev.torii.gateway.httprule.RequestBinder;
import dev.torii.gateway.httprule.ResponseWriter;
import dev.torii.gateway.observe.BufferedAccessLog;
import dev.torii.gateway.observe.GatewayMetrics;
import dev.torii.gateway.observe.GatewayTracing;
import dev.torii.gateway.protocol.ConnectProtocol;
import dev.torii.gateway.protocol.ErrorResponseExceptionHandler;
import dev.torii.gateway.protocol.GrpcProtocol;
import dev.torii.gateway.protocol.GrpcWebProtocol;
import dev.torii.gateway.protocol.LegacyProtocol;
import dev.torii.gateway.protocol.ProtocolFilter;
import dev.torii.gateway.protocol.Protocols;
import dev.torii.gateway.protocol.RestProtocol;
import dev.torii.gateway.protocol.ReflectionFilter;
import dev.torii.gateway.protocol.ReflectionServer;
import dev.torii.gateway.protocol.StatusJson;
import dev.torii.gateway.route.RouteRegistry;
import dev.torii.gateway.routefile.RouteFileLoader;
import dev.torii.gateway.traffic.ClientAddressResolver;
import dev.torii.gateway.traffic.RateLimitFilter;
import dev.torii.gateway.traffic.RateLimiter;
import dev.torii.gateway.traffic.UpstreamGuards;
import dev.torii.gateway.upstream.ForwardedMetadata;
import dev.torii.gateway.upstream.GuardedCall;
import dev.torii.gateway.upstream.LocalUpstreamSelector;
import dev.torii.gateway.upstream.UnreachableUpstreams;
import dev.torii.gateway.upstream.UpstreamCallFilter;
import dev.torii.gateway.upstream.UpstreamChannels;
import dev.torii.gateway.upstream.UpstreamEventLoops;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.io.support.ResourcePatternResolver;
import org.springframework.scheduling.TaskScheduler;

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

    @Bean(destroyMethod = "close")
    AuthorityConnection authorityConnection(GatewayProperties properties, ObjectProvider<SslBundles> sslBundles,
            GatewayMetrics metrics) {
        return new AuthorityConnection(properties.authority(), sslBundles.getIfAvailable(),
                properties.channelShutdownGrace(), metrics);
    }

    @Bean
    PrivateTokenCache privateTokenCache(AuthorityConnection authority, GatewayProperties properties) {
        AuthorityProperties settings = properties.authority();
        return new PrivateTokenCache(authority.client(), settings.cacheMaxEntries(), settings.refreshBefore(),
                settings.negativeTtl(), Clock.systemUTC());
    }

    @Bean(destroyMethod = "close")
    UpstreamChannels upstreamChannels(GatewayProperties properties, TaskScheduler scheduler,
            ReactorResourceFactory resources) {
        return new UpstreamChannels((int) properties.maxResponseSize().toBytes(), properties.channelShutdownGrace(),
                scheduler, new UpstreamEventLoops(resources::getLoopResources));
    }

    /**
     * Tells the gateway's own warm-up calls from clients' requests: a random key per process
     * while the warm-up is on, a key that matches nothing otherwise.
     */
    @Bean
    WarmUpKey warmUpKey(GatewayProperties properties) {
        return properties.warmup().enabled() ? WarmUpKey.random() : WarmUpKey.none();
    }

    @Bean
    JsonTranscoder jsonTranscoder(DescriptorRegistry descriptors) {
        return new JsonTranscoder(descriptors);
    }

    @Bean
    GrpcProtocol grpcProtocol(GatewayProperties properties) {
        return new GrpcProtocol((int) properties.streams().compressMinSize().toBytes());
    }

    @Bean
    Protocols protocols(JsonTranscoder json, DescriptorRegistry descriptors, GrpcProtocol grpc,
            GatewayProperties properties, RouteRegistry routes) {
        // Most specific first: gRPC-Web, gRPC and Connect by their content types and headers, REST
        // by a path no RPC route has and some HTTP rule's template matches; the legacy dialect
        // takes whatever no other protocol claims.
        int compressMinBytes = (int) properties.streams().compressMinSize().toBytes();
        StatusJson statusJson = new StatusJson(descriptors);
        LegacyProtocol legacy = new LegacyProtocol(json, statusJson);
        return new Protocols(List.of(
                new GrpcWebProtocol(compressMinBytes),
                grpc,
                new ConnectProtocol(json, descriptors, compressMinBytes),
                new RestProtocol(routes, new RequestBinder(descriptors), new ResponseWriter(descriptors), statusJson,
                        legacy),
                legacy));
    }

    /**
     * Answers gRPC server reflection for the routed services, when {@code
     * torii.gateway.reflection.enabled} is set.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(prefix = "torii.gateway.reflection", name = "enabled", havingValue = "true")
    ReflectionServer reflectionServer(RouteRegistry routes) {
        return new ReflectionServer(routes);
    }

    @Bean
    ErrorResponseExceptionHandler errorResponseExceptionHandler(Protocols protocols) {
        return new ErrorResponseExceptionHandler(protocols);
    }

    /**
     * The request path: the gateway's steps, in this order, which is the only place the order is
     * stated:
     *
     * <ol>
     *   <li>request id: first, so every answer, error or not, carries {@code x-request-id} and the
     *       deadline clock starts when the request arrives;</li>
     *   <li>telemetry: right after, so the request's span, metrics and access-log line cover every
     *       later step and every answer, errors included;</li>
     *   <li>strip edge headers: before anything reads the request, so no step can see an identity
     *       header a client made up;</li>
     *   <li>protocol: tells the request's wire protocol, and answers every failure of the later
     *       steps in that protocol's envelope;</li>
     *   <li>CORS: answers preflights before route matching and auth (a preflight carries no
     *       credential, and its path need not exist for its answer), and marks the answers of
     *       allowed origins before any later step can fail;</li>
     *   <li>reflection: answers gRPC server reflection itself (no route names it), after the
     *       protocol step so its errors are gRPC's, and before authentication and rate limits,
     *       which it does not take part in: the gateway-wide setting alone decides;</li>
     *   <li>route match: before anything costly, an unknown path answers 404 at once;</li>
     *   <li>deadline: right after the route is known, so time spent authenticating, rate limiting
     *       and reading the body counts against it;</li>
     *   <li>authenticate: before the body is read, so an unauthenticated client cannot make the
     *       gateway read or transcode megabytes; it spends from the deadline;</li>
     *   <li>rate limit: after authentication, whose principal is the natural key; before the body
     *       is read, so a refused request costs next to nothing;</li>
     *   <li>call: reads the request through the protocol, calls the upstream through its guards
     *       and writes the answer.</li>
     * </ol>
     */
    @Bean
    RequestPipeline requestPipeline(GatewayProperties properties, RouteRegistry routes, UpstreamChannels channels,
            Protocols protocols, PrivateTokenCache tokens, RateLimiter rateLimiter,
            ClientAddressResolver clientAddresses, UpstreamGuards guards, LocalUpstreamSelector selector,
            UnreachableUpstreams unreachable, GatewayMetrics metrics, GatewayTracing tracing,
            BufferedAccessLog accessLog, DescriptorRegistry descriptors, GrpcProtocol grpc,
            ObjectProvider<ReflectionServer> reflection, WarmUpKey warmUpKey) {
        List<GatewayFilter> steps = List.of(
                new RequestIdFilter(warmUpKey),
                new RequestTelemetryFilter(metrics, tracing, accessLog),
                new StripEdgeHeadersFilter(properties.additionalEdgeHeaders()),
                new ProtocolFilter(protocols),
                new CorsFilter(routes, properties.cors().policy(), properties.forwardedHeaders()),
                new ReflectionFilter(grpc, Optional.ofNullable(reflection.getIfAvailable()),
                        (int) properties.maxRequestSize().toBytes(), properties.streams().idleTimeout()),
                new RouteMatchFilter(routes, protocols, descriptors),
                new DeadlineFilter(protocols),
                new TracedStep(new AuthenticationFilter(tokens, tracing), "authenticate", tracing),
                new TracedStep(new RateLimitFilter(rateLimiter, clientAddresses, metrics,
                        properties.rateLimitHeaders()), "rate limit", tracing),
                new UpstreamCallFilter(protocols, (int) properties.maxRequestSize().toBytes(),
                        new ForwardedMetadata(properties.forwardedHeaders()),
                        new GuardedCall(channels, metrics, tracing), guards, selector, unreachable,
                        properties.streams().idleTimeout()));
        return new RequestPipeline(steps);
    }
}
