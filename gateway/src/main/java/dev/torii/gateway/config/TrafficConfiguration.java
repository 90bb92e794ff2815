package dev.torii.gateway.config;

import dev.torii.gateway.grpc.LocalUpstreamSelector;
import dev.torii.gateway.grpc.UnreachableUpstreams;
import dev.torii.gateway.grpc.UpstreamChannels;
import dev.torii.gateway.route.RouteRegistry;
import dev.torii.gateway.traffic.ClientAddressResolver;
import dev.torii.gateway.traffic.LocalRateLimiter;
import dev.torii.gateway.traffic.RateLimiter;
import dev.torii.gateway.traffic.RedisRateLimiter;
import dev.torii.gateway.traffic.UpstreamGuards;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
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
    ClientAddressResolver clientAddressResolver(TrafficProperties properties) {
        return new ClientAddressResolver(properties.clientIp().trustedProxies());
    }

    @Bean
    UpstreamGuards upstreamGuards(TrafficProperties properties, RouteRegistry routes) {
        UpstreamGuards guards = new UpstreamGuards(properties.retryBudget().ratio(),
                properties.retryBudget().minPerSecond());
        guards.update(routes.current());
        return guards;
    }

    @Bean(destroyMethod = "close")
    LocalUpstreamSelector localUpstreamSelector(UpstreamChannels channels, RouteRegistry routes,
            TrafficProperties properties) {
        return new LocalUpstreamSelector(channels, routes, properties.localUpstreamCheckInterval());
    }

    @Bean
    UnreachableUpstreams unreachableUpstreams(TrafficProperties properties) {
        if (properties.developerErrors()) {
            log.warn("torii.gateway.developer-errors is on: errors name internal addresses and route files;"
                    + " for local development only");
        }
        return new UnreachableUpstreams(properties.developerErrors());
    }

    @Bean(destroyMethod = "close")
    RedisConnection rateLimitRedis(TrafficProperties properties) {
        return new RedisConnection(properties.redis());
    }

    @Bean
    RateLimiter rateLimiter(TrafficProperties properties, RedisConnection redis) {
        LocalRateLimiter local = new LocalRateLimiter(properties.maxLocalBuckets(), System::nanoTime);
        if (properties.redis().uri().isEmpty()) {
            log.info("rate-limit buckets are kept per gateway instance (set torii.gateway.redis.uri to share them)");
            return local;
        }
        return new RedisRateLimiter(redis::commands, local, properties.redis().commandTimeout(),
                properties.redis().keyPrefix());
    }

    /**
     * Owns the Lettuce client and its one connection (Redis, Sentinel or Cluster), connecting
     * lazily and again after a failure, without ever blocking a request.
     */
    public static final class RedisConnection implements AutoCloseable {

        private final TrafficProperties.Redis settings;
        private final AtomicReference<Object> client = new AtomicReference<>();
        private volatile RedisScriptingAsyncCommands<String, String> commands;
        private volatile java.util.concurrent.CompletableFuture<?> connecting;

        RedisConnection(TrafficProperties.Redis settings) {
            this.settings = settings;
            if (settings.uri().isPresent()) {
                // Connect at start-up, in the background, so the first requests already share buckets.
                connect();
            }
        }

        /**
         * Returns the scripting commands of the connection, starting a connection in the background
         * when there is none yet.
         *
         * @return the commands
         * @throws IllegalStateException while not connected (the caller falls back to local buckets)
         */
        RedisScriptingAsyncCommands<String, String> commands() {
            RedisScriptingAsyncCommands<String, String> ready = commands;
            if (ready != null) {
                return ready;
            }
            connect();
            throw new IllegalStateException("not connected to Redis yet");
        }

        private synchronized void connect() {
            if (commands != null || (connecting != null && !connecting.isDone())) {
                return;
            }
            RedisURI uri = RedisURI.create(settings.uri().orElseThrow());
            // Connecting (and its HELLO handshake, on a cold JVM) may take longer than one rate-limit
            // check may wait; the check's own timeout is applied per call by the limiter.
            uri.setTimeout(Duration.ofSeconds(2));
            Duration timeout = Duration.ofSeconds(2);
            if (settings.cluster()) {
                RedisClusterClient cluster = (RedisClusterClient) client.updateAndGet(c -> c != null ? c
                        : RedisClusterClient.create(uri));
                cluster.setOptions(ClusterClientOptions.builder()
                        .autoReconnect(true)
                        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                        .timeoutOptions(TimeoutOptions.enabled(timeout))
                        .build());
                Supplier<java.util.concurrent.CompletableFuture<StatefulRedisClusterConnection<String, String>>> open =
                        () -> cluster.connectAsync(io.lettuce.core.codec.StringCodec.UTF8).toCompletableFuture();
                connecting = open.get().thenAccept(connection -> commands = connection.async());
            } else {
                RedisClient standalone = (RedisClient) client.updateAndGet(c -> c != null ? c : RedisClient.create());
                standalone.setOptions(ClientOptions.builder()
                        .autoReconnect(true)
                        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                        .timeoutOptions(TimeoutOptions.enabled(timeout))
                        .build());
                java.util.concurrent.CompletableFuture<StatefulRedisConnection<String, String>> open = standalone
                        .connectAsync(io.lettuce.core.codec.StringCodec.UTF8, uri).toCompletableFuture();
                connecting = open.thenAccept(connection -> commands = connection.async());
            }
            connecting.exceptionally(failure -> {
                log.debug("Redis connection attempt failed: {}", failure.getMessage());
                return null;
            });
        }

        @Override
        public void close() {
            Object current = client.get();
            if (current instanceof RedisClient standalone) {
                standalone.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            } else if (current instanceof RedisClusterClient cluster) {
                cluster.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
        }
    }
}
