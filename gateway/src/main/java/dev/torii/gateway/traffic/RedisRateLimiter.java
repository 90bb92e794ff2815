package dev.torii.gateway.traffic;

import dev.torii.gateway.route.TrafficPolicy;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Keeps token buckets in Redis, shared by every gateway instance: one atomic script, one round
 * trip, one key per bucket (with a hash tag, so Redis Cluster keeps the bucket on one node).
 *
 * <p>Failure policy: each call has a short timeout, and a circuit breaker watches Redis. While
 * Redis fails or the breaker is open, buckets are kept in this process ({@link LocalRateLimiter})
 * instead: the gateway neither blocks nor refuses everyone, it limits per instance. The switch is
 * logged once each way and exposed through {@link #usingRedis()}; the breaker probes Redis again
 * by itself and the shared buckets take over when it answers.
 */
public final class RedisRateLimiter implements RateLimiter {

    private static final Logger log = LoggerFactory.getLogger(RedisRateLimiter.class);

    // Token bucket: refill by elapsed time (Redis' own clock, so instances need not agree on
    // time), take the cost if there is enough, store, expire an idle bucket once it would be full.
    static final String SCRIPT = """
            local key = KEYS[1]
            local rate = tonumber(ARGV[1])
            local capacity = tonumber(ARGV[2])
            local cost = tonumber(ARGV[3])
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
            local state = redis.call('HMGET', key, 'tokens', 'ts')
            local tokens = tonumber(state[1])
            local ts = tonumber(state[2])
            if tokens == nil then
              tokens = capacity
              ts = now
            end
            if now > ts then
              tokens = math.min(capacity, tokens + (now - ts) * rate)
              ts = now
            end
            local allowed = 0
            if tokens >= cost then
              tokens = tokens - cost
              allowed = 1
            end
            redis.call('HSET', key, 'tokens', tostring(tokens), 'ts', tostring(ts))
            redis.call('PEXPIRE', key, math.ceil((capacity - tokens) / rate / 1000) + 1000)
            return {allowed, tostring(tokens)}
            """;

    private final Supplier<RedisScriptingAsyncCommands<String, String>> commands;
    private final LocalRateLimiter fallback;
    private final Duration timeout;
    private final String prefix;
    private final String sha;
    private final CircuitBreaker breaker;
    private final AtomicBoolean degraded = new AtomicBoolean(false);

    /**
     * Creates the limiter.
     *
     * @param commands the Redis (or Redis Cluster) connection's scripting commands
     * @param fallback the buckets used while Redis is out
     * @param timeout the longest one Redis call may take
     * @param prefix the prefix of every key
     */
    public RedisRateLimiter(Supplier<RedisScriptingAsyncCommands<String, String>> commands, LocalRateLimiter fallback,
            Duration timeout, String prefix) {
        this.commands = commands;
        this.fallback = fallback;
        this.timeout = timeout;
        this.prefix = prefix;
        this.sha = sha1(SCRIPT);
        this.breaker = CircuitBreaker.of("redis-rate-limits", CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(20)
                .minimumNumberOfCalls(5)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(5))
                .permittedNumberOfCallsInHalfOpenState(3)
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .build());
    }

    @Override
    public Mono<RateLimitDecision> acquire(String bucket, TrafficPolicy.RateLimit limit) {
        if (!breaker.tryAcquirePermission()) {
            degrade(null);
            return Mono.just(fallback.acquireNow(bucket, limit));
        }
        long started = System.nanoTime();
        double perMicro = limit.tokensPerNano() * 1000;
        List<String> keys = List.of(prefix + "{" + bucket + "}");
        String[] args = {Double.toString(perMicro), Long.toString(limit.burst()), Long.toString(limit.cost())};
        CompletableFuture<List<Object>> call;
        try {
            RedisScriptingAsyncCommands<String, String> redis = commands.get();
            call = redis.<List<Object>>evalsha(sha, ScriptOutputType.MULTI, keys.toArray(String[]::new), args)
                    .toCompletableFuture()
                    .exceptionallyCompose(failure -> unwrap(failure) instanceof RedisNoScriptException
                            ? redis.<List<Object>>eval(SCRIPT, ScriptOutputType.MULTI, keys.toArray(String[]::new), args)
                                    .toCompletableFuture()
                            : CompletableFuture.failedFuture(failure))
                    .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        return Mono.fromFuture(call).map(reply -> {
            breaker.onSuccess(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            // Back only once the breaker has closed again, not on each half-open probe, so the
            // switch is logged once each way.
            if (breaker.getState() == CircuitBreaker.State.CLOSED && degraded.compareAndSet(true, false)) {
                log.info("Redis answers again: rate limits are shared across gateway instances again");
            }
            boolean allowed = ((Number) reply.get(0)).longValue() == 1;
            double tokens = Double.parseDouble(String.valueOf(reply.get(1)));
            return RateLimitDecision.of(allowed, tokens, limit.burst(), limit.cost(), limit.tokensPerNano());
        }).onErrorResume(failure -> {
            if (!(failure instanceof CallNotPermittedException)) {
                breaker.onError(System.nanoTime() - started, TimeUnit.NANOSECONDS, failure);
            }
            degrade(failure);
            return Mono.just(fallback.acquireNow(bucket, limit));
        });
    }

    /**
     * Tells whether buckets are kept in Redis right now (rather than in this process).
     *
     * @return false while Redis is out
     */
    public boolean usingRedis() {
        return !degraded.get();
    }

    @Override
    public String store() {
        return usingRedis() ? "redis" : "local";
    }

    /**
     * Returns the state of the breaker that watches Redis, for the status page and metrics.
     *
     * @return the breaker's state
     */
    public CircuitBreaker.State breakerState() {
        return breaker.getState();
    }

    private void degrade(Throwable failure) {
        if (degraded.compareAndSet(false, true)) {
            log.warn("Redis does not answer ({}): rate limits are kept per gateway instance until it does",
                    failure == null ? "breaker open" : describe(failure));
        }
    }

    private static String describe(Throwable failure) {
        Throwable root = unwrap(failure);
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static String sha1(String script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-1", e);
        }
    }
}
