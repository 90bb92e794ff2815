package dev.torii.gateway.auth;

import java.time.Duration;
import java.util.Optional;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Configures the gateway's use of the Authority.
 *
 * @param target the Authority's gRPC address ({@code host:port} or a gRPC target URI); required
 *     as soon as one route is not public
 * @param tls whether to use TLS (with the JDK trust store) towards the Authority
 * @param timeout the longest one exchange may take; the request's own deadline can cut it shorter
 * @param cacheMaxEntries the most private tokens kept
 * @param refreshBefore a private token is exchanged again when it expires sooner than this
 * @param negativeTtl how long a credential the Authority rejected is refused without asking again
 */
public record AuthorityProperties(
        Optional<String> target,
        @DefaultValue("false") boolean tls,
        @DefaultValue("2s") Duration timeout,
        @DefaultValue("100000") long cacheMaxEntries,
        @DefaultValue("30s") Duration refreshBefore,
        @DefaultValue("5s") Duration negativeTtl) {

    /**
     * Checks the values.
     */
    public AuthorityProperties {
        // Spring binds an absent Optional as null.
        target = target == null ? Optional.empty() : target;
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("torii.gateway.authority.timeout: " + timeout + " (expected: > 0)");
        }
        if (cacheMaxEntries < 1) {
            throw new IllegalArgumentException("torii.gateway.authority.cache-max-entries: " + cacheMaxEntries
                    + " (expected: >= 1)");
        }
    }
}
