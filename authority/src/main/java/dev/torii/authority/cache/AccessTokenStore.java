package dev.torii.authority.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Remembers which user access token stands behind each private token (by its {@code jti}), for
 * {@code ResolveAccessToken}, until the private token expires. In process, and in Redis when
 * configured so every replica can resolve what any replica minted.
 */
public final class AccessTokenStore {

    private record Entry(String accessToken, Instant expiresAt) {}

    private final Cache<String, Entry> local;
    private final Optional<RedisStore> redis;
    private final Clock clock;

    /**
     * Creates the store.
     *
     * @param maxEntries the most entries kept in process
     * @param redis the shared store, if any
     * @param clock the time source
     */
    public AccessTokenStore(long maxEntries, Optional<RedisStore> redis, Clock clock) {
        this.redis = redis;
        this.clock = clock;
        this.local = Caffeine.newBuilder()
                .maximumSize(maxEntries)
                .expireAfter(Expiry.<String, Entry>creating((key, entry) -> left(entry.expiresAt)))
                .build();
    }

    /**
     * Remembers the access token behind a private token.
     *
     * @param tokenId the private token's {@code jti}
     * @param accessToken the user's access token
     * @param expiresAt when the private token expires
     */
    public void put(String tokenId, String accessToken, Instant expiresAt) {
        Duration ttl = left(expiresAt);
        if (ttl.isZero()) {
            return;
        }
        local.put(tokenId, new Entry(accessToken, expiresAt));
        redis.ifPresent(store -> store.set("sat:" + tokenId, accessToken.getBytes(StandardCharsets.UTF_8), ttl));
    }

    /**
     * Finds the access token behind a private token.
     *
     * @param tokenId the private token's {@code jti}
     * @return the access token, when still known
     */
    public CompletableFuture<Optional<String>> get(String tokenId) {
        Entry entry = local.getIfPresent(tokenId);
        if (entry != null) {
            return CompletableFuture.completedFuture(Optional.of(entry.accessToken));
        }
        if (redis.isEmpty()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return redis.get().get("sat:" + tokenId)
                .thenApply(bytes -> bytes.map(b -> new String(b, StandardCharsets.UTF_8)));
    }

    private Duration left(Instant expiresAt) {
        Duration left = Duration.between(clock.instant(), expiresAt);
        return left.isNegative() ? Duration.ZERO : left;
    }
}
