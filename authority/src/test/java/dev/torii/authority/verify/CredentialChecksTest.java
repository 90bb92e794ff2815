package dev.torii.authority.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CredentialChecksTest {

    @Test
    void acceptsACredentialOfExactlyTheLimit() {
        assertThatCode(() -> CredentialChecks.requireWellFormed("a".repeat(CredentialChecks.MAX_CREDENTIAL_CHARS)))
                .doesNotThrowAnyException();
    }

    @Test
    void refusesACredentialOverTheLimitNamingItsLength() {
        assertThatThrownBy(() -> CredentialChecks.requireWellFormed("a".repeat(CredentialChecks.MAX_CREDENTIAL_CHARS + 1)))
                .isInstanceOf(CredentialRejectedException.class)
                .hasMessage("credential: 16385 characters (expected: at most 16384)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "two words", "tab\there", "line\nbreak", "caf\u00e9", "nul\u0000"})
    void refusesWhatCannotBeAToken(String credential) {
        assertThatThrownBy(() -> CredentialChecks.requireWellFormed(credential))
                .isInstanceOf(CredentialRejectedException.class)
                .hasMessageStartingWith("credential: ");
    }

    @Test
    void fingerprintsWithoutRevealingTheCredential() {
        String credential = "eyJhbGciOiJSUzI1NiJ9.secret-payload.signature";
        String fingerprint = CredentialChecks.fingerprint(credential);
        assertThat(fingerprint).matches("sha256:[0-9a-f]{16}").doesNotContain("secret");
        assertThat(CredentialChecks.fingerprint(credential)).isEqualTo(fingerprint);
        assertThat(CredentialChecks.fingerprint(credential + "x")).isNotEqualTo(fingerprint);
    }

    @Test
    void quotesUntrustedValuesWithoutControlCharactersAndTruncated() {
        assertThat(CredentialChecks.quote("evil\n2026-01-01 INFO forged")).isEqualTo("'evil?2026-01-01 INFO forged'");
        assertThat(CredentialChecks.quote("x".repeat(500))).hasSize(80 + 5).endsWith("...'");
        assertThat(CredentialChecks.quote(null)).isEqualTo("absent");
    }
}
