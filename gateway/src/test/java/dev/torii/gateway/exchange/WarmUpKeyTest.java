package dev.torii.gateway.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;

class WarmUpKeyTest {

    @Test
    void aRandomKeyIsCarriedOnlyUntilRetiredButItsTracesStayItsOwn() {
        WarmUpKey key = WarmUpKey.random();
        String trace = key.tracePrefix() + "00f067aa0ba902b7";

        assertThat(key.tracePrefix()).matches("[0-9a-f]{16}");
        assertThat(key.carriedBy(MockServerHttpRequest.get("/").header(WarmUpKey.HEADER, key.secret()).build())).isTrue();
        assertThat(key.carriedBy(MockServerHttpRequest.get("/").header(WarmUpKey.HEADER, wrong(key.secret()))
                .build())).isFalse();
        assertThat(key.isWarmUpTrace(trace)).isTrue();

        key.retire();

        assertThat(key.carriedBy(MockServerHttpRequest.get("/").header(WarmUpKey.HEADER, key.secret()).build())).isFalse();
        assertThat(key.isWarmUpTrace(trace)).as("a span ending after the warm-up").isTrue();
        assertThat(key.isWarmUpTrace("4bf92f3577b34da6a3ce929d0e0e4736")).isFalse();
        assertThat(WarmUpKey.random().tracePrefix()).isNotEqualTo(key.tracePrefix());
    }

    @Test
    void theKeyOfAGatewayThatDoesNotWarmUpMatchesNothing() {
        WarmUpKey none = WarmUpKey.none();

        assertThat(none.carriedBy(MockServerHttpRequest.get("/").header(WarmUpKey.HEADER, "").build())).isFalse();
        assertThat(none.isWarmUpTrace("4bf92f3577b34da6a3ce929d0e0e4736")).isFalse();
        assertThatThrownBy(none::tracePrefix).isInstanceOf(IllegalStateException.class);
    }

    // The secret with its first digit changed: one hex digit off.
    private static String wrong(String secret) {
        return (secret.charAt(0) == '0' ? "1" : "0") + secret.substring(1);
    }
}
