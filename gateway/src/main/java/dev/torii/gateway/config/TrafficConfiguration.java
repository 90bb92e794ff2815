package dev.torii.gateway.config;

import dev.torii.gateway.upstream.LocalUpstreamSelector;
import dev.torii.gateway.upstream.UnreachableUpstreams;
import dev.torii.gateway.upstream.UpstreamHealthChecker;
import dev.torii.gateway.route.RouteRegistry;
import dev.torii.gateway.traffic.ClientAddressResolver;
import dev.torii.gateway.traffic.LocalRateLimiter;
import dev.torii.gateway.traffic.RateLimiter;
import dev.torii.gateway.traffic.RedisConnection;
import dev.torii.gateway.traffic.RedisRateLimiter;
import dev.torii.gateway.traffic.UpstreamGuards;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.context.annotation.Configuration;

/**
 * Wires traffic control: the rate limiter (Redis when configured, in process otherwise), the
 * client-address rule, each upstream's guards, local/remote target selection and the
 * explanations of unreachable upstreams.
 */
@Configuration(proxyBeanMethods = false)
public class TrafficConfiguration {

    private static final Logger log = LoggerFactory.getLogger(TrafficConfiguration.class);

    @Bean
    ClientAddressResolver clientAddressResolver(GatewayProperties properties) {
        return new ClientAddressResolver(properties.clientIp().trustedProxies());
    }

    @Bean
    UpstreamGuards upstreamGuards(GatewayProperties properties) {
        return new UpstreamGuards(properties.retryBudget().ratio(), properties.retryBudget().minPerSecond());
    }

    @Bean
    LocalUpstreamSelector localUpstreamSelector(UpstreamHealthChecker health, RouteRegistry routes) {
        return new LocalUpstreamSelector(health, routes);
    }

    @Bean
    UnreachableUpstreams unreachableUpstreams(GatewayProperties properties) {
        if (properties.developerErrors()) {
            log.warn("torii.gateway.developer-errors is on: errors name internal addresses and route files;"
                    + " for local development only");
        }
        return new UnreachableUpstreams(properties.developerErrors());
    }

    @Bean(destroyMethod = "close")
    RedisConnection rateLimitRedis(GatewayProperties properties, ReactorResourceFactory resources) {
        return new RedisConnection(properties.redis(), resources.getLoopResources());
    }

    @Bean
    RateLimiter rateLimiter(GatewayProperties properties, RedisConnection redis) {
        LocalRateLimiter local = new LocalRateLimiter(properties.maxLocalBuckets(), System::nanoTime);
        if (properties.redis().uri().isEmpty()) {
            log.info("rate-limit buckets are kept per gateway instance (set torii.gateway.redis.uri to share them)");
            return local;
        }
        return new RedisRateLimiter(redis::commands, local, properties.redis().keyPrefix());
    }
}
