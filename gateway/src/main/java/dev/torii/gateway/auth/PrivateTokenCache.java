package dev.torii.gateway.auth;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.torii.authority.v1.ExchangeTokenResponse;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Remembers private tokens so a credential is exchanged once, not once per request: keyed by a
 * SHA-256 of credential and audience (the credential itself is never kept as a key), kept until
 * shortly before the token expires, bounded in size. Concurrent first uses of the same credential
 * share one exchange. Credentials the Authority rejected are remembered briefly, so a client
 * retrying a bad token does not reach the Authority every time; outages are never remembered.
 */
public final class PrivateTokenCache {

    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    });

    // The outcome of one exchange. Failures complete the shared future normally (and expire at
    // once), so concurrent callers share them without the cache logging each one as an error.
    private record Outcome(ExchangeTokenResponse response, Throwable failure) {}

    private final AuthorityClient authority;
    private final AsyncCache<String, Outcome> tokens;
    private final Cache<String, StatusRuntimeException> rejected;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    /**
     * Creates the cache.
     *
     * @param authority exchanges on a miss
     * @param maxEntries the most tokens kept
     * @param refreshBefore a token is exchanged again when it expires sooner than this
     * @param negativeTtl how long a rejection is remembered
     * @param clock the time source
     */
    public PrivateTokenCache(AuthorityClient authority, long maxEntries, Duration refreshBefore, Duration negativeTtl,
            Clock clock) {
        this.authority = authority;
        this.tokens = Caffeine.newBuilder()
                .maximumSize(maxEntries)
                // Maintenance runs on the calling thread: no common-pool hops on the request path.
                .executor(Runnable::run)
                .expireAfter(Expiry.<String, Outcome>creating((key, outcome) -> {
                    if (outcome.failure() != null) {
                        return Duration.ZERO;
                    }
                    ExchangeTokenResponse response = outcome.response();
                    Instant expires = Instant.ofEpochSecond(response.getExpireTime().getSeconds(),
                            response.getExpireTime().getNanos());
                    Duration left = Duration.between(clock.instant(), expires).minus(refreshBefore);
                    return left.isNegative() ? Duration.ZERO : left;
                }))
                .buildAsync();
        this.rejected = Caffeine.newBuilder().maximumSize(Math.max(1000, maxEntries / 10))
                .expireAfterWrite(negativeTtl).build();
    }

    /**
     * Returns a private token for a credential and audience, exchanging only when none is cached.
     *
     * @param credential the client's credential
     * @param audience the backend service
     * @param deadline the request's deadline, bounding an exchange this call starts
     * @param headers makes the metadata of an exchange this call starts (the trace context)
     * @return the Authority's answer, or its {@link StatusRuntimeException}
     */
    public CompletableFuture<ExchangeTokenResponse> get(String credential, String audience,
            Deadline deadline, Supplier<Metadata> headers) {
        String key = key(credential, audience);
        StatusRuntimeException known = rejected.getIfPresent(key);
        if (known != null) {
            hits.increment();
            return CompletableFuture.failedFuture(known);
        }
        boolean[] loaded = new boolean[1];
        CompletableFuture<Outcome> outcome = tokens.get(key, (k, executor) -> {
            loaded[0] = true;
            return authority.exchange(credential, audience, deadline, headers.get()).handle((response, failure) -> {
                    Throwable cause = failure instanceof java.util.concurrent.CompletionException
                            && failure.getCause() != null ? failure.getCause() : failure;
                    if (cause instanceof StatusRuntimeException status
                            && (status.getStatus().getCode() == Status.Code.UNAUTHENTICATED
                                    || status.getStatus().getCode() == Status.Code.INVALID_ARGUMENT)) {
                        rejected.put(key, status);
                    }
                    return new Outcome(response, cause);
                });
        });
        (loaded[0] ? misses : hits).increment();
        if (outcome.isDone()) {
            Outcome done = outcome.join();
            return done.failure() == null ? CompletableFuture.completedFuture(done.response())
                    : CompletableFuture.failedFuture(done.failure());
        }
        return outcome.thenCompose(done -> done.failure() == null ? CompletableFuture.completedFuture(done.response())
                : CompletableFuture.failedFuture(done.failure()));
    }

    /**
     * Returns how many lookups were answered from the cache (a kept token, an exchange already
     * in flight, or a recently refused credential).
     *
     * @return the count since start-up
     */
    public long hits() {
        return hits.sum();
    }

    /**
     * Returns how many lookups started an exchange with the Authority.
     *
     * @return the count since start-up
     */
    public long misses() {
        return misses.sum();
    }

    /**
     * Returns the number of tokens kept.
     *
     * @return the approximate size
     */
    public long size() {
        return tokens.synchronous().estimatedSize();
    }

    static String key(String credential, String audience) {
        MessageDigest digest = SHA_256.get();
        digest.reset();
        digest.update(credential.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        digest.update(audience.getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().withoutPadding().encodeToString(digest.digest());
    }
}
