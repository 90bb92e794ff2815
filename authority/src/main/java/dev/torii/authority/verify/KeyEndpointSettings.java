package dev.torii.authority.verify;

import java.time.Duration;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Configures how the keys of remote key endpoints (an OIDC issuer's JWKS, Google's JWKS and
 * service-account certificates) are kept through an outage of the endpoint, and how long they
 * are cached when the endpoint says so itself.
 *
 * @param outageGrace how long past their time to live the last good keys keep verifying tokens
 *     while the endpoint cannot be reached; after it, exchanges needing those keys fail
 *     (UNAVAILABLE). Zero turns the grace off
 * @param minCacheTtl the shortest time keys are cached when the endpoint's {@code Cache-Control}
 *     asks for less ({@code max-age=0}, {@code no-cache} and {@code no-store} included), so an
 *     endpoint cannot make every exchange fetch keys
 * @param maxCacheTtl the longest time keys are cached when the endpoint's {@code max-age} is
 *     longer, so a key the issuer withdrew stops verifying in bounded time
 * @param minRetryInterval the wait before the first retry once a fetch failed while the last
 *     good keys are used; it doubles with each failure
 * @param maxRetryInterval the longest wait between two retries during an outage
 */
public record KeyEndpointSettings(
        @DefaultValue("1h") Duration outageGrace,
        @DefaultValue("1m") Duration minCacheTtl,
        @DefaultValue("24h") Duration maxCacheTtl,
        @DefaultValue("5s") Duration minRetryInterval,
        @DefaultValue("5m") Duration maxRetryInterval) {

    /**
     * Checks the values.
     */
    public KeyEndpointSettings {
        if (outageGrace == null || outageGrace.isNegative()) {
            throw new IllegalArgumentException("torii.authority.key-endpoints.outage-grace: " + outageGrace
                    + " (expected: >= 0)");
        }
        positive("min-cache-ttl", minCacheTtl);
        positive("max-cache-ttl", maxCacheTtl);
        positive("min-retry-interval", minRetryInterval);
        positive("max-retry-interval", maxRetryInterval);
        if (minCacheTtl.compareTo(maxCacheTtl) > 0) {
            throw new IllegalArgumentException("torii.authority.key-endpoints.min-cache-ttl: " + minCacheTtl
                    + " (expected: at most max-cache-ttl " + maxCacheTtl + ")");
        }
        if (minRetryInterval.compareTo(maxRetryInterval) > 0) {
            throw new IllegalArgumentException("torii.authority.key-endpoints.min-retry-interval: " + minRetryInterval
                    + " (expected: at most max-retry-interval " + maxRetryInterval + ")");
        }
    }

    /**
     * Returns the defaults: a grace of one hour, caching between one minute and a day, retries
     * from every 5 seconds to every 5 minutes.
     *
     * @return the default settings
     */
    public static KeyEndpointSettings defaults() {
        return new KeyEndpointSettings(Duration.ofHours(1), Duration.ofMinutes(1), Duration.ofHours(24),
                Duration.ofSeconds(5), Duration.ofMinutes(5));
    }

    /**
     * Bounds the time to live an endpoint gave (its {@code max-age}) by {@link #minCacheTtl} and
     * {@link #maxCacheTtl}; a configured time to live, used when the endpoint gives none, is
     * taken as it is.
     *
     * @param timeToLive the endpoint's time to live
     * @return the time to live to use
     */
    Duration bound(Duration timeToLive) {
        if (timeToLive.compareTo(minCacheTtl) < 0) {
            return minCacheTtl;
        }
        return timeToLive.compareTo(maxCacheTtl) > 0 ? maxCacheTtl : timeToLive;
    }

    private static void positive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("torii.authority.key-endpoints." + name + ": " + value
                    + " (expected: > 0)");
        }
    }
}
