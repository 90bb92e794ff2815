package dev.torii.authorizer.dummy;

import dev.torii.authority.config.AuthorityConfiguration;
import dev.torii.authority.config.AuthorityProperties;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;

/**
 * Starts authorizer-dummy: the real Authority's minting, JWKS, gRPC contract and token endpoint,
 * with a verifier that accepts made-up credentials instead of asking an identity provider.
 */
@SpringBootApplication
@Import(AuthorityConfiguration.class)
@EnableConfigurationProperties({AuthorityProperties.class, DummyProperties.class})
public class AuthorizerDummyApplication {

    /**
     * Runs authorizer-dummy; it refuses to start unless a local or dev profile is active.
     *
     * @param args Spring Boot command-line arguments
     */
    public static void main(String[] args) {
        SpringApplication.run(AuthorizerDummyApplication.class, args);
    }
}
