package dev.torii.gateway.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.torii.gateway.route.TrafficPolicy;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LocalRateLimiterTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final LocalRateLimiter limiter = new LocalRateLimiter(1000, now::get);
    private final TrafficPolicy.RateLimit fivePerSecond = new TrafficPolicy.RateLimit(
            new TrafficPolicy.RateLimitKey(TrafficPolicy.RateLimitKey.Kind.ROUTE, ""), 5, Duration.ofSeconds(1), 5, 1);

    @Test
    void aFullBucketLetsABurstThroughThenRefusesWithRetryAfter() {
        for (int i = 0; i < 5; i++) {
            RateLimitDecision decision = limiter.acquireNow("b", fivePerSecond);
            assertThat(decision.allowed()).isTrue();
            assertThat(decision.remaining()).isEqualTo(4 - i);
            assertThat(decision.limit()).isEqualTo(5);
        }
        RateLimitDecision refused = limiter.acquireNow("b", fivePerSecond);

        assertThat(refused.allowed()).isFalse();
        assertThat(refused.remaining()).isZero();
        assertThat(refused.retryAfterSeconds()).isEqualTo(1);
        assertThat(refused.resetSeconds()).isEqualTo(1);
    }

    @Test
    void tokensComeBackAtTheRate() {
        for (int i = 0; i < 5; i++) {
            limiter.acquireNow("b", fivePerSecond);
        }
        now.addAndGet(Duration.ofMillis(400).toNanos());

        assertThat(limiter.acquireNow("b", fivePerSecond).allowed()).isTrue();
        assertThat(limiter.acquireNow("b", fivePerSecond).allowed()).isTrue();
        assertThat(limiter.acquireNow("b", fivePerSecond).allowed()).isFalse();
    }

    @Test
    void aDrainedBucketStaysDrainedAcrossALongIdlePeriod() {
        TrafficPolicy.RateLimit thousandAnHour = new TrafficPolicy.RateLimit(fivePerSecond.key(), 1000, Duration.ofHours(1),
                1000, 1);
        for (int i = 0; i < 1000; i++) {
            assertThat(limiter.acquireNow("hourly", thousandAnHour).allowed()).isTrue();
        }
        assertThat(limiter.acquireNow("hourly", thousandAnHour).allowed()).isFalse();

        now.addAndGet(Duration.ofMinutes(11).toNanos());

        // 11 minutes of a 1000/1h refill: 183 tokens, not a forgotten (full) bucket's 1000.
        RateLimitDecision afterIdle = limiter.acquireNow("hourly", thousandAnHour);
        assertThat(afterIdle.allowed()).isTrue();
        assertThat(afterIdle.remaining()).isEqualTo(182);
        assertThat(limiter.bucketCount()).isEqualTo(1);
    }

    @Test
    void aBucketIsForgottenOnceItWouldBeFullAgain() {
        limiter.acquireNow("b", fivePerSecond);
        limiter.acquireNow("b", fivePerSecond);

        // Two tokens take 400ms to come back; the cache's timer wheel sweeps in steps of about a second.
        now.addAndGet(Duration.ofMillis(400 + 2000).toNanos());

        assertThat(limiter.bucketCount()).isZero();
        assertThat(limiter.acquireNow("b", fivePerSecond).remaining()).isEqualTo(4);
    }

    @Test
    void bucketsAreSeparateAndCostIsTaken() {
        TrafficPolicy.RateLimit costly = new TrafficPolicy.RateLimit(fivePerSecond.key(), 5, Duration.ofSeconds(1), 5, 3);

        assertThat(limiter.acquireNow("a", costly).allowed()).isTrue();
        assertThat(limiter.acquireNow("a", costly).allowed()).isFalse();
        assertThat(limiter.acquireNow("other", costly).allowed()).isTrue();
    }
}
