package dev.torii.gateway.auth;

import java.time.Duration;
import java.util.Optional;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Configures the gateway's use of the Authority.
 *
 * @param target the Authority's gRPC address ({@code host:port} or a gRPC target URI); required
 *     as soon as one route is not public
 * @param tls whether to use TLS towards the Authority; without {@code tlsBundle}, the JVM's trust
 *     store verifies it and no client certificate is sent
 * @param tlsBundle the Spring Boot SSL bundle ({@code spring.ssl.bundle.pem.<name>} or
 *     {@code .jks.<name>}) for TLS towards the Authority: its trust material is the CA to trust
 *     (the JVM's trust store when it has none) and its key store, when present, the client
 *     certificate for mutual TLS. Naming one implies {@code tls}. With the bundle's
 *     {@code reload-on-update: true}, new connections use replaced files without a restart
 * @param timeout the longest one exchange may take; the request's own deadline can cut it shorter
 * @param cacheMaxEntries the most private tokens kept
 * @param refreshBefore a private token is exchanged again when it expires sooner than this
 * @param negativeTtl how long a credential the Authority rejected is refused without asking again
 */
public record AuthorityProperties(
        Optional<String> target,
        @DefaultValue("false") boolean tls,
        Optional<String> tlsBundle,
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
        tlsBundle = tlsBundle == null ? Optional.empty() : tlsBundle.filter(name -> !name.isBlank());
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("torii.gateway.authority.timeout: " + timeout + " (expected: > 0)");
        }
        if (cacheMaxEntries < 1) {
            throw new IllegalArgumentException("torii.gateway.authority.cache-max-entries: " + cacheMaxEntries
                    + " (expected: >= 1)");
        }
    }
}
