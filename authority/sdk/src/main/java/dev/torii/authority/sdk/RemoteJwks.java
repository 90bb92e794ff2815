package dev.torii.authority.sdk;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSetCacheRefreshEvaluator;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.jwk.source.JWKSetSourceWrapper;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.URLBasedJWKSetSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import java.net.MalformedURLException;
import java.net.URI;
import java.time.Duration;

/**
 * Serves the Authority's JWKS as a Nimbus key source: fetched over HTTP, cached for a time to live,
 * re-fetched early when a token names an unknown {@code kid} (but rate-limited by a refresh floor
 * so a stream of forged kids cannot hammer the Authority), and served from the last good copy
 * while the Authority is unreachable.
 *
 * <p>It also remembers the last JWKS actually fetched, because Nimbus reports "the rate limit
 * stopped a refetch" with the same exception whether the key is simply unknown (the token is bad)
 * or no JWKS was ever fetched (the Authority is down): {@link #lastFetched()} tells them apart.
 */
final class RemoteJwks {

    /** Per-request HTTP timeouts: a verification blocks its thread for at most about twice this. */
    static final Duration HTTP_TIMEOUT = Duration.ofSeconds(2);

    /** Largest JWKS accepted; a few RSA and EC keys take about 2 KiB. */
    static final int HTTP_SIZE_LIMIT = 64 * 1024;

    private final URI uri;
    private final JWKSource<SecurityContext> source;
    private volatile JWKSet lastFetched;

    RemoteJwks(URI uri, Duration cacheTtl, Duration refreshFloor, Duration outageTolerance) {
        this.uri = uri;
        int timeout = Math.toIntExact(HTTP_TIMEOUT.toMillis());
        DefaultResourceRetriever retriever = new DefaultResourceRetriever(timeout, timeout, HTTP_SIZE_LIMIT);
        JWKSetSource<SecurityContext> http;
        try {
            http = new URLBasedJWKSetSource<>(uri.toURL(), retriever);
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("jwksUri: " + uri + " (expected: an http or https URL)", e);
        }
        this.source = JWKSourceBuilder.create(new Recording(http))
                // Threads that find a refresh in progress wait for it rather than fetch again.
                .cache(cacheTtl.toMillis(), 2 * HTTP_TIMEOUT.toMillis() + 1_000)
                // Refresh-ahead would start a non-daemon thread per verifier that nothing closes.
                .refreshAheadCache(false)
                .rateLimited(refreshFloor.toMillis())
                .retrying(true)
                .outageTolerant(outageTolerance.toMillis())
                .build();
    }

    URI uri() {
        return uri;
    }

    JWKSource<SecurityContext> source() {
        return source;
    }

    /**
     * Returns the JWKS of the last successful fetch.
     *
     * @return the last fetched JWKS, or null before the first successful fetch
     */
    JWKSet lastFetched() {
        return lastFetched;
    }

    /** Notes each JWKS the HTTP source returns, before the caching layers see it. */
    private final class Recording extends JWKSetSourceWrapper<SecurityContext> {

        Recording(JWKSetSource<SecurityContext> http) {
            super(http);
        }

        @Override
        public JWKSet getJWKSet(JWKSetCacheRefreshEvaluator refreshEvaluator, long currentTime, SecurityContext context)
                throws KeySourceException {
            JWKSet fetched = getSource().getJWKSet(refreshEvaluator, currentTime, context);
            lastFetched = fetched;
            return fetched;
        }
    }
}
