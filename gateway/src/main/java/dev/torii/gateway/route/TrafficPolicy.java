package dev.torii.gateway.route;

import java.time.Duration;
import java.util.Optional;

/**
 * Says how the gateway protects a route and its upstream: an optional rate limit, how calls may be
 * retried, and the upstream's circuit breaker and concurrency limit.
 *
 * @param rateLimit the route's token bucket, if it has one
 * @param retry when and how failed calls are tried again
 * @param idempotent whether the method may run twice without harm, which widens what is retried
 * @param circuitBreaker the upstream's circuit breaker
 * @param maxConcurrentCalls the most calls in flight to the upstream; more are refused at once
 */
public record TrafficPolicy(Optional<RateLimit> rateLimit, Retry retry, boolean idempotent,
        CircuitBreaker circuitBreaker, int maxConcurrentCalls) {

    /** The most calls in flight to one upstream when the route file does not say. */
    public static final int DEFAULT_MAX_CONCURRENT_CALLS = 1000;

    /**
     * Describes a token bucket: {@code rate} tokens added per {@code period}, at most
     * {@code burst} held, {@code cost} taken per request, one bucket per value of {@code key}.
     *
     * @param key what the bucket is per
     * @param rate tokens added per period
     * @param period the period of the rate
     * @param burst the bucket's capacity
     * @param cost tokens one request takes
     */
    public record RateLimit(RateLimitKey key, long rate, Duration period, long burst, long cost) {

        /**
         * Returns the refill rate in tokens per nanosecond.
         *
         * @return tokens per nanosecond
         */
        public double tokensPerNano() {
            return (double) rate / period.toNanos();
        }

        /**
         * Describes the limit for the status page, such as {@code 100/1s burst 200 per principal}.
         *
         * @return a short description
         */
        public String describe() {
            return rate + "/" + RouteDurations.format(period) + " burst " + burst + (cost == 1 ? "" : " cost " + cost)
                    + " per " + key.describe();
        }
    }

    /**
     * Names what a rate limit's buckets are per.
     *
     * @param kind the kind of key
     * @param header the header name, for {@link Kind#HEADER}
     */
    public record RateLimitKey(Kind kind, String header) {

        /** The kinds of rate-limit key. */
        public enum Kind {
            /** The authenticated caller: a user id or a service-account email. */
            PRINCIPAL,
            /** Users only: each user has a bucket; service accounts are not limited by this rule. */
            USER,
            /** Service accounts only: each account has a bucket; users are not limited by this rule. */
            SERVICE_ACCOUNT,
            /** The client's IP address, after the trusted-proxy rule. */
            CLIENT_IP,
            /** One bucket for the whole route. */
            ROUTE,
            /** The value of a request header; requests without it share one bucket. */
            HEADER
        }

        /**
         * Describes the key, as written in route files.
         *
         * @return for example {@code clientIp} or {@code header:X-Api-Key}
         */
        public String describe() {
            return switch (kind) {
                case PRINCIPAL -> "principal";
                case USER -> "user";
                case SERVICE_ACCOUNT -> "serviceAccount";
                case CLIENT_IP -> "clientIp";
                case ROUTE -> "route";
                case HEADER -> "header:" + header;
            };
        }
    }

    /**
     * Describes retries.
     *
     * @param attempts the most attempts, the first one included; 1 never retries
     * @param backoff the first wait before a retry; later waits double, with full jitter
     * @param maxBackoff the longest wait
     */
    public record Retry(int attempts, Duration backoff, Duration maxBackoff) {

        /** No retries. */
        public static final Retry NONE = new Retry(1, Duration.ofMillis(25), Duration.ofMillis(250));
    }

    /**
     * Describes an upstream's circuit breaker (Resilience4j's count-based sliding window).
     *
     * @param enabled whether the breaker is on
     * @param failureRateThreshold percentage of failed calls in the window that opens the circuit
     * @param slowCallDuration calls slower than this count as slow
     * @param slowCallRateThreshold percentage of slow calls that opens the circuit
     * @param slidingWindowSize how many recent calls the rates are taken over
     * @param minimumNumberOfCalls calls needed before the rates mean anything
     * @param waitInOpenState how long the circuit stays open before probing
     * @param permittedCallsInHalfOpenState probe calls let through when half-open
     */
    public record CircuitBreaker(boolean enabled, int failureRateThreshold, Duration slowCallDuration,
            int slowCallRateThreshold, int slidingWindowSize, int minimumNumberOfCalls, Duration waitInOpenState,
            int permittedCallsInHalfOpenState) {

        /** The defaults, as documented in README. */
        public static final CircuitBreaker DEFAULT = new CircuitBreaker(true, 50, Duration.ofSeconds(10), 100, 50, 20,
                Duration.ofSeconds(10), 5);
    }
}
