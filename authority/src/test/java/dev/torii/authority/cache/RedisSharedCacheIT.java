package dev.torii.authority.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import dev.torii.authority.testing.RedisServerProcess;
import dev.torii.authority.v1.ExchangeTokenResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Shares exchanges between two Authority caches through a real Redis server, and keeps working
 * (in process only, quickly, without errors) while Redis is down.
 */
class RedisSharedCacheIT {

    private static RedisServerProcess redis;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServerProcess.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @Test
    void aSecondReplicaSeesTheFirstOnesExchangesAndAccessTokens() throws Exception {
        try (RedisStore storeA = store(); RedisStore storeB = store()) {
            ExchangeCache a = cache(storeA);
            ExchangeCache b = cache(storeB);
            a.put("key-1", entry());
            awaitInRedis("torii:test:key-1");

            Optional<CachedExchange> seen = b.get("key-1", "kid").join();

            assertThat(seen).isPresent();
            assertThat(seen.get().response().getPrivateToken()).isEqualTo("private-token");
            assertThat(b.get("key-1", "another-kid").join()).isEmpty();

            new AccessTokenStore(10, Optional.of(storeA), Clock.systemUTC())
                    .put("jti-1", "user-access-token", Instant.now().plusSeconds(300));
            awaitInRedis("torii:test:sat:jti-1");
            assertThat(new AccessTokenStore(10, Optional.of(storeB), Clock.systemUTC()).get("jti-1").join())
                    .hasValue("user-access-token");
        }
    }

    @Test
    void anOutageFallsBackToTheProcessAndRecoversByItself() throws Exception {
        try (RedisStore store = store()) {
            ExchangeCache cache = cache(store);
            cache.put("before", entry());
            redis.stop();
            try {
                long started = System.nanoTime();
                cache.put("during", entry());
                assertThat(cache.get("during", "kid").join()).as("in-process copy still serves").isPresent();
                assertThat(cache.get("unknown", "kid").join()).isEmpty();
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
                assertThat(store.available()).isFalse();
            } finally {
                redis.startProcess();
            }
            // The store skips Redis for a few seconds after a failure, then tries again.
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!store.available() || !redis.command("EXISTS torii:test:after").equals(":1")) {
                cache.put("after", entry());
                assertThat(System.nanoTime()).as("Redis used again after the outage").isLessThan(deadline);
                Thread.sleep(200);
            }
        }
    }

    // Writes to Redis are fire-and-forget; wait until this one landed.
    private static void awaitInRedis(String key) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!redis.command("EXISTS " + key).equals(":1")) {
            assertThat(System.nanoTime()).as(key + " written to Redis").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private static RedisStore store() {
        return new RedisStore(redis.uri(), Duration.ofMillis(300), "torii:test:");
    }

    private static ExchangeCache cache(RedisStore store) {
        return new ExchangeCache(100, Duration.ofSeconds(60), Duration.ofSeconds(30), Optional.of(store), Clock.systemUTC());
    }

    private static CachedExchange entry() {
        Instant expires = Instant.now().plus(Duration.ofMinutes(5));
        return new CachedExchange(ExchangeTokenResponse.newBuilder().setPrivateToken("private-token")
                .setExpireTime(Timestamp.newBuilder().setSeconds(expires.getEpochSecond())).build(), "kid", expires);
    }
}
