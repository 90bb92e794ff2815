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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.http.HttpHeaders;

class PublishedKeysTest {

    private static final Duration TTL = Duration.ofMinutes(10);
    private static final Duration FLOOR = Duration.ofSeconds(30);
    private static final Duration GRACE = Duration.ofHours(1);
    private static final KeyEndpointSettings POLICY = new KeyEndpointSettings(GRACE, Duration.ofMinutes(1),
            Duration.ofHours(24), Duration.ofSeconds(5), Duration.ofSeconds(40));
    private static final KeyFetchMonitor.Source SOURCE = KeyFetchMonitor.Source.GOOGLE_ID_TOKEN_JWKS;

    private static RSAKey first;
    private static RSAKey second;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
    private final AtomicInteger fetches = new AtomicInteger();
    private final Deque<CompletableFuture<JWKSet>> replies = new ArrayDeque<>();
    private JWKSet published;
    private volatile boolean down;
    private volatile Optional<Duration> maxAge = Optional.empty();
    private final KeyFetchMonitor monitor = new KeyFetchMonitor(clock);
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
            if (down) {
                return CompletableFuture.failedFuture(new VerifierUnavailableException("keys: cannot connect", null));
            }
            Optional<Duration> age = maxAge;
            return replies.isEmpty() ? CompletableFuture.completedFuture(new PublishedKeys.Fetched(published, age))
                    : replies.poll().thenApply(set -> new PublishedKeys.Fetched(set, age));
        }, clock, TTL, FLOOR, POLICY, monitor, SOURCE, "https://keys.test/jwks");
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

    @Test
    void keepsTheLastGoodKeysThroughAnOutageForTheGraceOnly() {
        valueOf(keys.forKeyId("first"));
        clock.advance(TTL);
        down = true;

        assertThat(valueOf(keys.forKeyId("first")).getKeyByKeyId("first")).as("just past the time to live").isNotNull();
        clock.advance(GRACE.minusSeconds(1));
        assertThat(valueOf(keys.forKeyId("first")).getKeyByKeyId("first")).as("at the end of the grace").isNotNull();
        assertThat(monitor.snapshot(SOURCE).endpointsInOutage()).isOne();
        assertThat(monitor.snapshot(SOURCE).staleKeyUses()).isEqualTo(2);

        clock.advance(Duration.ofSeconds(1));
        assertThat(failureOf(keys.forKeyId("first"))).as("after the grace").isInstanceOf(VerifierUnavailableException.class)
                .hasMessage("keys: cannot connect");
        assertThat(monitor.snapshot(SOURCE).endpointsInOutage()).isZero();
        assertThat(monitor.snapshot(SOURCE).staleKeyUses()).isEqualTo(2);
    }

    @Test
    void retriesWithBackoffDuringAnOutageWithoutMakingCallersWait() {
        valueOf(keys.forKeyId("first"));
        clock.advance(TTL);
        down = true;
        valueOf(keys.forKeyId("first"));
        assertThat(fetches).hasValue(2);

        // Retries after 5 s, then 10, 20, and at most every 40 s; calls in between use the last good keys.
        for (int wait : new int[] {5, 10, 20, 40, 40}) {
            clock.advance(Duration.ofSeconds(wait - 1));
            valueOf(keys.forKeyId("first"));
            int before = fetches.get();
            clock.advance(Duration.ofSeconds(1));
            valueOf(keys.forKeyId("first"));
            assertThat(fetches.get()).as("a retry after " + wait + " s").isEqualTo(before + 1);
        }
        assertThat(monitor.snapshot(SOURCE).fetchFailures()).isEqualTo(6);

        down = false;
        published = new JWKSet(second.toPublicJWK());
        clock.advance(Duration.ofSeconds(40));
        valueOf(keys.forKeyId("first"));
        assertThat(valueOf(keys.forKeyId("second")).getKeyByKeyId("second")).as("the endpoint is back").isNotNull();
        assertThat(monitor.snapshot(SOURCE).endpointsInOutage()).isZero();
    }

    @Test
    void aKeyTheLastGoodKeysLackIsUnavailableDuringAnOutageNotRejected() {
        valueOf(keys.forKeyId("first"));
        clock.advance(TTL);
        down = true;
        valueOf(keys.forKeyId("first"));

        assertThat(failureOf(keys.forKeyId("second"))).isInstanceOf(VerifierUnavailableException.class)
                .hasMessageContaining("lack kid 'second'");
    }

    @Test
    void withoutAGraceAFailedFetchAfterTheTimeToLiveFails() {
        keys = new PublishedKeys(() -> {
            fetches.incrementAndGet();
            return down ? CompletableFuture.failedFuture(new VerifierUnavailableException("keys: HTTP 503", null))
                    : CompletableFuture.completedFuture(PublishedKeys.Fetched.of(published));
        }, clock, TTL, FLOOR, new KeyEndpointSettings(Duration.ZERO, Duration.ofMinutes(1), Duration.ofHours(24),
                Duration.ofSeconds(5), Duration.ofSeconds(40)), monitor, SOURCE, "https://keys.test/jwks");
        valueOf(keys.forKeyId("first"));
        clock.advance(TTL);
        down = true;

        assertThat(failureOf(keys.forKeyId("first"))).isInstanceOf(VerifierUnavailableException.class);
    }

    static Stream<Arguments> maxAges() {
        return Stream.of(
                Arguments.of("max-age of 2 minutes", Optional.of(Duration.ofMinutes(2)), Duration.ofMinutes(2)),
                Arguments.of("no max-age: the configured time to live", Optional.empty(), TTL),
                Arguments.of("max-age=0: the minimum", Optional.of(Duration.ZERO), Duration.ofMinutes(1)),
                Arguments.of("max-age of 30 days: the maximum", Optional.of(Duration.ofDays(30)), Duration.ofHours(24)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("maxAges")
    void cachesForTheEndpointsMaxAgeWithinTheBounds(String description, Optional<Duration> given, Duration expected) {
        maxAge = given;
        valueOf(keys.forKeyId("first"));

        clock.advance(expected.minusSeconds(1));
        valueOf(keys.forKeyId("first"));
        assertThat(fetches).as("just before " + expected).hasValue(1);
        clock.advance(Duration.ofSeconds(1));
        valueOf(keys.forKeyId("first"));
        assertThat(fetches).as("at " + expected).hasValue(2);
    }

    static Stream<Arguments> cacheHeaders() {
        return Stream.of(
                Arguments.of(Map.of("Cache-Control", "public, max-age=19800, must-revalidate, no-transform"),
                        Optional.of(Duration.ofSeconds(19800))),
                Arguments.of(Map.of("Cache-Control", "max-age=600", "Age", "120"), Optional.of(Duration.ofSeconds(480))),
                Arguments.of(Map.of("Cache-Control", "max-age=60", "Age", "600"), Optional.of(Duration.ZERO)),
                Arguments.of(Map.of("Cache-Control", "MAX-AGE=\"300\""), Optional.of(Duration.ofSeconds(300))),
                Arguments.of(Map.of("Cache-Control", "no-cache"), Optional.of(Duration.ZERO)),
                Arguments.of(Map.of("Cache-Control", "private, no-store, max-age=600"), Optional.of(Duration.ZERO)),
                Arguments.of(Map.of("Cache-Control", "s-maxage=600"), Optional.empty()),
                Arguments.of(Map.of("Cache-Control", "max-age=soon"), Optional.empty()),
                Arguments.of(Map.of("Cache-Control", "max-age=99999999999999999999"), Optional.empty()),
                Arguments.of(Map.of("Expires", "Thu, 01 Dec 2094 16:00:00 GMT"), Optional.empty()),
                Arguments.of(Map.of(), Optional.empty()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cacheHeaders")
    void readsTheTimeToLiveFromCacheControl(Map<String, String> given, Optional<Duration> expected) {
        HttpHeaders headers = new HttpHeaders();
        given.forEach(headers::add);

        assertThat(PublishedKeys.maxAge(headers)).isEqualTo(expected);
    }
}
