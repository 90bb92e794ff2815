package dev.torii.authority.sdk.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torii.authority.sdk.PrivateTokenVerifier;
import dev.torii.authority.sdk.testing.TestTokens;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.oauth2.server.resource.authentication.ReactiveJwtAuthenticationConverter;
import reactor.core.publisher.Mono;

/** Checks which beans the auto-configuration contributes, and when it backs off, without a JWKS. */
class ToriiAuthorityAutoConfigurationTest {

    /** A JWKS URI nothing listens on: these tests never need a key. */
    private static final String[] PROPERTIES = {
        "torii.private-token.jwks-uri=http://127.0.0.1:1/.well-known/jwks.json",
        "torii.private-token.issuer=http://authority:9091",
        "torii.private-token.audiences=" + TestTokens.AUDIENCE,
    };

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ToriiAuthorityAutoConfiguration.class));

    @Test
    void staysOffWithoutAJwksUri() {
        runner.run(context -> assertThat(context)
                .hasNotFailed()
                .doesNotHaveBean(PrivateTokenVerifier.class)
                .doesNotHaveBean(JwtDecoder.class));
    }

    @Test
    void providesAVerifierAndAJwtDecoderToNonWebApplications() {
        runner.withPropertyValues(PROPERTIES).run(context -> assertThat(context)
                .hasSingleBean(PrivateTokenVerifier.class)
                .hasSingleBean(JwtDecoder.class)
                .hasSingleBean(JwtAuthenticationConverter.class)
                .doesNotHaveBean(ReactiveJwtDecoder.class)
                .getBean(JwtDecoder.class).isInstanceOf(PrivateTokenJwtDecoder.class));
    }

    @Test
    void providesAJwtDecoderToServletApplications() {
        new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ToriiAuthorityAutoConfiguration.class))
                .withPropertyValues(PROPERTIES)
                .run(context -> assertThat(context)
                        .hasSingleBean(JwtDecoder.class)
                        .hasSingleBean(JwtAuthenticationConverter.class)
                        .doesNotHaveBean(ReactiveJwtDecoder.class));
    }

    @Test
    void providesAReactiveJwtDecoderToReactiveApplications() {
        new ReactiveWebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ToriiAuthorityAutoConfiguration.class))
                .withPropertyValues(PROPERTIES)
                .run(context -> assertThat(context)
                        .hasSingleBean(ReactiveJwtDecoder.class)
                        .hasSingleBean(ReactiveJwtAuthenticationConverter.class)
                        .doesNotHaveBean(JwtDecoder.class)
                        .getBean(ReactiveJwtDecoder.class).isInstanceOf(PrivateTokenReactiveJwtDecoder.class));
    }

    @Test
    void backsOffWhenTheApplicationHasItsOwnDecoder() {
        runner.withPropertyValues(PROPERTIES).withUserConfiguration(OwnDecoders.class).run(context -> {
            assertThat(context).hasSingleBean(JwtDecoder.class);
            assertThat(context.getBean(JwtDecoder.class)).isSameAs(context.getBean(OwnDecoders.class).decoder);
        });
        new ReactiveWebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ToriiAuthorityAutoConfiguration.class))
                .withPropertyValues(PROPERTIES)
                .withUserConfiguration(OwnDecoders.class)
                .run(context -> {
                    assertThat(context).hasSingleBean(ReactiveJwtDecoder.class);
                    assertThat(context.getBean(ReactiveJwtDecoder.class))
                            .isSameAs(context.getBean(OwnDecoders.class).reactiveDecoder);
                });
    }

    @Test
    void keepsOnlyTheVerifierWithoutSpringSecurity() {
        runner.withPropertyValues(PROPERTIES)
                .withClassLoader(new FilteredClassLoader("org.springframework.security"))
                .run(context -> assertThat(context)
                        .hasNotFailed()
                        .hasSingleBean(PrivateTokenVerifier.class)
                        .doesNotHaveBean("privateTokenJwtDecoder"));
    }

    @Test
    void bindsDefaultsAndOverrides() {
        runner.withPropertyValues(PROPERTIES).run(context -> {
            ToriiAuthorityProperties properties = context.getBean(ToriiAuthorityProperties.class);
            assertThat(properties.clockSkew()).isEqualTo(Duration.ofSeconds(30));
            assertThat(properties.jwksCacheTtl()).isEqualTo(Duration.ofMinutes(5));
            assertThat(properties.jwksRefreshFloor()).isEqualTo(Duration.ofSeconds(30));
            assertThat(properties.jwksOutageTolerance()).isEqualTo(Duration.ofHours(1));
        });
        runner.withPropertyValues(PROPERTIES)
                .withPropertyValues("torii.private-token.clock-skew=5s",
                        "torii.private-token.audiences=examples.offer.v1.OfferService,examples.cart.v1.CartService")
                .run(context -> {
                    ToriiAuthorityProperties properties = context.getBean(ToriiAuthorityProperties.class);
                    assertThat(properties.clockSkew()).isEqualTo(Duration.ofSeconds(5));
                    assertThat(properties.audiences())
                            .containsExactly("examples.offer.v1.OfferService", "examples.cart.v1.CartService");
                });
    }

    @Test
    void failsFastOnIncompleteSettings() {
        runner.withPropertyValues("torii.private-token.jwks-uri=http://authority:9091/.well-known/jwks.json",
                "torii.private-token.audiences=" + TestTokens.AUDIENCE).run(context -> assertThat(context)
                .hasFailed()
                .getFailure().rootCause().hasMessageContaining("torii.private-token.issuer"));
        runner.withPropertyValues(PROPERTIES).withPropertyValues("torii.private-token.jwks-refresh-floor=10m")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure().rootCause().hasMessageContaining("jwksRefreshFloor: PT10M"));
    }

    @Test
    void mapsScopesAndRolesToAuthorities() {
        Jwt user = jwt().claim("scope", "offers.read offers.write").build();
        Jwt serviceAccount = jwt().subject("batch@project.iam.gserviceaccount.com")
                .claim("roles", List.of("offers-admin")).build();

        runner.withPropertyValues(PROPERTIES).run(context -> {
            JwtAuthenticationConverter converter = context.getBean(JwtAuthenticationConverter.class);
            assertThat(authorities(converter.convert(user))).contains("SCOPE_offers.read", "SCOPE_offers.write")
                    .noneMatch(a -> a.startsWith("ROLE_"));
            AbstractAuthenticationToken machine = converter.convert(serviceAccount);
            assertThat(machine.getName()).isEqualTo("batch@project.iam.gserviceaccount.com");
            assertThat(authorities(machine)).contains("ROLE_offers-admin").noneMatch(a -> a.startsWith("SCOPE_"));
        });
        new ReactiveWebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ToriiAuthorityAutoConfiguration.class))
                .withPropertyValues(PROPERTIES)
                .run(context -> {
                    ReactiveJwtAuthenticationConverter converter = context.getBean(ReactiveJwtAuthenticationConverter.class);
                    assertThat(authorities(converter.convert(serviceAccount).block())).contains("ROLE_offers-admin");
                    assertThat(authorities(converter.convert(user).block())).contains("SCOPE_offers.read");
                });
    }

    @Test
    void decoderTellsABadTokenFromAnUnreachableJwks() {
        String wellFormed = TestTokens.sign(TestTokens.ecKey("k1"), TestTokens.userClaims("http://authority:9091").build());

        runner.withPropertyValues(PROPERTIES).run(context -> {
            JwtDecoder decoder = context.getBean(JwtDecoder.class);
            assertThatThrownBy(() -> decoder.decode("not-a-jwt"))
                    .isInstanceOf(BadJwtException.class)
                    .hasMessageStartingWith("private token is malformed");
            assertThatThrownBy(() -> decoder.decode(wellFormed))
                    .isInstanceOf(JwtException.class)
                    .isNotInstanceOf(BadJwtException.class)
                    .hasMessageStartingWith("cannot fetch the JWKS");
        });
    }

    private static Jwt.Builder jwt() {
        return Jwt.withTokenValue("token")
                .header("alg", "RS256")
                .subject("user-42")
                .issuedAt(Instant.now())
                .expiresAt(Instant.now().plusSeconds(300));
    }

    private static List<String> authorities(AbstractAuthenticationToken authentication) {
        return authentication.getAuthorities().stream().map(GrantedAuthority::getAuthority).toList();
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnDecoders {

        final JwtDecoder decoder = token -> {
            throw new BadJwtException("the application's own decoder");
        };

        final ReactiveJwtDecoder reactiveDecoder = token -> Mono.error(new BadJwtException("the application's own decoder"));

        @Bean
        JwtDecoder ownJwtDecoder() {
            return decoder;
        }

        @Bean
        ReactiveJwtDecoder ownReactiveJwtDecoder() {
            return reactiveDecoder;
        }
    }
}
