package dev.torii.authority.config;

import com.nimbusds.jose.jwk.JWK;
import dev.torii.authority.cache.AccessTokenStore;
import dev.torii.authority.cache.ExchangeCache;
import dev.torii.authority.cache.RedisStore;
import dev.torii.authority.exchange.AccessTokenResolution;
import dev.torii.authority.exchange.AuthorityGrpcService;
import dev.torii.authority.exchange.TokenExchangeEndpoint;
import dev.torii.authority.exchange.TokenExchanger;
import dev.torii.authority.jwks.WellKnownEndpoints;
import dev.torii.authority.mint.KeyFileWatcher;
import dev.torii.authority.mint.KeyRing;
import dev.torii.authority.mint.PrivateTokenMinter;
import dev.torii.authority.mint.SigningKeys;
import dev.torii.authority.verify.CredentialKind;
import dev.torii.authority.verify.CredentialVerifier;
import dev.torii.authority.verify.KeyFetchMonitor;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.grpc.ServerInterceptor;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.grpc.ObservationGrpcServerInterceptor;
import io.micrometer.observation.ObservationRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the Authority: keys and minting, verifiers chosen by configuration, caches, the
 * exchange, and the gRPC and HTTP endpoints that serve it.
 */
@Configuration(proxyBeanMethods = false)
public class AuthorityConfiguration {

    private static final Logger log = LoggerFactory.getLogger(AuthorityConfiguration.class);

    @Bean
    Clock authorityClock() {
        return Clock.systemUTC();
    }

    /** Counts key fetch failures and stale-key uses of the verifiers, for the meters and the health details. */
    @Bean
    KeyFetchMonitor keyFetchMonitor(Clock clock) {
        return new KeyFetchMonitor(clock);
    }

    /**
     * Publishes the key endpoints' state: {@code torii.authority.key.fetch.failures} and {@code
     * torii.authority.key.fetch.stale} (counters) and {@code torii.authority.key.fetch.outage}
     * (endpoints whose last good keys are in use now), each by {@code source}.
     */
    @Bean
    MeterBinder keyFetchMeters(KeyFetchMonitor monitor) {
        return registry -> {
            for (KeyFetchMonitor.Source source : KeyFetchMonitor.Source.values()) {
                FunctionCounter.builder("torii.authority.key.fetch.failures", monitor,
                                m -> m.snapshot(source).fetchFailures())
                        .description("Key fetches (JWKS, Google certificates) that failed")
                        .tag("source", source.tag()).register(registry);
                FunctionCounter.builder("torii.authority.key.fetch.stale", monitor,
                                m -> m.snapshot(source).staleKeyUses())
                        .description("Verifications that used keys past their time to live, within the outage"
                                + " grace, because the key endpoint could not be reached")
                        .tag("source", source.tag()).register(registry);
                Gauge.builder("torii.authority.key.fetch.outage", monitor, m -> m.snapshot(source).endpointsInOutage())
                        .description("Key endpoints that cannot be reached and whose last good keys are in use")
                        .tag("source", source.tag()).register(registry);
            }
        };
    }

    @Bean
    KeyRing keyRing(AuthorityProperties properties, Clock clock) {
        AuthorityProperties.Keys keys = properties.keys();
        if (keys.overlap().compareTo(properties.tokens().lifetime()) <= 0) {
            throw new IllegalArgumentException("torii.authority.keys.overlap: " + keys.overlap()
                    + " (expected: longer than torii.authority.tokens.lifetime " + properties.tokens().lifetime()
                    + ", so tokens signed before a rotation keep verifying until they expire)");
        }
        if (keys.files().isEmpty()) {
            log.warn("no signing key files configured (torii.authority.keys.files): generated a {} key for this"
                    + " process only. Tokens will not verify after a restart and replicas will not agree;"
                    + " use key files outside local development.", properties.tokens().algorithm());
            return new KeyRing(SigningKeys.generate(properties.tokens().algorithm()), keys.overlap(), clock);
        }
        List<JWK> loaded = KeyFileWatcher.read(keys.files(), properties.tokens().algorithm());
        KeyRing ring = new KeyRing(loaded.get(0), keys.overlap(), clock);
        ring.publishAlso(loaded.subList(1, loaded.size()));
        return ring;
    }

    /** Stops a background task when the context closes. */
    record BackgroundTask(Runnable stop) implements AutoCloseable {
        @Override
        public void close() {
            stop.run();
        }
    }

    @Bean(destroyMethod = "close")
    BackgroundTask keyRotation(AuthorityProperties properties, KeyRing ring) {
        AuthorityProperties.Keys keys = properties.keys();
        if (!keys.files().isEmpty()) {
            KeyFileWatcher watcher = KeyFileWatcher.watch(keys.files(), properties.tokens().algorithm(), ring,
                    keys.pollInterval());
            return new BackgroundTask(watcher::close);
        }
        if (keys.rotateGeneratedEvery().isZero()) {
            return new BackgroundTask(() -> { });
        }
        java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors
                .newSingleThreadScheduledExecutor(r -> daemon(r, "signing-key-rotation"));
        long every = keys.rotateGeneratedEvery().toMillis();
        timer.scheduleAtFixedRate(() -> ring.rotate(SigningKeys.generate(properties.tokens().algorithm())),
                every, every, TimeUnit.MILLISECONDS);
        return new BackgroundTask(timer::shutdownNow);
    }

    @Bean
    PrivateTokenMinter privateTokenMinter(KeyRing ring, AuthorityProperties properties, Clock clock) {
        return new PrivateTokenMinter(ring, properties.issuer(), properties.tokens().lifetime(), clock);
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(prefix = "torii.authority.redis", name = "uri")
    RedisStore redisStore(AuthorityProperties properties) {
        java.net.URI uri = properties.redis().uri().orElseThrow();
        log.info("sharing the exchange cache through Redis at {}:{}", uri.getHost(), uri.getPort());
        return new RedisStore(uri, properties.redis().commandTimeout(), properties.redis().keyPrefix());
    }

    @Bean
    ExchangeCache exchangeCache(AuthorityProperties properties, ObjectProvider<RedisStore> redis, Clock clock) {
        AuthorityProperties.Cache cache = properties.cache();
        return new ExchangeCache(cache.maxEntries(), cache.refreshBefore(), cache.negativeTtl(),
                Optional.ofNullable(redis.getIfAvailable()), clock);
    }

    @Bean
    AccessTokenStore accessTokenStore(AuthorityProperties properties, ObjectProvider<RedisStore> redis, Clock clock) {
        return new AccessTokenStore(properties.cache().maxEntries(), Optional.ofNullable(redis.getIfAvailable()), clock);
    }

    @Bean
    TokenExchanger tokenExchanger(Map<CredentialKind, CredentialVerifier> credentialVerifiers, PrivateTokenMinter minter,
            ExchangeCache cache, AccessTokenStore accessTokens, AuthorityProperties properties,
            ObjectProvider<io.micrometer.core.instrument.MeterRegistry> meters) {
        return new TokenExchanger(credentialVerifiers, minter, cache, accessTokens, new HashSet<>(properties.audiences()),
                properties.google().idTokenIssuers(),
                meters.getIfAvailable(io.micrometer.core.instrument.composite.CompositeMeterRegistry::new),
                properties.limits().maxSubjectTokenLength());
    }

    @Bean
    AccessTokenResolution accessTokenResolution(KeyRing ring, AuthorityProperties properties, AccessTokenStore store,
            Clock clock) {
        return new AccessTokenResolution(ring, properties.issuer(), new HashSet<>(properties.resolve().allowedAudiences()),
                store, clock);
    }

    /**
     * Serves the Authority's gRPC contract. Each call is an observation ({@code grpc.server}):
     * timed, and with tracing on a server span that continues the caller's W3C {@code
     * traceparent} from the call's metadata, so the gateway's trace goes on into the Authority and
     * its calls to the identity provider and Google.
     */
    @Bean
    GrpcServerLifecycle authorityGrpcServer(AuthorityProperties properties, TokenExchanger exchanger,
            AccessTokenResolution resolution, ObjectProvider<SslBundles> sslBundles,
            ObjectProvider<ObservationRegistry> observations) {
        List<ServerInterceptor> interceptors = new ArrayList<>();
        observations.ifAvailable(registry -> interceptors.add(new ObservationGrpcServerInterceptor(registry)));
        return new GrpcServerLifecycle(properties.grpc().port(),
                GrpcServerTls.credentials(properties.grpc().ssl(), sslBundles.getIfAvailable()),
                properties.grpc().shutdownGrace(), List.of(new AuthorityGrpcService(exchanger, resolution)),
                interceptors);
    }

    /**
     * Tells the readiness probe whether exchanges can be served; named {@code exchange} in the
     * health endpoint and its readiness group.
     */
    @Bean
    ExchangeHealthIndicator exchangeHealthIndicator(GrpcServerLifecycle grpcServer, KeyRing ring,
            AuthorityProperties properties, KeyFetchMonitor keyFetchMonitor) {
        // The count, not the paths: without a separate management port this shows on the HTTP port.
        int files = properties.keys().files().size();
        String source = files == 0 ? "generated at start-up (local development only)" : files + " key file(s)";
        return new ExchangeHealthIndicator(grpcServer, ring, source, keyFetchMonitor);
    }

    @Bean
    WellKnownEndpoints wellKnownEndpoints(KeyRing ring, AuthorityProperties properties) {
        return new WellKnownEndpoints(ring, properties.issuer(), properties.tokens().algorithm());
    }

    @Bean
    TokenExchangeEndpoint tokenExchangeEndpoint(TokenExchanger exchanger, Clock clock, AuthorityProperties properties) {
        return new TokenExchangeEndpoint(exchanger, clock, (int) properties.limits().maxFormSize().toBytes());
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }
}
