package dev.torii.authority.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torii.authority.verify.KeyEndpointSettings;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.util.unit.DataSize;

class AuthorityPropertiesTest {

    @Test
    void aFormMustHoldATokenOfTheMaximumLength() {
        assertThatCode(() -> new AuthorityProperties.Limits(16384, DataSize.ofKilobytes(64))).doesNotThrowAnyException();
        assertThatCode(() -> new AuthorityProperties.Limits(4096, DataSize.ofBytes(4096 + 1024))).doesNotThrowAnyException();

        assertThatThrownBy(() -> new AuthorityProperties.Limits(16384, DataSize.ofKilobytes(16)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("torii.authority.limits.max-form-size: 16384B (expected: at least max-subject-token-length"
                        + " 16384 + 1024 bytes, so the longest accepted token fits in a form)");
    }

    static Stream<Arguments> badKeyEndpointSettings() {
        Duration minute = Duration.ofMinutes(1);
        return Stream.of(
                Arguments.of(Duration.ofSeconds(-1), minute, minute, minute, minute, "outage-grace: PT-1S (expected: >= 0)"),
                Arguments.of(minute, Duration.ZERO, minute, minute, minute, "min-cache-ttl: PT0S (expected: > 0)"),
                Arguments.of(minute, Duration.ofHours(2), Duration.ofHours(1), minute, minute,
                        "min-cache-ttl: PT2H (expected: at most max-cache-ttl PT1H)"),
                Arguments.of(minute, minute, minute, Duration.ofMinutes(10), minute,
                        "min-retry-interval: PT10M (expected: at most max-retry-interval PT1M)"),
                Arguments.of(minute, minute, minute, minute, null, "max-retry-interval: null (expected: > 0)"));
    }

    @ParameterizedTest(name = "{5}")
    @MethodSource("badKeyEndpointSettings")
    void refusesKeyEndpointSettingsOutOfRange(Duration grace, Duration minTtl, Duration maxTtl, Duration minRetry,
            Duration maxRetry, String message) {
        assertThatThrownBy(() -> new KeyEndpointSettings(grace, minTtl, maxTtl, minRetry, maxRetry))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("torii.authority.key-endpoints." + message);
    }

    @Test
    void theDefaultsAreValid() {
        assertThat(KeyEndpointSettings.defaults().outageGrace()).isEqualTo(Duration.ofHours(1));
    }
}
