package dev.torii.authority.sdk.spring;

import dev.torii.authority.sdk.PrivateTokenVerifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnNotWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.oauth2.server.resource.authentication.ReactiveJwtAuthenticationConverter;
import org.springframework.security.oauth2.server.resource.authentication.ReactiveJwtGrantedAuthoritiesConverterAdapter;
import reactor.core.publisher.Mono;

/**
 * Configures private-token verification for Spring Boot backends once
 * {@code torii.private-token.jwks-uri} is set: a {@link PrivateTokenVerifier} bean, and, when Spring
 * Security's OAuth2 resource server is on the classpath, a {@link JwtDecoder} (servlet and
 * non-web applications) or a {@link ReactiveJwtDecoder} (reactive applications) backed by it, plus
 * an authentication converter mapping {@code scope} to {@code SCOPE_x} and {@code roles} to
 * {@code ROLE_x} authorities.
 *
 * <p>It runs before Spring Boot's own resource-server auto-configuration, so Boot's default
 * security filter chain picks these decoders up. Every bean backs off when the application defines
 * its own of the same type.
 */
@AutoConfiguration(beforeName = {
        "org.springframework.boot.security.oauth2.server.resource.autoconfigure.servlet.OAuth2ResourceServerAutoConfiguration",
        "org.springframework.boot.security.oauth2.server.resource.autoconfigure.reactive.ReactiveOAuth2ResourceServerAutoConfiguration"})
@ConditionalOnProperty(prefix = "torii.private-token", name = "jwks-uri")
@EnableConfigurationProperties(ToriiAuthorityProperties.class)
public class ToriiAuthorityAutoConfiguration {

    /** Creates the auto-configuration; Spring calls this. */
    public ToriiAuthorityAutoConfiguration() {
    }

    @Bean
    @ConditionalOnMissingBean
    PrivateTokenVerifier privateTokenVerifier(ToriiAuthorityProperties properties) {
        return PrivateTokenVerifier.builder()
                .jwksUri(properties.jwksUri())
                .issuer(properties.issuer())
                .audiences(properties.audiences())
                .clockSkew(properties.clockSkew())
                .jwksCacheTtl(properties.jwksCacheTtl())
                .jwksRefreshFloor(properties.jwksRefreshFloor())
                .jwksOutageTolerance(properties.jwksOutageTolerance())
                .build();
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({JwtDecoder.class, JwtAuthenticationConverter.class})
    @Conditional(ServletOrNonWebApplication.class)
    static class JwtDecoderConfiguration {

        @Bean
        @ConditionalOnMissingBean
        JwtDecoder privateTokenJwtDecoder(PrivateTokenVerifier verifier) {
            return new PrivateTokenJwtDecoder(verifier);
        }

        @Bean
        @ConditionalOnMissingBean
        JwtAuthenticationConverter privateTokenJwtAuthenticationConverter() {
            JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
            converter.setJwtGrantedAuthoritiesConverter(PrivateTokenAuthorities.converter());
            return converter;
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({ReactiveJwtDecoder.class, ReactiveJwtAuthenticationConverter.class, Mono.class})
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
    static class ReactiveJwtDecoderConfiguration {

        @Bean
        @ConditionalOnMissingBean
        ReactiveJwtDecoder privateTokenReactiveJwtDecoder(PrivateTokenVerifier verifier) {
            return new PrivateTokenReactiveJwtDecoder(new PrivateTokenJwtDecoder(verifier));
        }

        @Bean
        @ConditionalOnMissingBean
        ReactiveJwtAuthenticationConverter privateTokenReactiveJwtAuthenticationConverter() {
            ReactiveJwtAuthenticationConverter converter = new ReactiveJwtAuthenticationConverter();
            converter.setJwtGrantedAuthoritiesConverter(
                    new ReactiveJwtGrantedAuthoritiesConverterAdapter(PrivateTokenAuthorities.converter()));
            return converter;
        }
    }

    /** Matches servlet web applications and applications without a web server (such as gRPC-only ones). */
    static final class ServletOrNonWebApplication extends AnyNestedCondition {

        ServletOrNonWebApplication() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
        static final class Servlet {
        }

        @ConditionalOnNotWebApplication
        static final class NonWeb {
        }
    }
}
