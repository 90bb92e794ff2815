package dev.torii.authority.verify;

import com.nimbusds.jose.jwk.JWKSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Caches one remotely published key set (a JWKS, or a service account's certificates) and
 * refreshes it without blocking: when the cached set is older than its time to live, and when a
 * token names a key id the set lacks, but then at most once per refresh floor, so tokens with
 * made-up key ids cannot make the Authority hammer the key endpoint.
 *
 * <p>Concurrent callers share one fetch. Uses the injected {@link Clock} for every decision.
 */
final class PublishedKeys {

    private final Supplier<CompletableFuture<JWKSet>> fetch;
    private final Clock clock;
    private final Duration timeToLive;
    private final Duration refreshFloor;

    // All guarded by this.
    private JWKSet keys;
    private Instant fetchedAt;
    private Instant lastFetchStartedAt;
    private CompletableFuture<JWKSet> inFlight;

    /**
     * Creates an empty cache; nothing is fetched until the first call.
     *
     * @param fetch starts one fetch; the future fails with {@link VerifierUnavailableException}
     *     when the endpoint cannot deliver
     * @param clock the time source
     * @param timeToLive how long a fetched set is used before it is fetched again
     * @param refreshFloor the shortest time between the start of one fetch and a fetch caused by
     *     an unknown key id
     */
    PublishedKeys(Supplier<CompletableFuture<JWKSet>> fetch, Clock clock, Duration timeToLive, Duration refreshFloor) {
        this.fetch = Objects.requireNonNull(fetch, "fetch");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.timeToLive = Objects.requireNonNull(timeToLive, "timeToLive");
        this.refreshFloor = Objects.requireNonNull(refreshFloor, "refreshFloor");
    }

    /**
     * Returns the key set a token with this key id should be checked against: the cached set
     * when it is fresh and has the key, or when it lacks the key but was fetched too recently to
     * fetch again (the caller then rejects the token); a newly fetched set otherwise.
     *
     * @param keyId the token's {@code kid}
     * @return the key set, which may lack {@code keyId}; fails with {@link
     *     VerifierUnavailableException} when a needed fetch fails
     */
    CompletableFuture<JWKSet> forKeyId(String keyId) {
        Objects.requireNonNull(keyId, "keyId");
        synchronized (this) {
            Instant now = clock.instant();
            boolean fresh = keys != null && now.isBefore(fetchedAt.plus(timeToLive));
            if (fresh && keys.getKeyByKeyId(keyId) != null) {
                return CompletableFuture.completedFuture(keys);
            }
            if (fresh && inFlight == null && now.isBefore(lastFetchStartedAt.plus(refreshFloor))) {
                return CompletableFuture.completedFuture(keys);
            }
            return refresh(now);
        }
    }

    /** Starts a fetch unless one is running; caller holds the lock. */
    private CompletableFuture<JWKSet> refresh(Instant now) {
        if (inFlight != null) {
            return inFlight.thenApply(Function.identity());
        }
        lastFetchStartedAt = now;
        CompletableFuture<JWKSet> fetching;
        try {
            fetching = fetch.get();
        } catch (RuntimeException e) {
            fetching = CompletableFuture.failedFuture(e);
        }
        // Callers depend on this stage, not on the fetch itself, so the cache is updated before any of them goes on.
        CompletableFuture<JWKSet> fetched = fetching.whenComplete((keySet, failure) -> finished(keySet, now));
        // Done already means finished() ran here, under this lock; otherwise finished() waits for the lock
        // and clears inFlight after this assignment.
        inFlight = fetched.isDone() ? null : fetched;
        // A dependent stage, so one caller cancelling or timing out its future cannot fail the fetch for the others.
        return fetched.thenApply(Function.identity());
    }

    /** Records a fetch's outcome; only one fetch runs at a time, so it is the one in flight. */
    private synchronized void finished(JWKSet fetched, Instant startedAt) {
        if (fetched != null) {
            keys = fetched;
            // Aged from the request, not the answer: keys are never trusted longer than the time to live.
            fetchedAt = startedAt;
        }
        inFlight = null;
    }
}
