package dev.torii.gateway.traffic;

/**
 * Answers one rate-limit check: whether the request may pass, and what the client is told in the
 * {@code RateLimit-*} headers.
 *
 * @param allowed whether the request may pass
 * @param limit the bucket's capacity ({@code RateLimit-Limit})
 * @param remaining whole tokens left after this request ({@code RateLimit-Remaining})
 * @param resetSeconds seconds until the bucket is full again ({@code RateLimit-Reset})
 * @param retryAfterSeconds when refused, seconds until this request would pass ({@code Retry-After})
 */
public record RateLimitDecision(boolean allowed, long limit, long remaining, long resetSeconds, long retryAfterSeconds) {

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
        return new RateLimitDecision(allowed, capacity, remaining, reset, retryAfter);
    }

    private static long seconds(double nanos) {
        return nanos <= 0 ? 0 : (long) Math.ceil(nanos / 1e9);
    }
}
