package dev.torii.authority.mint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.JWK;
import dev.torii.authority.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class KeyRingTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T00:00:00Z"));
    private final JWK first = SigningKeys.generate("RS256");
    private final JWK second = SigningKeys.generate("RS256");
    private final KeyRing ring = new KeyRing(first, Duration.ofMinutes(15), clock);

    @Test
    void publishesOnlyPublicParts() {
        assertThat(ring.publicJwks().getKeys()).singleElement().satisfies(key -> {
            assertThat(key.isPrivate()).isFalse();
            assertThat(key.getKeyID()).isEqualTo(first.getKeyID());
        });
        assertThat(ring.publicJwks().toString()).doesNotContain("\"d\"", "\"p\"", "\"q\"");
    }

    @Test
    void aRetiredKeyStaysPublishedThroughTheOverlapOnly() {
        ring.rotate(second);

        assertThat(ring.signingKey().getKeyID()).isEqualTo(second.getKeyID());
        assertThat(ring.publicJwks().getKeys()).extracting(JWK::getKeyID)
                .containsExactly(second.getKeyID(), first.getKeyID());
        assertThat(ring.verificationKey(first.getKeyID())).isPresent();

        clock.advance(Duration.ofMinutes(15));

        assertThat(ring.publicJwks().getKeys()).extracting(JWK::getKeyID).containsExactly(second.getKeyID());
        assertThat(ring.verificationKey(first.getKeyID())).isEmpty();
    }

    @Test
    void rotatingToTheKeyInUseChangesNothing() {
        ring.rotate(first);

        assertThat(ring.publicJwks().getKeys()).hasSize(1);
    }

    @Test
    void extraKeysArePublishedWithoutSigning() {
        ring.publishAlso(java.util.List.of(second.toPublicJWK()));

        assertThat(ring.signingKey().getKeyID()).isEqualTo(first.getKeyID());
        assertThat(ring.publicJwks().getKeys()).extracting(JWK::getKeyID).contains(second.getKeyID());
    }

    @Test
    void refusesAPublicOnlySigningKey() {
        assertThatThrownBy(() -> ring.rotate(second.toPublicJWK())).hasMessageContaining("has no private part");
    }
}
