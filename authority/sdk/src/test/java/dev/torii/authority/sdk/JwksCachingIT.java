package dev.torii.authority.sdk;

import static dev.torii.authority.sdk.testing.TestTokens.AUDIENCE;
import static dev.torii.authority.sdk.testing.TestTokens.sign;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.RSAKey;
import dev.torii.authority.sdk.testing.JwksServer;
import dev.torii.authority.sdk.testing.TestTokens;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Counts the JWKS fetches a verifier makes against a real HTTP JWKS, to show the cache, the
 * refetch on key rotation, the refresh floor, and the behaviour while the Authority is down.
 */
class JwksCachingIT {

    private static RSAKey current;
    private static RSAKey next;

    private JwksServer authority;

    @BeforeAll
    static void generateKeys() {
        current = TestTokens.rsaKey("current");
        next = TestTokens.rsaKey("next");
    }

    @BeforeEach
    void startAuthority() throws IOException {
        authority = JwksServer.start();
        authority.publish(current);
    }

    @AfterEach
    void stopAuthority() {
        authority.close();
    }

    @Test
    void fetchesTheJwksOnceForManyTokens() {
        PrivateTokenVerifier verifier = verifier(Duration.ofMinutes(5), Duration.ofSeconds(30));

        for (int i = 0; i < 50; i++) {
            verifier.verify(token(current));
        }

        assertThat(authority.fetches()).isEqualTo(1);
    }

    @Test
    void fetchesNothingUntilTheFirstToken() {
        verifier(Duration.ofMinutes(5), Duration.ofSeconds(30));

        assertThat(authority.fetches()).isZero();
    }

    @Test
    void refetchesWhenATokenNamesARotatedInKey() {
        PrivateTokenVerifier verifier = verifier(Duration.ofMinutes(5), Duration.ofSeconds(30));
        verifier.verify(token(current));

        authority.publish(current, next);

        assertThat(verifier.verify(token(next)).id()).isEqualTo("user-42");
        assertThat(authority.fetches()).isEqualTo(2);
    }

    @Test
    void refetchesForUnknownKidsNoMoreThanTheFloorAllows() {
        PrivateTokenVerifier verifier = verifier(Duration.ofMinutes(5), Duration.ofSeconds(30));
        verifier.verify(token(current));

        RSAKey forger = TestTokens.rsaKey("forged");
        for (int i = 0; i < 20; i++) {
            RSAKey forged = new RSAKey.Builder(forger).keyID("forged-" + i).build();
            // Refused as a bad token, not as an outage: the JWKS we have does not know the kid.
            assertThatThrownBy(() -> verifier.verify(token(forged)))
                    .isInstanceOf(PrivateTokenException.class)
                    .hasMessageContaining("no key with kid=\"forged-" + i + "\"");
        }

        // The first fetch plus the one refetch the floor keeps in reserve.
        assertThat(authority.fetches()).isEqualTo(2);
        assertThat(verifier.verify(token(current)).id()).isEqualTo("user-42");
    }

    @Test
    void refetchesAgainOnceTheFloorHasPassed() throws InterruptedException {
        PrivateTokenVerifier verifier = verifier(Duration.ofMinutes(5), Duration.ofMillis(300));
        verifier.verify(token(current));
        assertThatThrownBy(() -> verifier.verify(token(next))).isInstanceOf(PrivateTokenException.class);
        assertThatThrownBy(() -> verifier.verify(token(next))).isInstanceOf(PrivateTokenException.class);
        assertThat(authority.fetches()).isEqualTo(2);

        authority.publish(current, next);
        Thread.sleep(600);

        assertThat(verifier.verify(token(next)).id()).isEqualTo("user-42");
        assertThat(authority.fetches()).isEqualTo(3);
    }

    @Test
    void refetchesWhenTheCacheExpires() throws InterruptedException {
        PrivateTokenVerifier verifier = verifier(Duration.ofMillis(400), Duration.ofMillis(100));
        verifier.verify(token(current));
        verifier.verify(token(current));
        assertThat(authority.fetches()).isEqualTo(1);

        Thread.sleep(600);
        verifier.verify(token(current));

        assertThat(authority.fetches()).isEqualTo(2);
    }

    @Test
    void keepsServingTheLastGoodJwksWhileTheAuthorityIsDown() throws InterruptedException {
        PrivateTokenVerifier verifier = verifier(Duration.ofMillis(400), Duration.ofMillis(100));
        verifier.verify(token(current));

        authority.failWith(503);
        Thread.sleep(600);

        assertThat(verifier.verify(token(current)).id()).isEqualTo("user-42");
        // The refresh was attempted and failed; the stale copy answered.
        assertThat(authority.fetches()).isGreaterThan(1);
    }

    @Test
    void reportsAnUnreachableJwksAsUnavailableNotAsABadToken() throws IOException {
        URI closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = URI.create("http://127.0.0.1:" + socket.getLocalPort() + JwksServer.JWKS_PATH);
        }
        PrivateTokenVerifier verifier = PrivateTokenVerifier.builder()
                .jwksUri(closed)
                .issuer(authority.issuer())
                .audience(AUDIENCE)
                .build();
        String token = token(current);

        // Also after the refresh floor starts turning fetches away.
        for (int i = 0; i < 4; i++) {
            assertThatThrownBy(() -> verifier.verify(token))
                    .isInstanceOf(JwksUnavailableException.class)
                    .hasMessageContaining(closed.toString())
                    .satisfies(e -> assertThat(((JwksUnavailableException) e).jwksUri()).isEqualTo(closed));
        }
    }

    @Test
    void recoversWhenTheAuthorityComesBack() throws InterruptedException {
        PrivateTokenVerifier verifier = verifier(Duration.ofMinutes(5), Duration.ofMillis(200));
        authority.failWith(500);
        assertThatThrownBy(() -> verifier.verify(token(current))).isInstanceOf(JwksUnavailableException.class)
                .hasMessageContaining("500");

        authority.failWith(0);
        Thread.sleep(400);

        assertThat(verifier.verify(token(current)).id()).isEqualTo("user-42");
    }

    private PrivateTokenVerifier verifier(Duration cacheTtl, Duration refreshFloor) {
        return PrivateTokenVerifier.builder()
                .jwksUri(authority.jwksUri())
                .issuer(authority.issuer())
                .audience(AUDIENCE)
                .jwksCacheTtl(cacheTtl)
                .jwksRefreshFloor(refreshFloor)
                .build();
    }

    private String token(RSAKey key) {
        return sign(key, TestTokens.userClaims(authority.issuer()).build());
    }
}
