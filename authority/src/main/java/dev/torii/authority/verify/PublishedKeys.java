package dev.torii.authority.verify;

import com.nimbusds.jose.jwk.JWKSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.http.HttpHeaders;

/**
 * Caches one remotely published key set (a JWKS, or a service account's certificates) and
 * refreshes it without blocking: when the cached set is older than its time to live, and when a
 * token names a key id the set lacks, but then at most once per refresh floor, so tokens with
 * made-up key ids cannot make the Authority hammer the key endpoint.
 *
 * <p>The time to live is the endpoint's own {@code Cache-Control: max-age} (less its {@code
 * Age}), bounded by the {@link KeyEndpointSettings}, or the configured one when it gives none.
 *
 * <p>When a fetch fails after the time to live, the last good set keeps verifying tokens for the
 * outage grace, as Nimbus's {@code OutageTolerantJWKSetSource} does; meanwhile the fetch is
 * retried with exponential backoff, and callers get the last good set at once instead of waiting
 * for each retry. A token whose key is not in that set cannot be checked until the endpoint
 * answers: it is {@link VerifierUnavailableException}, not a rejection. Nimbus's sources
 * themselves do not fit here: they are synchronous (a thread would wait per fetch), read the
 * system clock, and ignore {@code Cache-Control}.
 *
 * <p>Concurrent callers share one fetch. Uses the injected {@link Clock} for every decision.
 */
final class PublishedKeys {

    /** A fetched key set and the time to live its endpoint gave, if any. */
    record Fetched(JWKSet keys, Optional<Duration> maxAge) {

        /**
         * Wraps a key set whose endpoint said nothing about caching.
         *
         * @param keys the keys
         * @return the fetched set
         */
        static Fetched of(JWKSet keys) {
            return new Fetched(keys, Optional.empty());
        }
    }

    private static final Pattern MAX_AGE = Pattern.compile("(?:^|,)\\s*max-age\\s*=\\s*\"?(\\d{1,10})\"?\\s*(?:,|$)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern NO_CACHE = Pattern.compile("(?:^|,)\\s*(?:no-cache|no-store)\\s*(?:,|$|=)",
            Pattern.CASE_INSENSITIVE);

    private final Supplier<CompletableFuture<Fetched>> fetch;
    private final Clock clock;
    private final Duration defaultTimeToLive;
    private final Duration refreshFloor;
    private final KeyEndpointSettings policy;
    private final KeyFetchMonitor monitor;
    private final KeyFetchMonitor.Source source;
    private final String endpoint;

    // All guarded by this.
    private JWKSet keys;
    private Instant fetchedAt;
    private Duration timeToLive;
    private Instant lastFetchStartedAt;
    private CompletableFuture<JWKSet> inFlight;
    /** When the current outage began (the first failed fetch after the time to live); null when none. */
    private Instant failingSince;
    private Instant nextRetryAt;
    private Duration retryInterval;

    /**
     * Creates an empty cache; nothing is fetched until the first call.
     *
     * @param fetch starts one fetch; the future fails with {@link VerifierUnavailableException}
     *     when the endpoint cannot deliver
     * @param clock the time source
     * @param timeToLive how long a fetched set is used before it is fetched again, when the
     *     endpoint does not say
     * @param refreshFloor the shortest time between the start of one fetch and a fetch caused by
     *     an unknown key id
     * @param policy the bounds of the endpoint's time to live, the outage grace and the retries
     * @param monitor where fetch failures and uses of stale keys are counted
     * @param source the kind of endpoint, for the monitor
     * @param endpoint the endpoint's URL, for the monitor
     */
    PublishedKeys(Supplier<CompletableFuture<Fetched>> fetch, Clock clock, Duration timeToLive, Duration refreshFloor,
            KeyEndpointSettings policy, KeyFetchMonitor monitor, KeyFetchMonitor.Source source, String endpoint) {
        this.fetch = Objects.requireNonNull(fetch, "fetch");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.defaultTimeToLive = Objects.requireNonNull(timeToLive, "timeToLive");
        this.refreshFloor = Objects.requireNonNull(refreshFloor, "refreshFloor");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.monitor = Objects.requireNonNull(monitor, "monitor");
        this.source = Objects.requireNonNull(source, "source");
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.retryInterval = policy.minRetryInterval();
    }

    /**
     * Reads the time to live a key endpoint gives in its {@code Cache-Control} header, less the
     * {@code Age} a cache in between reports.
     *
     * @param headers the response headers
     * @return the time to live; zero for {@code no-cache} or {@code no-store}; empty when the
     *     endpoint gives none
     */
    static Optional<Duration> maxAge(HttpHeaders headers) {
        String cacheControl = String.join(",", headers.getOrEmpty(HttpHeaders.CACHE_CONTROL));
        if (NO_CACHE.matcher(cacheControl).find()) {
            return Optional.of(Duration.ZERO);
        }
        Matcher maxAge = MAX_AGE.matcher(cacheControl);
        if (!maxAge.find()) {
            return Optional.empty();
        }
        long seconds = Long.parseLong(maxAge.group(1));
        String age = headers.getFirst(HttpHeaders.AGE);
        if (age != null && age.trim().matches("\\d{1,10}")) {
            seconds -= Long.parseLong(age.trim());
        }
        return Optional.of(Duration.ofSeconds(Math.max(0, seconds)));
    }

    /**
     * Returns the key set a token with this key id should be checked against: the cached set
     * when it is fresh and has the key, or when it lacks the key but was fetched too recently to
     * fetch again (the caller then rejects the token); the last good set during an outage, within
     * the grace; a newly fetched set otherwise.
     *
     * @param keyId the token's {@code kid}
     * @return the key set, which may lack {@code keyId}; fails with {@link
     *     VerifierUnavailableException} when a needed fetch fails and no usable set has the key
     */
    CompletableFuture<JWKSet> forKeyId(String keyId) {
        Objects.requireNonNull(keyId, "keyId");
        synchronized (this) {
            Instant now = clock.instant();
            boolean fresh = keys != null && now.isBefore(expiresAt());
            if (fresh && keys.getKeyByKeyId(keyId) != null) {
                return CompletableFuture.completedFuture(keys);
            }
            if (fresh && inFlight == null && now.isBefore(lastFetchStartedAt.plus(refreshFloor))) {
                return CompletableFuture.completedFuture(keys);
            }
            if (!fresh && failingSince != null && usable(now)) {
                // In an outage: answer from the last good set now, and retry only when the backoff allows.
                if (inFlight == null && !now.isBefore(nextRetryAt) && startFetch(now).isDone()) {
                    // The retry is over already (a fetch that fails or succeeds at once): decide again.
                    return forKeyId(keyId);
                }
                return stale(keyId);
            }
            return answer(inFlight != null ? inFlight : startFetch(now), keyId);
        }
    }

    /** When the cached set stops being fresh; caller holds the lock and a set is cached. */
    private Instant expiresAt() {
        return fetchedAt.plus(timeToLive);
    }

    /** Whether the cached set may still verify tokens, fresh or within the outage grace; caller holds the lock. */
    private boolean usable(Instant now) {
        return keys != null && now.isBefore(expiresAt().plus(policy.outageGrace()));
    }

    /** Answers from the last good set during an outage; caller holds the lock and the set is usable. */
    private CompletableFuture<JWKSet> stale(String keyId) {
        if (keys.getKeyByKeyId(keyId) == null) {
            return CompletableFuture.failedFuture(new VerifierUnavailableException(endpoint
                    + ": cannot be fetched since " + failingSince + ", and the keys kept from before lack kid "
                    + CredentialChecks.quote(keyId) + " (expected: the endpoint to answer again)", null));
        }
        monitor.usedStaleKeys(source);
        return CompletableFuture.completedFuture(keys);
    }

    /** Starts a fetch; caller holds the lock and no fetch is running. */
    private CompletableFuture<JWKSet> startFetch(Instant now) {
        lastFetchStartedAt = now;
        CompletableFuture<Fetched> fetching;
        try {
            fetching = fetch.get();
        } catch (RuntimeException e) {
            fetching = CompletableFuture.failedFuture(e);
        }
        // Callers depend on this stage, not on the fetch itself, so the cache is updated before any of them goes on.
        CompletableFuture<JWKSet> fetched = fetching.handle((result, failure) -> finished(result, failure, now));
        // Done already means finished() ran here, under this lock; otherwise finished() waits for the lock
        // and clears inFlight after this assignment.
        inFlight = fetched.isDone() ? null : fetched;
        return fetched;
    }

    /**
     * Turns the outcome of a fetch into one caller's answer: the fetched set, or, when the fetch
     * failed, the last good set if it is usable and has the caller's key. A dependent stage, so
     * one caller cancelling or timing out its future cannot fail the fetch for the others.
     */
    private CompletableFuture<JWKSet> answer(CompletableFuture<JWKSet> fetched, String keyId) {
        return fetched.handle((fetchedKeys, failure) -> {
            if (fetchedKeys != null) {
                return CompletableFuture.completedFuture(fetchedKeys);
            }
            synchronized (this) {
                Instant now = clock.instant();
                boolean fresh = keys != null && now.isBefore(expiresAt());
                if (keys != null && usable(now) && keys.getKeyByKeyId(keyId) != null) {
                    if (!fresh) {
                        monitor.usedStaleKeys(source);
                    }
                    return CompletableFuture.completedFuture(keys);
                }
            }
            return CompletableFuture.<JWKSet>failedFuture(VerifierFailures.unwrap(failure));
        }).thenCompose(answer -> answer);
    }

    /** Records a fetch's outcome; only one fetch runs at a time, so it is the one in flight. */
    private synchronized JWKSet finished(Fetched result, Throwable failure, Instant startedAt) {
        inFlight = null;
        if (failure == null && result != null) {
            keys = result.keys();
            // Aged from the request, not the answer: keys are never trusted longer than the time to live.
            fetchedAt = startedAt;
            timeToLive = result.maxAge().map(policy::bound).orElse(defaultTimeToLive);
            failingSince = null;
            retryInterval = policy.minRetryInterval();
            monitor.fetched(source, endpoint);
            return keys;
        }
        Throwable cause = failure == null ? new IllegalStateException("fetch gave no keys") : failure;
        Instant now = clock.instant();
        Instant staleUntil = null;
        if (keys != null && usable(now)) {
            staleUntil = expiresAt().plus(policy.outageGrace());
            if (!now.isBefore(expiresAt()) && failingSince == null) {
                failingSince = now;
            }
            nextRetryAt = now.plus(retryInterval);
            Duration doubled = retryInterval.multipliedBy(2);
            retryInterval = doubled.compareTo(policy.maxRetryInterval()) > 0 ? policy.maxRetryInterval() : doubled;
        } else {
            failingSince = null;
        }
        monitor.failed(source, VerifierFailures.unwrap(cause).getMessage());
        if (staleUntil != null && failingSince != null) {
            monitor.outage(source, endpoint, staleUntil);
        }
        throw cause instanceof RuntimeException runtime ? runtime : new VerifierUnavailableException(
                endpoint + ": " + cause.getMessage(), cause);
    }
}
