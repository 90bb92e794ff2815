package dev.torii.authority;

import dev.torii.authority.config.AuthorityProperties;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * Starts the Torii Authority.
 */
@SpringBootApplication
// Only the Authority's own properties: authority/sdk lives under dev.torii.authority too.
@ConfigurationPropertiesScan(basePackageClasses = AuthorityProperties.class)
public class AuthorityApplication {

    /**
     * Runs the Authority.
     *
     * @param args Spring Boot command-line arguments
     */
    public static void main(String[] args) {
        SpringApplication.run(AuthorityApplication.class, args);
    }
}
