package dev.torii.gateway.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.torii.authority.testing.RedisServerProcess;
import dev.torii.gateway.route.TrafficPolicy;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The Redis limiter against a real {@code redis-server}: requests for one bucket that arrive while
 * a check is in flight are decided together, exactly and in arrival order, with fewer calls.
 */
class RedisRateLimiterTest {

    private static RedisServerProcess redis;
    private static RedisClient client;
    private static StatefulRedisConnection<String, String> connection;

    private final LocalRateLimiter local = new LocalRateLimiter(1000, System::nanoTime);
    private final RedisRateLimiter limiter = new RedisRateLimiter(() -> connection.async(), local,
            "test:" + System.nanoTime() + ":");

    @BeforeAll
    static void startRedis() throws IOException {
        redis = RedisServerProcess.start();
        client = RedisClient.create(redis.uri().toString());
        client.setOptions(ClientOptions.builder().timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(2))).build());
        connection = client.connect();
    }

    @AfterAll
    static void stopRedis() {
        connection.close();
        client.shutdown();
        redis.close();
    }

    private static TrafficPolicy.RateLimit perHour(long burst, long cost) {
        return new TrafficPolicy.RateLimit(new TrafficPolicy.RateLimitKey(TrafficPolicy.RateLimitKey.Kind.ROUTE, ""),
                burst, Duration.ofHours(1), burst, cost);
    }

    @Test
    void requestsThatArriveTogetherAreDecidedExactlyWithFewerCalls() {
        TrafficPolicy.RateLimit limit = perHour(100, 1);
        long callsBefore = scriptCalls();

        List<Mono<RateLimitDecision>> checks = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            checks.add(limiter.acquire("hot", limit));
        }
        List<RateLimitDecision> decisions = Flux.concat(checks).collectList().block(Duration.ofSeconds(10));

        assertThat(decisions).filteredOn(RateLimitDecision::allowed).hasSize(100)
                .extracting(RateLimitDecision::remaining).doesNotHaveDuplicates();
        assertThat(decisions).filteredOn(d -> !d.allowed()).hasSize(300)
                .allSatisfy(d -> assertThat(d.remaining()).isZero());
        assertThat(limiter.usingRedis()).isTrue();
        assertThat(scriptCalls() - callsBefore).as("Redis calls for 400 requests").isLessThan(400);
    }

    @Test
    void waitingRequestsAreDecidedInArrivalOrderAndPayTheirCost() {
        TrafficPolicy.RateLimit limit = perHour(10, 3);

        List<Mono<RateLimitDecision>> checks = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            checks.add(limiter.acquire("ordered", limit));
        }
        List<RateLimitDecision> decisions = Flux.concat(checks).collectList().block(Duration.ofSeconds(10));

        assertThat(decisions).extracting(RateLimitDecision::allowed).containsExactly(true, true, true, false, false);
        assertThat(decisions).extracting(RateLimitDecision::remaining).containsExactly(7L, 4L, 1L, 1L, 1L);
        assertThat(decisions.get(3).retryAfterSeconds()).isPositive();
    }

    @Test
    void bucketsStaySeparate() {
        TrafficPolicy.RateLimit limit = perHour(1, 1);

        List<RateLimitDecision> decisions = Flux.concat(limiter.acquire("a", limit), limiter.acquire("b", limit),
                limiter.acquire("a", limit)).collectList().block(Duration.ofSeconds(10));

        assertThat(decisions).extracting(RateLimitDecision::allowed).containsExactly(true, true, false);
    }

    @Test
    void withoutAConnectionTheBucketsAreKeptLocally() {
        RedisRateLimiter unconnected = new RedisRateLimiter(() -> {
            throw new IllegalStateException("not connected to Redis yet");
        }, local, "test:");

        List<RateLimitDecision> decisions = Flux.concat(unconnected.acquire("down", perHour(1, 1)),
                unconnected.acquire("down", perHour(1, 1))).collectList().block(Duration.ofSeconds(10));

        assertThat(decisions).extracting(RateLimitDecision::allowed).containsExactly(true, false);
        assertThat(unconnected.usingRedis()).isFalse();
        assertThat(unconnected.store()).isEqualTo("local");
    }

    private static long scriptCalls() {
        Matcher calls = Pattern.compile("cmdstat_evalsha:calls=(\\d+)").matcher(connection.sync().info("commandstats"));
        return calls.find() ? Long.parseLong(calls.group(1)) : 0;
    }
}
