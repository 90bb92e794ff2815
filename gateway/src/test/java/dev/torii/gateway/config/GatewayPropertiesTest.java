package dev.torii.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torii.gateway.auth.AuthorityProperties;
import dev.torii.gateway.traffic.RateLimitHeaders;
import dev.torii.gateway.traffic.RedisProperties;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.util.unit.DataSize;

class GatewayPropertiesTest {

    private static final AuthorityProperties AUTHORITY = new AuthorityProperties(
            java.util.Optional.empty(), false, java.util.Optional.empty(), Duration.ofSeconds(2), 100,
            Duration.ofSeconds(30), Duration.ofSeconds(5));
    private static final GatewayProperties.Reload RELOAD = new GatewayProperties.Reload(true, Duration.ofSeconds(5));
    private static final GatewayProperties.Status STATUS = new GatewayProperties.Status(Duration.ofSeconds(5),
            Duration.ofSeconds(1));
    private static final RedisProperties REDIS = new RedisProperties(Optional.empty(), false, Duration.ofMillis(50),
            "torii:rl:");
    private static final GatewayProperties.ClientIp CLIENT_IP = new GatewayProperties.ClientIp(List.of());
    private static final GatewayProperties.RetryBudget RETRY_BUDGET = new GatewayProperties.RetryBudget(0.2, 10);
    private static final GatewayProperties.Cors NO_CORS = new GatewayProperties.Cors(List.of(), List.of("GET", "POST"),
            List.of(), List.of(), false, Duration.ofMinutes(30));
    private static final GatewayProperties.Reflection NO_REFLECTION = new GatewayProperties.Reflection(false);
    private static final GatewayProperties.Warmup NO_WARMUP = new GatewayProperties.Warmup(false, 1,
            Duration.ofSeconds(1), 1);

    @ParameterizedTest
    @ValueSource(strings = {"authorization", "Cookie", "grpc-timeout", "x-torii-user", "te", "trace-bin", "host",
        "bad header", "x-request-id"})
    void refusesHeadersThatMustNotBeForwarded(String header) {
        assertThatThrownBy(() -> properties(List.of(header)))
                .hasMessageContaining("torii.gateway.forwarded-headers: '" + header.toLowerCase() + "'");
    }

    @Test
    void normalisesHeaderNames() {
        assertThat(properties(List.of(" Accept-Language ")).forwardedHeaders()).containsExactly("accept-language");
    }

    @Test
    void runsOneEventLoopPerProcessorUnlessTold() {
        assertThat(properties(List.of()).eventLoopThreads()).isZero();
        assertThat(properties(List.of()).eventLoops()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThatThrownBy(() -> new GatewayProperties(Path.of("routes"), List.of("x"), DataSize.ofMegabytes(1),
                DataSize.ofMegabytes(1), List.of(), Duration.ZERO, AUTHORITY, List.of(), RELOAD, STATUS, REDIS, CLIENT_IP,
                RETRY_BUDGET, false, Duration.ofSeconds(2), 100, RateLimitHeaders.DRAFT,
                new GatewayProperties.Streams(Duration.ofMinutes(5), DataSize.ofKilobytes(1)),
                NO_CORS, NO_REFLECTION, NO_WARMUP, -1))
                .hasMessageContaining("torii.gateway.event-loop-threads: -1 (expected: >= 0");
    }

    @Test
    void refusesAZeroBodyLimit() {
        assertThatThrownBy(() -> new GatewayProperties(Path.of("routes"), List.of("x"), DataSize.ofBytes(0),
                DataSize.ofMegabytes(1), List.of(), Duration.ZERO, AUTHORITY, List.of(), RELOAD, STATUS, REDIS, CLIENT_IP,
                RETRY_BUDGET, false, Duration.ofSeconds(2), 100, RateLimitHeaders.DRAFT,
                new GatewayProperties.Streams(Duration.ofMinutes(5), DataSize.ofKilobytes(1)),
                NO_CORS, NO_REFLECTION, NO_WARMUP, 0))
                .hasMessageContaining("torii.gateway.max-request-size: 0B (expected: > 0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"PT0S", "PT0.099S", "PT-1S"})
    void refusesAReloadPollIntervalUnder100Milliseconds(String interval) {
        assertThatThrownBy(() -> new GatewayProperties.Reload(true, Duration.parse(interval)))
                .hasMessage("torii.gateway.reload.poll-interval: " + Duration.parse(interval) + " (expected: >= 100ms)");
    }

    @Test
    void acceptsAReloadPollIntervalOf100Milliseconds() {
        assertThat(new GatewayProperties.Reload(false, Duration.ofMillis(100)).pollInterval())
                .isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void refusesAHealthCheckTimeoutLongerThanItsInterval() {
        assertThatThrownBy(() -> new GatewayProperties.Status(Duration.ofSeconds(1), Duration.ofSeconds(2)))
                .hasMessageContaining("torii.gateway.status.health-timeout: PT2S (expected: > 0 and <=");
        assertThatThrownBy(() -> new GatewayProperties.Status(Duration.ofSeconds(1), Duration.ZERO))
                .hasMessageContaining("torii.gateway.status.health-timeout: PT0S");
        assertThatThrownBy(() -> new GatewayProperties.Status(Duration.ofMillis(50), Duration.ofMillis(10)))
                .hasMessageContaining("torii.gateway.status.health-interval: PT0.05S (expected: >= 100ms)");
    }

    @Test
    void rateLimitHeadersDefaultToTheCurrentDraftAndBindFromLowerCase() {
        ApplicationContextRunner binding = new ApplicationContextRunner().withUserConfiguration(Bound.class)
                .withPropertyValues("torii.gateway.descriptor-sets=classpath:none.binpb");

        binding.run(context -> assertThat(context.getBean(GatewayProperties.class).rateLimitHeaders())
                .isEqualTo(RateLimitHeaders.DRAFT));
        binding.withPropertyValues("torii.gateway.rate-limit-headers=legacy").run(context ->
                assertThat(context.getBean(GatewayProperties.class).rateLimitHeaders()).isEqualTo(RateLimitHeaders.LEGACY));
        binding.withPropertyValues("torii.gateway.rate-limit-headers=both").run(context ->
                assertThat(context.getBean(GatewayProperties.class).rateLimitHeaders()).isEqualTo(RateLimitHeaders.BOTH));
        binding.withPropertyValues("torii.gateway.rate-limit-headers=rfc").run(context ->
                assertThat(context).getFailure().rootCause().hasMessageContaining("RateLimitHeaders")
                        .hasMessageContaining("rfc"));
    }

    @Test
    void reflectionIsOffUnlessSet() {
        ApplicationContextRunner binding = new ApplicationContextRunner().withUserConfiguration(Bound.class)
                .withPropertyValues("torii.gateway.descriptor-sets=classpath:none.binpb");

        binding.run(context -> assertThat(context.getBean(GatewayProperties.class).reflection().enabled()).isFalse());
        binding.withPropertyValues("torii.gateway.reflection.enabled=true").run(context ->
                assertThat(context.getBean(GatewayProperties.class).reflection().enabled()).isTrue());
    }

    @Test
    void bindsTheCorsDefaultAndNamesAWrongOrigin() {
        ApplicationContextRunner binding = new ApplicationContextRunner().withUserConfiguration(Bound.class);
        binding.withPropertyValues("torii.gateway.cors.allowed-origins=http://localhost:5173,https://*.example.com")
                .run(context -> assertThat(context.getBean(GatewayProperties.class).cors().policy().allowedOrigins())
                        .containsExactly("http://localhost:5173", "https://*.example.com"));
        binding.withPropertyValues("torii.gateway.cors.allowed-origins=https://app.example.com/").run(context ->
                assertThat(context).getFailure().rootCause()
                        .hasMessageStartingWith("torii.gateway.cors.allowed-origins[0]: 'https://app.example.com/'"
                                + " (expected: an origin such as"));
        binding.withPropertyValues("torii.gateway.cors.allowed-origins=*", "torii.gateway.cors.allow-credentials=true")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessageContaining("torii.gateway.cors.allow-credentials: true with allowedOrigins '*'"));
    }

    @EnableConfigurationProperties(GatewayProperties.class)
    static class Bound {}

    private static GatewayProperties properties(List<String> headers) {
        return new GatewayProperties(Path.of("routes"), List.of("x"), DataSize.ofMegabytes(1),
                DataSize.ofMegabytes(1), headers, Duration.ofSeconds(1), AUTHORITY, List.of(), RELOAD, STATUS, REDIS, CLIENT_IP,
                RETRY_BUDGET, false, Duration.ofSeconds(2), 100, RateLimitHeaders.DRAFT,
                new GatewayProperties.Streams(Duration.ofMinutes(5), DataSize.ofKilobytes(1)),
                NO_CORS, NO_REFLECTION, NO_WARMUP, 0);
    }
}
