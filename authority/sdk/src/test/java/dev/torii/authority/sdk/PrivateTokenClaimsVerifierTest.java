package dev.torii.authority.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.JWTClaimsSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Pins the claim rules, and the exact clock-skew boundaries, with a fixed clock. */
class PrivateTokenClaimsVerifierTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final Duration SKEW = Duration.ofSeconds(30);
    private static final String ISSUER = "http://authority:9091";
    private static final String AUDIENCE = "examples.offer.v1.OfferService";

    private final PrivateTokenClaimsVerifier verifier = new PrivateTokenClaimsVerifier(
            ISSUER, Set.of(AUDIENCE), SKEW, Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void acceptsValidClaims() {
        assertThatCode(() -> verifier.verify(claims().build(), null)).doesNotThrowAnyException();
    }

    @Test
    void acceptsExpiryUntilTheSkewHasPassed() {
        assertThatCode(() -> verifier.verify(claims().expirationTime(at(NOW.minus(SKEW).plusSeconds(1))).build(), null))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> verifier.verify(claims().expirationTime(at(NOW.minus(SKEW))).build(), null))
                .hasMessage("token expired at 2026-03-01T11:59:30Z (now: 2026-03-01T12:00:00Z, clock skew: PT30S)");
    }

    @Test
    void acceptsNotBeforeUpToTheSkewAhead() {
        assertThatCode(() -> verifier.verify(claims().notBeforeTime(at(NOW.plus(SKEW))).build(), null))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> verifier.verify(claims().notBeforeTime(at(NOW.plus(SKEW).plusSeconds(1))).build(), null))
                .hasMessageStartingWith("token not valid before 2026-03-01T12:00:31Z");
    }

    @Test
    void acceptsIssuedAtUpToTheSkewAhead() {
        assertThatCode(() -> verifier.verify(claims().issueTime(at(NOW.plus(SKEW))).build(), null))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> verifier.verify(claims().issueTime(at(NOW.plus(SKEW).plusSeconds(1))).build(), null))
                .hasMessageStartingWith("token issued in the future at 2026-03-01T12:00:31Z");
    }

    @Test
    void toleratesNoSkewWhenConfiguredWithNone() {
        PrivateTokenClaimsVerifier strict = new PrivateTokenClaimsVerifier(
                ISSUER, Set.of(AUDIENCE), Duration.ZERO, Clock.fixed(NOW, ZoneOffset.UTC));

        assertThatThrownBy(() -> strict.verify(claims().expirationTime(at(NOW)).build(), null))
                .hasMessageStartingWith("token expired at");
        assertThatCode(() -> strict.verify(claims().expirationTime(at(NOW.plusSeconds(1))).build(), null))
                .doesNotThrowAnyException();
    }

    @Test
    void namesEveryMissingClaim() {
        JWTClaimsSet empty = new JWTClaimsSet.Builder().claim("scope", "offers.read").build();

        assertThatThrownBy(() -> verifier.verify(empty, null))
                .hasMessage("missing required claims [iss, sub, aud, exp, iat, jti, principal_type]");
    }

    @Test
    void treatsAnEmptyStringAsMissing() {
        assertThatThrownBy(() -> verifier.verify(claims().subject("").build(), null))
                .hasMessage("missing required claims [sub]");
    }

    @Test
    void quotesAndTruncatesAnAttackerChosenIssuer() {
        String hostile = "https://evil.example/\r\nSet-Cookie: x=\"y\"" + "a".repeat(200);

        assertThatThrownBy(() -> verifier.verify(claims().issuer(hostile).build(), null))
                .hasMessageStartingWith("iss is \"https://evil.example/??Set-Cookie: x=?y?aaaa")
                .hasMessageContaining("...\" (expected: \"" + ISSUER + "\")")
                .hasMessageNotContaining("\r")
                .hasMessageNotContaining("\n");
    }

    @Test
    void refusesOtherAudiencesAndSeveralAudiences() {
        assertThatThrownBy(() -> verifier.verify(claims().audience("examples.cart.v1.CartService").build(), null))
                .hasMessage("aud is [\"examples.cart.v1.CartService\"] (expected: exactly one of [" + AUDIENCE + "])");
        assertThatThrownBy(() -> verifier.verify(claims().audience(java.util.List.of(AUDIENCE, AUDIENCE + "2")).build(), null))
                .hasMessageStartingWith("aud is [\"" + AUDIENCE + "\", \"" + AUDIENCE + "2\"]");
    }

    @Test
    void acceptsOnlyTheTwoPrincipalTypes() {
        assertThatCode(() -> verifier.verify(claims().claim("principal_type", "service_account").build(), null))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> verifier.verify(claims().claim("principal_type", "USER").build(), null))
                .hasMessage("principal_type is \"USER\" (expected: \"user\" or \"service_account\")");
    }

    private static JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .subject("user-42")
                .audience(AUDIENCE)
                .expirationTime(at(NOW.plusSeconds(300)))
                .issueTime(at(NOW))
                .notBeforeTime(at(NOW))
                .jwtID("jti-1")
                .claim("principal_type", "user")
                .claim("scope", "offers.read");
    }

    private static Date at(Instant instant) {
        return Date.from(instant);
    }
}
