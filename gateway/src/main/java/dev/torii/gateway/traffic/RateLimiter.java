package dev.torii.gateway.traffic;

import dev.torii.gateway.route.TrafficPolicy;
import reactor.core.publisher.Mono;

/**
 * Takes tokens from rate-limit buckets. Implementations never block the calling thread.
 */
public interface RateLimiter {

    /**
     * Takes {@code limit.cost()} tokens from the bucket named {@code bucket}, if it has them.
     *
     * @param bucket the bucket's key, already unique per route and caller
     * @param limit the route's limit
     * @return the decision
     */
    Mono<RateLimitDecision> acquire(String bucket, TrafficPolicy.RateLimit limit);

    /**
     * Names where buckets are kept right now, for metrics: {@code redis} or {@code local}.
     *
     * @return the store
     */
    default String store() {
        return "local";
    }
}
