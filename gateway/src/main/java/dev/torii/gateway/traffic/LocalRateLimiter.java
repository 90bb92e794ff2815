package dev.torii.gateway.traffic;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.torii.gateway.route.TrafficPolicy;
import java.time.Duration;
import java.util.function.LongSupplier;
import reactor.core.publisher.Mono;

/**
 * Keeps token buckets in this process: the limiter when no Redis is configured, and the fallback
 * while Redis is out. Buckets idle for a while are dropped (a dropped bucket is a full one, which
 * is what it would have refilled to), and their number is bounded.
 */
public final class LocalRateLimiter implements RateLimiter {

    private final Cache<String, Bucket> buckets;
    private final LongSupplier nanoClock;

    /**
     * Creates the limiter.
     *
     * @param maxBuckets the most buckets kept
     * @param nanoClock a monotonic clock in nanoseconds
     */
    public LocalRateLimiter(long maxBuckets, LongSupplier nanoClock) {
        this.buckets = Caffeine.newBuilder().maximumSize(maxBuckets).expireAfterAccess(Duration.ofMinutes(10))
                .executor(Runnable::run).build();
        this.nanoClock = nanoClock;
    }

    @Override
    public Mono<RateLimitDecision> acquire(String bucket, TrafficPolicy.RateLimit limit) {
        return Mono.just(acquireNow(bucket, limit));
    }

    /**
     * Takes tokens synchronously; the bucket's own lock is held for a few arithmetic operations.
     *
     * @param bucket the bucket's key
     * @param limit the limit
     * @return the decision
     */
    RateLimitDecision acquireNow(String bucket, TrafficPolicy.RateLimit limit) {
        long now = nanoClock.getAsLong();
        return buckets.get(bucket, key -> new Bucket(limit.burst(), now)).take(limit, now);
    }

    private static final class Bucket {
        private double tokens;
        private long updatedNanos;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.updatedNanos = now;
        }

        synchronized RateLimitDecision take(TrafficPolicy.RateLimit limit, long now) {
            double rate = limit.tokensPerNano();
            if (now > updatedNanos) {
                tokens = Math.min(limit.burst(), tokens + (now - updatedNanos) * rate);
                updatedNanos = now;
            }
            boolean allowed = tokens >= limit.cost();
            if (allowed) {
                tokens -= limit.cost();
            }
            return RateLimitDecision.of(allowed, tokens, limit.burst(), limit.cost(), rate);
        }
    }
}
