package dev.torii.gateway.traffic;

/**
 * Answers one rate-limit check: whether the request may pass, and what the client is told in the
 * rate-limit headers.
 *
 * @param allowed whether the request may pass
 * @param limit the bucket's capacity ({@code RateLimit-Limit}, the policy's {@code q})
 * @param remaining whole tokens left after this request ({@code RateLimit-Remaining}, {@code r})
 * @param resetSeconds seconds until the bucket is full again ({@code RateLimit-Reset})
 * @param retryAfterSeconds when refused, seconds until this request would pass ({@code Retry-After})
 * @param nextSeconds seconds until more quota is there ({@code RateLimit}'s {@code t}): when
 *     refused, until this request would pass; otherwise until the next whole token; 0 when the
 *     bucket is full
 */
public record RateLimitDecision(boolean allowed, long limit, long remaining, long resetSeconds, long retryAfterSeconds,
        long nextSeconds) {

    /**
     * Works a decision out from a bucket's state after taking (or failing to take) {@code cost}.
     *
     * @param allowed whether the tokens were taken
     * @param tokens the tokens left
     * @param capacity the bucket's capacity
     * @param cost the request's cost
     * @param tokensPerNano the refill rate
     * @return the decision
     */
    static RateLimitDecision of(boolean allowed, double tokens, long capacity, long cost, double tokensPerNano) {
        long remaining = Math.max(0, (long) Math.floor(tokens));
        long reset = seconds((capacity - tokens) / tokensPerNano);
        long retryAfter = allowed ? 0 : Math.max(1, seconds((cost - tokens) / tokensPerNano));
        long next;
        if (!allowed) {
            next = retryAfter;
        } else if (tokens >= capacity) {
            next = 0;
        } else {
            next = Math.max(1, seconds((Math.floor(tokens) + 1 - tokens) / tokensPerNano));
        }
        return new RateLimitDecision(allowed, capacity, remaining, reset, retryAfter, next);
    }

    private static long seconds(double nanos) {
        return nanos <= 0 ? 0 : (long) Math.ceil(nanos / 1e9);
    }
}
