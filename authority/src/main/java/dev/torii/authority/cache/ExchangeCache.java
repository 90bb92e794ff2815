package dev.torii.authority.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.torii.authority.v1.ExchangeTokenResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Remembers exchanges, keyed by {@link CacheKeys#exchange}: in process first, then in Redis when
 * configured (shared by replicas). An entry is handed out only while its private token has more
 * than {@code refreshBefore} to live and was signed by the current key. Rejected credentials are
 * remembered briefly in process, to shield the identity provider from retries.
 */
public final class ExchangeCache {

    private final Cache<String, CachedExchange> local;
    private final Cache<String, String> rejected;
    private final Optional<RedisStore> redis;
    private final Duration refreshBefore;
    private final Clock clock;

    /**
     * Creates the cache.
     *
     * @param maxEntries the most exchanges kept in process
     * @param refreshBefore how much life an entry must have left to be handed out
     * @param negativeTtl how long a rejection is remembered
     * @param redis the shared store, if any
     * @param clock the time source
     */
    public ExchangeCache(long maxEntries, Duration refreshBefore, Duration negativeTtl, Optional<RedisStore> redis,
            Clock clock) {
        this.refreshBefore = refreshBefore;
        this.clock = clock;
        this.redis = redis;
        this.local = Caffeine.newBuilder()
                .maximumSize(maxEntries)
                .expireAfter(Expiry.<String, CachedExchange>creating((key, entry) -> usableFor(entry)))
                .build();
        this.rejected = Caffeine.newBuilder()
                .maximumSize(Math.max(1000, maxEntries / 10))
                .expireAfterWrite(negativeTtl)
                .build();
    }

    /**
     * Looks an exchange up: in process, then in Redis.
     *
     * @param key the exchange key
     * @param signingKeyId the key id new tokens are signed with; entries of other keys are stale
     * @return the entry, when a usable one exists
     */
    public CompletableFuture<Optional<CachedExchange>> get(String key, String signingKeyId) {
        CachedExchange entry = local.getIfPresent(key);
        if (entry != null) {
            if (usable(entry, signingKeyId)) {
                return CompletableFuture.completedFuture(Optional.of(entry));
            }
            local.invalidate(key);
        }
        if (redis.isEmpty()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return redis.get().get(key).thenApply(bytes -> bytes.flatMap(ExchangeCache::decode)
                .filter(shared -> usable(shared, signingKeyId))
                .map(shared -> {
                    local.put(key, shared);
                    return shared;
                }));
    }

    /**
     * Looks an exchange up in process only, without waiting for Redis.
     *
     * @param key the exchange key
     * @param signingKeyId the key id new tokens are signed with
     * @return the entry, when a usable one is held in process
     */
    public Optional<CachedExchange> getLocal(String key, String signingKeyId) {
        CachedExchange entry = local.getIfPresent(key);
        return entry != null && usable(entry, signingKeyId) ? Optional.of(entry) : Optional.empty();
    }

    /**
     * Stores an exchange in process and in Redis.
     *
     * @param key the exchange key
     * @param entry the answer
     */
    public void put(String key, CachedExchange entry) {
        if (usableFor(entry).isZero()) {
            return;
        }
        local.put(key, entry);
        redis.ifPresent(store -> store.set(key, encode(entry), usableFor(entry)));
    }

    /**
     * Tells why a credential was rejected recently, if it was.
     *
     * @param key the exchange key
     * @return the rejection reason
     */
    public Optional<String> rejection(String key) {
        return Optional.ofNullable(rejected.getIfPresent(key));
    }

    /**
     * Remembers that a credential was rejected.
     *
     * @param key the exchange key
     * @param reason why
     */
    public void reject(String key, String reason) {
        rejected.put(key, reason);
    }

    /**
     * Returns the number of exchanges kept in process, for metrics and tests.
     *
     * @return the approximate size
     */
    public long size() {
        return local.estimatedSize();
    }

    private boolean usable(CachedExchange entry, String signingKeyId) {
        return entry.keyId().equals(signingKeyId) && !usableFor(entry).isZero();
    }

    private Duration usableFor(CachedExchange entry) {
        Duration left = Duration.between(clock.instant(), entry.expiresAt()).minus(refreshBefore);
        return left.isNegative() ? Duration.ZERO : left;
    }

    // Redis value: kid length, kid, then the protobuf answer.
    private static byte[] encode(CachedExchange entry) {
        byte[] kid = entry.keyId().getBytes(StandardCharsets.UTF_8);
        byte[] response = entry.response().toByteArray();
        return ByteBuffer.allocate(4 + kid.length + response.length).putInt(kid.length).put(kid).put(response).array();
    }

    private static Optional<CachedExchange> decode(byte[] bytes) {
        try {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            int kidLength = buffer.getInt();
            if (kidLength < 0 || kidLength > buffer.remaining()) {
                return Optional.empty();
            }
            byte[] kid = new byte[kidLength];
            buffer.get(kid);
            ExchangeTokenResponse response = ExchangeTokenResponse.parseFrom(buffer);
            Instant expiresAt = Instant.ofEpochSecond(response.getExpireTime().getSeconds(), response.getExpireTime().getNanos());
            return Optional.of(new CachedExchange(response, new String(kid, StandardCharsets.UTF_8), expiresAt));
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
