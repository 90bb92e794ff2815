package dev.torii.authority.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import dev.torii.authority.testing.MutableClock;
import dev.torii.authority.v1.ExchangeTokenResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ExchangeCacheTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T10:00:00Z"));
    private final ExchangeCache cache =
            new ExchangeCache(100, Duration.ofSeconds(60), Duration.ofSeconds(30), Optional.empty(), clock);

    @Test
    void handsOutAnEntryUntilShortlyBeforeItsTokenExpires() {
        cache.put("k", entry("kid-1", clock.instant().plus(Duration.ofMinutes(5))));

        assertThat(cache.get("k", "kid-1").join()).isPresent();
        clock.advance(Duration.ofMinutes(3).plusSeconds(59));
        assertThat(cache.get("k", "kid-1").join()).isPresent();
        clock.advance(Duration.ofSeconds(2));
        assertThat(cache.get("k", "kid-1").join()).isEmpty();
    }

    @Test
    void dropsEntriesSignedByARetiredKey() {
        cache.put("k", entry("old", clock.instant().plus(Duration.ofMinutes(5))));

        assertThat(cache.get("k", "new").join()).isEmpty();
        assertThat(cache.get("k", "old").join()).isEmpty();
    }

    @Test
    void neverStoresAnEntryWithTooLittleLifeLeft() {
        cache.put("k", entry("kid", clock.instant().plus(Duration.ofSeconds(30))));

        assertThat(cache.size()).isZero();
    }

    @Test
    void remembersRejectionsBriefly() {
        cache.reject("k", "expired");

        assertThat(cache.rejection("k")).hasValue("expired");
    }

    @Test
    void keysHideTheCredentialAndSeparateTheAudience() {
        String key = CacheKeys.exchange("secret-token", "svc");

        assertThat(key).hasSize(64).doesNotContain("secret");
        assertThat(CacheKeys.exchange("secret-token", "svc")).isEqualTo(key);
        assertThat(CacheKeys.exchange("secret-token", "other")).isNotEqualTo(key);
        assertThat(CacheKeys.exchange("ab", "c")).isNotEqualTo(CacheKeys.exchange("a", "bc"));
    }

    private static CachedExchange entry(String kid, Instant expiresAt) {
        return new CachedExchange(ExchangeTokenResponse.newBuilder().setPrivateToken("t")
                .setExpireTime(Timestamp.newBuilder().setSeconds(expiresAt.getEpochSecond())).build(), kid, expiresAt);
    }
}
