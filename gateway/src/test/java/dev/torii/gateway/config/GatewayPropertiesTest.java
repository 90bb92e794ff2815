package dev.torii.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.util.unit.DataSize;

class GatewayPropertiesTest {

    private static final GatewayProperties.Authority AUTHORITY = new GatewayProperties.Authority(
            java.util.Optional.empty(), false, Duration.ofSeconds(2), 100, Duration.ofSeconds(30), Duration.ofSeconds(5));

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
    void refusesAZeroBodyLimit() {
        assertThatThrownBy(() -> new GatewayProperties(Path.of("routes"), List.of("x"), DataSize.ofBytes(0),
                DataSize.ofMegabytes(1), List.of(), Duration.ZERO, AUTHORITY, List.of()))
                .hasMessageContaining("torii.gateway.max-request-size: 0B (expected: > 0");
    }

    private static GatewayProperties properties(List<String> headers) {
        return new GatewayProperties(Path.of("routes"), List.of("x"), DataSize.ofMegabytes(1),
                DataSize.ofMegabytes(1), headers, Duration.ofSeconds(1), AUTHORITY, List.of());
    }
}
