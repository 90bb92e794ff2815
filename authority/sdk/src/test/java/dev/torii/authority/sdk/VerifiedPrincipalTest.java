package dev.torii.authority.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VerifiedPrincipalTest {

    private static final String TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyIn0.c2lnbmF0dXJl";

    @Test
    void leavesTheTokenOutOfItsDescription() {
        VerifiedPrincipal principal = new VerifiedPrincipal(VerifiedPrincipal.Type.USER, "user-42",
                Set.of("offers.read"), Set.of(), "jti-1", Instant.EPOCH, TOKEN);

        assertThat(principal.toString())
                .contains("user-42", "offers.read", "jti-1", "token=<redacted>")
                .doesNotContain(TOKEN)
                .doesNotContain("c2lnbmF0dXJl");
    }

    @Test
    void keepsItsOwnCopyOfScopesAndRoles() {
        Set<String> scopes = new HashSet<>(Set.of("offers.read"));
        VerifiedPrincipal principal = new VerifiedPrincipal(VerifiedPrincipal.Type.USER, "user-42",
                scopes, Set.of(), "jti-1", Instant.EPOCH, TOKEN);

        scopes.add("offers.admin");

        assertThat(principal.hasScope("offers.admin")).isFalse();
        assertThat(principal.hasScope("offers.read")).isTrue();
        assertThatThrownBy(() -> principal.scopes().add("x")).isInstanceOf(UnsupportedOperationException.class);
    }
}
