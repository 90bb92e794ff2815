package dev.torii.gateway.traffic;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.springframework.boot.context.properties.bind.DefaultValue;

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
public record RedisProperties(Optional<URI> uri, @DefaultValue("false") boolean cluster,
        @DefaultValue("50ms") Duration commandTimeout, @DefaultValue("torii:rl:") String keyPrefix) {

    /**
     * Treats an absent URI as empty (Spring binds an absent Optional as null) and checks the timeout.
     */
    public RedisProperties {
        uri = uri == null ? Optional.empty() : uri;
        if (commandTimeout.isNegative() || commandTimeout.isZero()) {
            throw new IllegalArgumentException("torii.gateway.redis.command-timeout: " + commandTimeout
                    + " (expected: > 0)");
        }
    }
}
