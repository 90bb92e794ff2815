package dev.torii.authority.verify;

import static dev.torii.authority.verify.Outcomes.failureOf;
import static dev.torii.authority.verify.Outcomes.valueOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import dev.torii.authority.testing.MutableClock;
import dev.torii.authority.testing.TestTokens;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PublishedKeysTest {

    private static final Duration TTL = Duration.ofMinutes(10);
    private static final Duration FLOOR = Duration.ofSeconds(30);

    private static RSAKey first;
    private static RSAKey second;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
    private final AtomicInteger fetches = new AtomicInteger();
    private final Deque<CompletableFuture<JWKSet>> replies = new ArrayDeque<>();
    private JWKSet published;
    private PublishedKeys keys;

    @BeforeAll
    static void generateKeys() {
        first = TestTokens.rsaKey("first");
        second = TestTokens.rsaKey("second");
    }

    @BeforeEach
    void createCache() {
        published = new JWKSet(first.toPublicJWK());
        keys = new PublishedKeys(() -> {
            fetches.incrementAndGet();
            return replies.isEmpty() ? CompletableFuture.completedFuture(published) : replies.poll();
        }, clock, TTL, FLOOR);
    }

    @Test
    void fetchesOnceAndServesFromCacheWithinTheTimeToLive() {
        for (int i = 0; i < 5; i++) {
            assertThat(valueOf(keys.forKeyId("first")).getKeyByKeyId("first")).isNotNull();
            clock.advance(Duration.ofMinutes(1));
        }
        assertThat(fetches).hasValue(1);
    }

    @Test
    void fetchesAgainOnceTheTimeToLiveHasPassed() {
        valueOf(keys.forKeyId("first"));
        clock.advance(TTL);
        published = new JWKSet(second.toPublicJWK());

        assertThat(valueOf(keys.forKeyId("first")).getKeyByKeyId("second")).isNotNull();
        assertThat(fetches).hasValue(2);
    }

    @Test
    void agesKeysFromWhenTheFetchStartedNotWhenItAnswered() {
        CompletableFuture<JWKSet> slowFetch = new CompletableFuture<>();
        replies.add(slowFetch);
        CompletableFuture<JWKSet> first = keys.forKeyId("first");
        clock.advance(Duration.ofMinutes(3));
        slowFetch.complete(published);
        valueOf(first);

        clock.advance(TTL.minusMinutes(3));
        valueOf(keys.forKeyId("first"));

        assertThat(fetches).hasValue(2);
    }

    @Test
    void refetchesForAnUnknownKeyIdAtMostOncePerFloor() {
        valueOf(keys.forKeyId("first"));
        published = new JWKSet(List.of(first.toPublicJWK(), second.toPublicJWK()));

        clock.advance(FLOOR.minusSeconds(1));
        assertThat(valueOf(keys.forKeyId("second")).getKeyByKeyId("second")).isNull();
        assertThat(valueOf(keys.forKeyId("made-up")).getKeyByKeyId("made-up")).isNull();
        assertThat(fetches).hasValue(1);

        clock.advance(Duration.ofSeconds(1));
        assertThat(valueOf(keys.forKeyId("second")).getKeyByKeyId("second")).isNotNull();
        assertThat(fetches).hasValue(2);

        for (int i = 0; i < 20; i++) {
            valueOf(keys.forKeyId("made-up-" + i));
        }
        assertThat(fetches).hasValue(2);
    }

    @Test
    void concurrentCallersShareOneFetch() {
        CompletableFuture<JWKSet> slowFetch = new CompletableFuture<>();
        replies.add(slowFetch);

        CompletableFuture<JWKSet> a = keys.forKeyId("first");
        CompletableFuture<JWKSet> b = keys.forKeyId("first");
        CompletableFuture<JWKSet> c = keys.forKeyId("unknown");
        assertThat(fetches).hasValue(1);
        assertThat(a).isNotDone();

        slowFetch.complete(published);
        assertThat(valueOf(a).getKeyByKeyId("first")).isNotNull();
        assertThat(valueOf(b).getKeyByKeyId("first")).isNotNull();
        assertThat(valueOf(c).getKeyByKeyId("first")).isNotNull();
        assertThat(fetches).hasValue(1);
    }

    @Test
    void oneCallerGivingUpDoesNotFailTheFetchForTheOthers() {
        CompletableFuture<JWKSet> slowFetch = new CompletableFuture<>();
        replies.add(slowFetch);

        CompletableFuture<JWKSet> impatient = keys.forKeyId("first");
        CompletableFuture<JWKSet> patient = keys.forKeyId("first");
        impatient.cancel(true);
        slowFetch.complete(published);

        assertThat(valueOf(patient).getKeyByKeyId("first")).isNotNull();
        assertThat(slowFetch).isCompletedWithValue(published);
    }

    @Test
    void reportsAFailedFetchAndTriesAgainOnTheNextCall() {
        replies.add(CompletableFuture.failedFuture(new VerifierUnavailableException("keys: HTTP 503", null)));

        assertThat(failureOf(keys.forKeyId("first"))).isInstanceOf(VerifierUnavailableException.class)
                .hasMessage("keys: HTTP 503");
        assertThat(valueOf(keys.forKeyId("first")).getKeyByKeyId("first")).isNotNull();
        assertThat(fetches).hasValue(2);
    }

    @Test
    void keepsServingCachedKeysWhenAnUnknownKeyIdRefetchFails() {
        valueOf(keys.forKeyId("first"));
        clock.advance(FLOOR);
        replies.add(CompletableFuture.failedFuture(new VerifierUnavailableException("keys: HTTP 503", null)));

        assertThat(failureOf(keys.forKeyId("second"))).isInstanceOf(VerifierUnavailableException.class);
        assertThat(valueOf(keys.forKeyId("first")).getKeyByKeyId("first")).isNotNull();
        assertThat(fetches).hasValue(2);
    }
}
