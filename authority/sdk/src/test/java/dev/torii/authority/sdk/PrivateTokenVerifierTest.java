package dev.torii.authority.sdk;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.PlainJWT;
import dev.torii.authority.sdk.testing.TestTokens;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Checks the builder's validation, and that visibly bad tokens are refused before any JWKS fetch:
 * the JWKS URI here points nowhere, so a fetch would surface as {@link JwksUnavailableException}.
 */
class PrivateTokenVerifierTest {

    private static final URI NOWHERE = URI.create("http://127.0.0.1:1/.well-known/jwks.json");
    private static final String ISSUER = "http://authority:9091";

    private final PrivateTokenVerifier verifier = PrivateTokenVerifier.builder()
            .jwksUri(NOWHERE)
            .issuer(ISSUER)
            .audience(TestTokens.AUDIENCE)
            .build();

    @Test
    void requiresJwksUriIssuerAndAudience() {
        assertThatThrownBy(() -> PrivateTokenVerifier.builder().issuer(ISSUER).audience("a").build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("jwksUri is not set (expected: the Authority's JWKS URL)");
        assertThatThrownBy(() -> PrivateTokenVerifier.builder().jwksUri(NOWHERE).audience("a").build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("issuer is not set (expected: the Authority's issuer URL)");
        assertThatThrownBy(() -> PrivateTokenVerifier.builder().jwksUri(NOWHERE).issuer(ISSUER).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("no audience is set (expected: at least this backend's service name)");
    }

    @Test
    void rejectsSettingsOutOfRange() {
        PrivateTokenVerifier.Builder builder = PrivateTokenVerifier.builder();

        assertThatThrownBy(() -> builder.jwksUri(URI.create("file:///etc/jwks.json")))
                .hasMessage("jwksUri: file:///etc/jwks.json (expected: an absolute http or https URL)");
        assertThatThrownBy(() -> builder.clockSkew(Duration.ofSeconds(-1)))
                .hasMessage("clockSkew: PT-1S (expected: between PT0S and PT5M)");
        assertThatThrownBy(() -> builder.clockSkew(Duration.ofMinutes(6)))
                .hasMessage("clockSkew: PT6M (expected: between PT0S and PT5M)");
        assertThatThrownBy(() -> builder.jwksCacheTtl(Duration.ZERO))
                .hasMessage("jwksCacheTtl: PT0S (expected: > 0)");
        assertThatThrownBy(() -> builder.audience(" "))
                .hasMessage("audience: \" \" (expected: a service name)");
    }

    @Test
    void requiresTheRefreshFloorToBeShorterThanTheCacheTtl() {
        assertThatThrownBy(() -> PrivateTokenVerifier.builder().jwksUri(NOWHERE).issuer(ISSUER).audience("a")
                .jwksCacheTtl(Duration.ofSeconds(30)).jwksRefreshFloor(Duration.ofSeconds(30)).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("jwksRefreshFloor: PT30S (expected: shorter than jwksCacheTtl PT30S)");
    }

    @Test
    void refusesWhatIsVisiblyNotAPrivateTokenWithoutFetchingTheJwks() {
        String unsigned = new PlainJWT(TestTokens.userClaims(ISSUER).build()).serialize();

        assertThatThrownBy(() -> verifier.verify(null))
                .isInstanceOf(PrivateTokenException.class).hasMessage("no private token (expected: a JWT)");
        assertThatThrownBy(() -> verifier.verify("x".repeat(PrivateTokenVerifier.MAX_TOKEN_LENGTH + 1)))
                .isInstanceOf(PrivateTokenException.class)
                .hasMessage("private token is 16385 characters long (expected: at most 16384)");
        assertThatThrownBy(() -> verifier.verify("a.b"))
                .isInstanceOf(PrivateTokenException.class).hasMessageStartingWith("private token is malformed");
        assertThatThrownBy(() -> verifier.verify(unsigned))
                .isInstanceOf(PrivateTokenException.class).hasMessageStartingWith("private token is unsigned");
    }

    @Test
    void needsTheJwksForAWellFormedToken() {
        String token = TestTokens.sign(TestTokens.ecKey("k1"), TestTokens.userClaims(ISSUER).build());

        assertThatThrownBy(() -> verifier.verify(token))
                .isInstanceOf(JwksUnavailableException.class)
                .hasMessageStartingWith("cannot fetch the JWKS at " + NOWHERE);
    }
}
