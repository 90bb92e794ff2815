package dev.torii.authority.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UntrustedTest {

    @Test
    void quotesPrintableValuesAsTheyAre() {
        assertThat(Untrusted.quote("k-2026-03")).isEqualTo("\"k-2026-03\"");
    }

    @Test
    void replacesControlCharactersQuotesAndNonAscii() {
        assertThat(Untrusted.quote("a\"b\\c\r\nd\u00e9")).isEqualTo("\"a?b?c??d?\"");
    }

    @Test
    void truncatesLongValues() {
        assertThat(Untrusted.quote("x".repeat(1000))).isEqualTo("\"" + "x".repeat(Untrusted.MAX_LENGTH) + "...\"");
    }

    @Test
    void rendersAMissingValue() {
        assertThat(Untrusted.quote(null)).isEqualTo("null");
    }
}
