package dev.torii.gateway.traffic;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.torii.gateway.route.TrafficPolicy;
import java.util.function.LongSupplier;
import reactor.core.publisher.Mono;

/**
 * Keeps token buckets in this process: the limiter when no Redis is configured, and the fallback
 * while Redis is out. A bucket is forgotten once it would have refilled to full (a forgotten
 * bucket is a full one, so forgetting it earlier would hand out tokens the limit never granted: a
 * {@code 1000/1h} bucket drained and dropped after ten idle minutes would give 1000 again instead
 * of 166), as the Redis script's {@code PEXPIRE} does; their number is bounded.
 */
public final class LocalRateLimiter implements RateLimiter {

    private final Cache<String, Bucket> buckets;
    private final LongSupplier nanoClock;

    /**
     * Creates the limiter.
     *
     * @param maxBuckets the most buckets kept
     * @param nanoClock a monotonic clock in nanoseconds; it also times when buckets are forgotten
     */
    public LocalRateLimiter(long maxBuckets, LongSupplier nanoClock) {
        this.buckets = Caffeine.newBuilder().maximumSize(maxBuckets).expireAfter(new UntilFull())
                .ticker(nanoClock::getAsLong).executor(Runnable::run).build();
        this.nanoClock = nanoClock;
    }

    @Override
    public Mono<RateLimitDecision> acquire(String bucket, TrafficPolicy.RateLimit limit) {
        return Mono.just(acquireNow(bucket, limit));
    }

    /**
     * Takes tokens synchronously; the bucket's entry is locked for a few arithmetic operations.
     *
     * @param bucket the bucket's key
     * @param limit the limit
     * @return the decision
     */
    RateLimitDecision acquireNow(String bucket, TrafficPolicy.RateLimit limit) {
        long now = nanoClock.getAsLong();
        // A new state per take, so the cache times the entry from the state after it.
        Bucket after = buckets.asMap().compute(bucket, (key, before) -> Bucket.take(before, limit, now));
        return RateLimitDecision.of(after.allowed, after.tokens, limit.burst(), limit.cost(), after.tokensPerNano);
    }

    /**
     * Counts the buckets kept, after dropping those due to be forgotten; for tests.
     *
     * @return the number of buckets
     */
    long bucketCount() {
        buckets.cleanUp();
        return buckets.estimatedSize();
    }

    private record Bucket(double tokens, long updatedNanos, boolean allowed, long burst, double tokensPerNano) {

        static Bucket take(Bucket before, TrafficPolicy.RateLimit limit, long now) {
            double rate = limit.tokensPerNano();
            double tokens = before == null ? limit.burst() : before.tokens;
            long updated = before == null ? now : before.updatedNanos;
            if (now > updated) {
                tokens = Math.min(limit.burst(), tokens + (now - updated) * rate);
                updated = now;
            }
            boolean allowed = tokens >= limit.cost();
            if (allowed) {
                tokens -= limit.cost();
            }
            return new Bucket(tokens, updated, allowed, limit.burst(), rate);
        }

        long nanosUntilFull() {
            double nanos = Math.ceil((burst - tokens) / tokensPerNano);
            return nanos >= Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, (long) nanos);
        }
    }

    private static final class UntilFull implements Expiry<String, Bucket> {

        @Override
        public long expireAfterCreate(String key, Bucket bucket, long currentTime) {
            return bucket.nanosUntilFull();
        }

        @Override
        public long expireAfterUpdate(String key, Bucket bucket, long currentTime, long currentDuration) {
            return bucket.nanosUntilFull();
        }

        @Override
        public long expireAfterRead(String key, Bucket bucket, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}
