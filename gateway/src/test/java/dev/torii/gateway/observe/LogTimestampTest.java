package dev.torii.gateway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class LogTimestampTest {

    @Test
    void writesWhatInstantToStringWrites() {
        for (Instant moment : new Instant[] {
                Instant.parse("2026-12-04T19:01:41Z"),
                Instant.parse("2026-12-04T19:01:41.100Z"),
                Instant.parse("2026-12-04T19:01:41.000120Z"),
                Instant.parse("2026-12-04T19:01:41.000000007Z"),
                Instant.parse("2026-12-04T19:01:41.123456789Z"),
                Instant.parse("1970-01-01T00:00:00.010Z"),
                Instant.parse("2026-12-04T19:01:42.5Z"),
                Instant.parse("2026-12-04T19:01:41.999999Z")}) {
            StringBuilder out = new StringBuilder();
            LogTimestamp.append(out, moment);
            assertThat(out).as("%s", moment).hasToString(moment.toString());
        }
    }

    @Test
    void theNextSecondIsFormattedAfresh() {
        StringBuilder first = new StringBuilder();
        LogTimestamp.append(first, Instant.parse("2026-12-04T23:59:59.5Z"));
        StringBuilder next = new StringBuilder();
        LogTimestamp.append(next, Instant.parse("2026-12-05T00:00:00.25Z"));
        assertThat(first).hasToString("2026-12-04T23:59:59.500Z");
        assertThat(next).hasToString("2026-12-05T00:00:00.250Z");
    }
}
