package dev.torii.gateway.config;

import dev.torii.gateway.traffic.RetryBudget;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Configures traffic control around the routes: where rate-limit buckets live, whose
 * {@code X-Forwarded-For} is trusted, how much retrying is allowed, and how much an unreachable
 * upstream's error may reveal. (The per-route settings live in the route files.)
 *
 * @param redis where rate-limit buckets are shared between gateway instances
 * @param clientIp how the client's address is worked out for {@code clientIp} rate limits
 * @param retryBudget how many retries each upstream may take
 * @param developerErrors whether an unreachable upstream's error names the address, whether
 *     anything listens there and the route file, with an HTML page for browsers; for local
 *     development only, since it reveals internal addresses
 * @param localUpstreamCheckInterval how often local upstream targets are health-checked
 * @param maxLocalBuckets the most rate-limit buckets kept in process
 */
@Validated
@ConfigurationProperties("torii.gateway")
public record TrafficProperties(
        @DefaultValue Redis redis,
        @DefaultValue ClientIp clientIp,
        @DefaultValue RetryBudget retryBudget,
        @DefaultValue("false") boolean developerErrors,
        @DefaultValue("2s") Duration localUpstreamCheckInterval,
        @DefaultValue("100000") long maxLocalBuckets) {

    /**
     * Checks the values.
     */
    public TrafficProperties {
        if (localUpstreamCheckInterval.compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException("torii.gateway.local-upstream-check-interval: " + localUpstreamCheckInterval
                    + " (expected: at least 100ms)");
        }
        if (maxLocalBuckets < 1) {
            throw new IllegalArgumentException("torii.gateway.max-local-buckets: " + maxLocalBuckets + " (expected: >= 1)");
        }
    }

    /**
     * Configures the Redis that holds shared rate-limit buckets.
     *
     * @param uri a Lettuce URI, such as {@code redis://redis:6379/0} or {@code redis-sentinel://...};
     *     absent keeps buckets in each instance
     * @param cluster whether {@code uri} names a Redis Cluster node
     * @param commandTimeout the longest one Redis call of a rate-limit check may take before the
     *     instance decides alone (a check waits at most for the call in flight for its bucket, then its own)
     * @param keyPrefix the prefix of every bucket key
     */
    public record Redis(Optional<URI> uri, @DefaultValue("false") boolean cluster,
            @DefaultValue("50ms") Duration commandTimeout, @DefaultValue("torii:rl:") String keyPrefix) {

        /**
         * Treats an absent URI as empty (Spring binds an absent Optional as null) and checks the timeout.
         */
        public Redis {
            uri = uri == null ? Optional.empty() : uri;
            if (commandTimeout.isNegative() || commandTimeout.isZero()) {
                throw new IllegalArgumentException("torii.gateway.redis.command-timeout: " + commandTimeout
                        + " (expected: > 0)");
            }
        }
    }

    /**
     * Configures which proxies' {@code X-Forwarded-For} entries are believed.
     *
     * @param trustedProxies IP addresses or CIDR blocks of the load balancers and proxies in
     *     front of the gateway; none by default, so the connection's peer is the client
     */
    public record ClientIp(@DefaultValue List<String> trustedProxies) {}

    /**
     * Configures the retry budget of each upstream.
     *
     * @param ratio retries allowed per request (0.2: at most one retry per five requests)
     * @param minPerSecond retries always allowed per second, however little traffic there is
     */
    public record RetryBudget(@DefaultValue("0.2") double ratio, @DefaultValue("10") double minPerSecond) {

        /**
         * Checks the values.
         */
        public RetryBudget {
            if (ratio < 0 || ratio > 1) {
                throw new IllegalArgumentException("torii.gateway.retry-budget.ratio: " + ratio + " (expected: 0 to 1)");
            }
            if (minPerSecond < 0) {
                throw new IllegalArgumentException("torii.gateway.retry-budget.min-per-second: " + minPerSecond
                        + " (expected: >= 0)");
            }
        }
    }
}
