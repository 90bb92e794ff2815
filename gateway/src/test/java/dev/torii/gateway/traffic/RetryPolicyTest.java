package dev.torii.gateway.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.torii.gateway.route.TrafficPolicy;
import io.grpc.Status.Code;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetryPolicyTest {

    // 3 attempts, 25 ms base backoff, 250 ms cap; the jitter is "the whole ceiling", so each row
    // states the exact wait.
    private static final TrafficPolicy.Retry RETRY =
            new TrafficPolicy.Retry(3, Duration.ofMillis(25), Duration.ofMillis(250));

    @ParameterizedTest(name = "{0} delivered={1} idempotent={2} attempt={3} left={4}ms -> {5}")
    @CsvSource({
        // never reached the upstream: safe to repeat whatever the method
        "UNAVAILABLE,       false, false, 1, 1000, 25",
        "UNAVAILABLE,       false, false, 2, 1000, 50",
        // the route's last attempt
        "UNAVAILABLE,       false, false, 3, 1000, -1",
        // delivered: only idempotent methods, only UNAVAILABLE and ABORTED
        "UNAVAILABLE,       true,  false, 1, 1000, -1",
        "UNAVAILABLE,       true,  true,  1, 1000, 25",
        "ABORTED,           true,  true,  1, 1000, 25",
        "ABORTED,           true,  false, 1, 1000, -1",
        "DEADLINE_EXCEEDED, true,  true,  1, 1000, -1",
        "INTERNAL,          true,  true,  1, 1000, -1",
        "NOT_FOUND,         true,  true,  1, 1000, -1",
        "RESOURCE_EXHAUSTED, true, true,  1, 1000, -1",
        // the wait must leave the next attempt at least as much time as it waited
        "UNAVAILABLE,       false, false, 1, 50,   -1",
        "UNAVAILABLE,       false, false, 1, 51,   25",
        "UNAVAILABLE,       false, false, 2, 100,  -1",
    })
    void decidesFromStatusAttemptAndTimeLeft(Code code, boolean delivered, boolean idempotent, int attempt,
            long remainingMillis, long expected) {
        TrafficPolicy traffic = policy(RETRY, idempotent);
        assertThat(RetryPolicy.delayMillis(traffic, code, delivered, attempt, remainingMillis, ceiling -> ceiling))
                .isEqualTo(expected);
    }

    @ParameterizedTest(name = "attempt {0} -> ceiling {1}ms")
    @CsvSource({"1, 25", "2, 50", "3, 100", "4, 200", "5, 250", "30, 250"})
    void backsOffExponentiallyUpToTheCap(int attempt, long ceiling) {
        TrafficPolicy traffic = policy(new TrafficPolicy.Retry(100, Duration.ofMillis(25), Duration.ofMillis(250)), false);
        assertThat(RetryPolicy.delayMillis(traffic, Code.UNAVAILABLE, false, attempt, 60_000, c -> c)).isEqualTo(ceiling);
        assertThat(RetryPolicy.delayMillis(traffic, Code.UNAVAILABLE, false, attempt, 60_000, c -> 0)).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"UNAVAILABLE", "ABORTED"})
    void aRouteWithoutRetriesNeverRetries(Code code) {
        assertThat(RetryPolicy.delayMillis(policy(TrafficPolicy.Retry.NONE, true), code, false, 1, 60_000, c -> c))
                .isEqualTo(RetryPolicy.NO_RETRY);
    }

    private static TrafficPolicy policy(TrafficPolicy.Retry retry, boolean idempotent) {
        return new TrafficPolicy(Optional.empty(), retry, idempotent, TrafficPolicy.CircuitBreaker.DEFAULT,
                TrafficPolicy.DEFAULT_MAX_CONCURRENT_CALLS);
    }
}
