package dev.torii.gateway.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestIdsTest {

    @ParameterizedTest
    @ValueSource(strings = {"abc", "3f2c9a1e-9d2b-4c1a-8f00-000000000000", "trace:1.2_3-4"})
    void reusesSaneIds(String id) {
        assertThat(RequestIds.acceptable(id)).isTrue();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"has space", "new\nline", "<script>", "ｉｄ", "quote\"d"})
    void replacesUnsafeIds(String id) {
        assertThat(RequestIds.acceptable(id)).isFalse();
        assertThat(RequestIds.acceptable("x".repeat(129))).isFalse();
    }
}
