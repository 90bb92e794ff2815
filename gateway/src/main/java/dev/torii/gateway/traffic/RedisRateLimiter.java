package dev.torii.gateway.traffic;

import dev.torii.gateway.route.TrafficPolicy;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
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
 * <p>Hot buckets: at most one check per bucket is in flight from this instance. Requests for the
 * same bucket that arrive meanwhile wait for it and are then decided together by the next call,
 * in arrival order, exactly as one call each would have decided them (the script takes the cost
 * once per request while tokens last). A bucket many requests share at once (a route-wide limit,
 * many clients behind one carrier NAT address) so costs Redis one call per round trip rather than
 * one per request; a bucket with one request at a time is checked as before.
 *
 * <p>Failure policy: each call has a short timeout (the connection's; a request waits at most for
 * the call in flight and then its own), and a circuit breaker watches Redis. While Redis fails or
 * the breaker is open, buckets are kept in this process ({@link LocalRateLimiter}) instead: the
 * gateway neither blocks nor refuses everyone, it limits per instance. The switch is logged once
 * each way and exposed through {@link #usingRedis()}; the breaker probes Redis again by itself and
 * the shared buckets take over when it answers.
 *
 * <p>A request goes on on the thread that completes its decision: the one that read Redis' reply
 * (handing it back to the request's own event loop measured 25 µs of CPU more per request on two
 * cores, for work of a few microseconds).
 */
public final class RedisRateLimiter implements RateLimiter {

    private static final Logger log = LoggerFactory.getLogger(RedisRateLimiter.class);

    /** The most requests one call decides; more waiting requests of one bucket take further calls. */
    static final int MAX_BATCH = 128;

    // Token bucket: refill by elapsed time (Redis' own clock, so instances need not agree on
    // time), take the cost for each of the ARGV[4] requests (1 when absent) in turn while there are
    // enough tokens, store, expire an idle bucket once it would be full. Returns how many requests
    // passed and the tokens before the first was taken.
    static final String SCRIPT = """
            local key = KEYS[1]
            local rate = tonumber(ARGV[1])
            local capacity = tonumber(ARGV[2])
            local cost = tonumber(ARGV[3])
            local count = tonumber(ARGV[4]) or 1
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
            local before = tokens
            local allowed = 0
            while allowed < count and tokens >= cost do
              tokens = tokens - cost
              allowed = allowed + 1
            end
            redis.call('HSET', key, 'tokens', tostring(tokens), 'ts', tostring(ts))
            redis.call('PEXPIRE', key, math.ceil((capacity - tokens) / rate / 1000) + 1000)
            return {allowed, tostring(before)}
            """;

    private final Supplier<RedisScriptingAsyncCommands<String, String>> commands;
    private final LocalRateLimiter fallback;
    private final String prefix;
    private final String sha;
    private final CircuitBreaker breaker;
    private final AtomicBoolean degraded = new AtomicBoolean(false);
    private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();

    /**
     * Creates the limiter.
     *
     * @param commands the scripting commands of a Redis (or Redis Cluster) connection whose commands
     *     time out after the longest a check may wait (Lettuce's {@code TimeoutOptions})
     * @param fallback the buckets used while Redis is out
     * @param prefix the prefix of every key
     */
    public RedisRateLimiter(Supplier<RedisScriptingAsyncCommands<String, String>> commands, LocalRateLimiter fallback,
            String prefix) {
        this.commands = commands;
        this.fallback = fallback;
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
        CompletableFuture<RateLimitDecision> waiter = new CompletableFuture<>();
        Lane lane;
        boolean first;
        while (true) {
            lane = lanes.computeIfAbsent(bucket, key -> new Lane(key, limit));
            synchronized (lane) {
                if (lane.retired) {
                    continue;
                }
                first = !lane.busy;
                if (first) {
                    lane.busy = true;
                } else if (lane.limit.equals(limit) && lane.queued.size() < MAX_BATCH) {
                    lane.queued.add(waiter);
                    return Mono.fromFuture(waiter, true);
                }
            }
            break;
        }
        // The first request of an idle bucket goes at once; one that cannot join the queue (a
        // reload changed the limit under a call in flight, or the batch is full) goes on its own.
        send(first ? lane : null, bucket, limit, List.of(waiter));
        return Mono.fromFuture(waiter, true);
    }

    // Decides the waiters with one call; when it is done, sends what queued up meanwhile, if any.
    private void send(Lane lane, String bucket, TrafficPolicy.RateLimit limit,
            List<CompletableFuture<RateLimitDecision>> waiters) {
        if (!breaker.tryAcquirePermission()) {
            degrade(null);
            next(lane);
            decideLocally(bucket, limit, waiters);
            return;
        }
        long started = System.nanoTime();
        String[] keys = {prefix + "{" + bucket + "}"};
        String[] args = {Double.toString(limit.tokensPerNano() * 1000), Long.toString(limit.burst()),
            Long.toString(limit.cost()), Integer.toString(waiters.size())};
        CompletableFuture<List<Object>> call;
        try {
            RedisScriptingAsyncCommands<String, String> redis = commands.get();
            call = redis.<List<Object>>evalsha(sha, ScriptOutputType.MULTI, keys, args)
                    .toCompletableFuture()
                    .exceptionallyCompose(failure -> unwrap(failure) instanceof RedisNoScriptException
                            ? redis.<List<Object>>eval(SCRIPT, ScriptOutputType.MULTI, keys, args).toCompletableFuture()
                            : CompletableFuture.failedFuture(failure));
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        call.whenComplete((reply, failure) -> {
            next(lane);
            if (failure == null) {
                breaker.onSuccess(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                // Back only once the breaker has closed again, not on each half-open probe, so the
                // switch is logged once each way.
                if (breaker.getState() == CircuitBreaker.State.CLOSED && degraded.compareAndSet(true, false)) {
                    log.info("Redis answers again: rate limits are shared across gateway instances again");
                }
                try {
                    decide(reply, limit, waiters);
                } catch (RuntimeException unexpected) {
                    // A reply this code cannot read (it never should): no request waits forever for it.
                    log.warn("unexpected reply from Redis' rate-limit script: {}", reply);
                    decideLocally(bucket, limit, waiters);
                }
            } else {
                breaker.onError(System.nanoTime() - started, TimeUnit.NANOSECONDS, failure);
                log.debug("rate-limit check of {} failed", bucket, failure);
                degrade(failure);
                decideLocally(bucket, limit, waiters);
            }
        });
    }

    // The call of a lane is done: the requests that queued meanwhile go next, or the lane closes.
    private void next(Lane lane) {
        if (lane == null) {
            return;
        }
        List<CompletableFuture<RateLimitDecision>> queued;
        synchronized (lane) {
            queued = lane.queued;
            if (queued.isEmpty()) {
                lane.retired = true;
                lanes.remove(lane.bucket, lane);
                return;
            }
            lane.queued = new ArrayList<>();
        }
        send(lane, lane.bucket, lane.limit, queued);
    }

    private static void decide(List<Object> reply, TrafficPolicy.RateLimit limit,
            List<CompletableFuture<RateLimitDecision>> waiters) {
        long allowed = ((Number) reply.get(0)).longValue();
        double before = Double.parseDouble(String.valueOf(reply.get(1)));
        for (int i = 0; i < waiters.size(); i++) {
            boolean passes = i < allowed;
            double tokens = before - limit.cost() * (double) (passes ? i + 1 : allowed);
            waiters.get(i).complete(RateLimitDecision.of(passes, tokens, limit.burst(), limit.cost(),
                    limit.tokensPerNano()));
        }
    }

    private void decideLocally(String bucket, TrafficPolicy.RateLimit limit,
            List<CompletableFuture<RateLimitDecision>> waiters) {
        for (CompletableFuture<RateLimitDecision> waiter : waiters) {
            waiter.complete(fallback.acquireNow(bucket, limit));
        }
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

    // The checks of one bucket from this instance: whether a call is in flight, and who waits for the next.
    private static final class Lane {
        final String bucket;
        final TrafficPolicy.RateLimit limit;
        List<CompletableFuture<RateLimitDecision>> queued = new ArrayList<>();
        boolean busy;
        boolean retired;

        Lane(String bucket, TrafficPolicy.RateLimit limit) {
            this.bucket = bucket;
            this.limit = limit;
        }
    }
}
