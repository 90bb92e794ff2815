package dev.torii.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestTelemetryFilterTest {

    @Test
    void writesMillisecondsAsTheDoubleWouldBe() {
        for (long micros = 0; micros <= 2_000_000; micros++) {
            assertMillis(micros);
        }
        for (long micros = 2_000_000; micros < 9_999_999_999L; micros = micros * 3 + 7) {
            assertMillis(micros);
        }
    }

    @Test
    void keepsOneDecimalForWholeMilliseconds() {
        StringBuilder out = new StringBuilder();
        RequestTelemetryFilter.appendMillis(out, 61_000);
        assertThat(out).hasToString("61.0");
    }

    private static void assertMillis(long micros) {
        StringBuilder out = new StringBuilder();
        RequestTelemetryFilter.appendMillis(out, micros);
        assertThat(out.toString()).as("%d µs", micros).isEqualTo(Double.toString(micros / 1e3));
    }
}
