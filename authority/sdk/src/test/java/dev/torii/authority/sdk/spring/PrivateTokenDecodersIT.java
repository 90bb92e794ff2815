package dev.torii.authority.sdk.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.RSAKey;
import dev.torii.authority.sdk.testing.JwksServer;
import dev.torii.authority.sdk.testing.TestTokens;
import java.io.IOException;
import java.time.Duration;
import java.util.Date;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;

/** Decodes real private tokens with the auto-configured decoders, against a JWKS over HTTP. */
class PrivateTokenDecodersIT {

    private static JwksServer authority;
    private static RSAKey key;

    @BeforeAll
    static void startAuthority() throws IOException {
        authority = JwksServer.start();
        key = TestTokens.rsaKey("k1");
        authority.publish(key);
    }

    @AfterAll
    static void stopAuthority() {
        authority.close();
    }

    @Test
    void servletDecoderReturnsTheVerifiedClaims() {
        String token = TestTokens.sign(key, TestTokens.userClaims(authority.issuer()).build());

        new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ToriiAuthorityAutoConfiguration.class))
                .withPropertyValues(properties())
                .run(context -> {
                    Jwt jwt = context.getBean(JwtDecoder.class).decode(token);
                    assertThat(jwt.getSubject()).isEqualTo("user-42");
                    assertThat(jwt.getAudience()).containsExactly(TestTokens.AUDIENCE);
                    assertThat(jwt.getIssuer()).hasToString(authority.issuer());
                    assertThat(jwt.getExpiresAt()).isAfter(jwt.getIssuedAt());
                    assertThat(jwt.getClaimAsString("principal_type")).isEqualTo("user");
                    assertThat(jwt.getHeaders()).containsEntry("kid", "k1");
                    assertThat(jwt.getTokenValue()).isEqualTo(token);
                });
    }

    @Test
    void servletDecoderRefusesWhatTheVerifierRefuses() {
        String expired = TestTokens.sign(key, TestTokens.userClaims(authority.issuer())
                .expirationTime(new Date(System.currentTimeMillis() - Duration.ofMinutes(10).toMillis())).build());
        String otherAudience = TestTokens.sign(key, TestTokens.userClaims(authority.issuer())
                .audience("examples.other.v1.Other").build());

        new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ToriiAuthorityAutoConfiguration.class))
                .withPropertyValues(properties())
                .run(context -> {
                    JwtDecoder decoder = context.getBean(JwtDecoder.class);
                    assertThatThrownBy(() -> decoder.decode(expired))
                            .isInstanceOf(BadJwtException.class).hasMessageContaining("token expired at");
                    assertThatThrownBy(() -> decoder.decode(otherAudience))
                            .isInstanceOf(BadJwtException.class).hasMessageContaining("aud is");
                });
    }

    @Test
    void reactiveDecoderVerifiesOffTheCallingThread() {
        String token = TestTokens.sign(key, TestTokens.serviceAccountClaims(authority.issuer()).build());

        new ReactiveWebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ToriiAuthorityAutoConfiguration.class))
                .withPropertyValues(properties())
                .run(context -> {
                    ReactiveJwtDecoder decoder = context.getBean(ReactiveJwtDecoder.class);
                    String thread = decoder.decode(token).map(jwt -> Thread.currentThread().getName()).block();
                    Jwt jwt = decoder.decode(token).block();
                    assertThat(thread).startsWith("boundedElastic-");
                    assertThat(jwt.getClaimAsStringList("roles")).containsExactly("offers-admin", "offers-reader");
                });
    }

    private static String[] properties() {
        return new String[] {
            "torii.private-token.jwks-uri=" + authority.jwksUri(),
            "torii.private-token.issuer=" + authority.issuer(),
            "torii.private-token.audiences=" + TestTokens.AUDIENCE,
        };
    }
}
