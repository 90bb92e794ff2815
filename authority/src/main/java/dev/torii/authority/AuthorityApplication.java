package dev.torii.authority;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * Starts the Torii Authority.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
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
