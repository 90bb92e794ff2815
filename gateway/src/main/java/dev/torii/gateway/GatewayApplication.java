package dev.torii.gateway;

import dev.torii.gateway.routefile.RouteCheckCommand;
import java.util.Arrays;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * Starts the Torii edge gateway, or runs the route check when the first argument is
 * {@code check}.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class GatewayApplication {

    /**
     * Runs the gateway, or {@code check <routes-dir> [--descriptor-set=<file>]...}, which checks
     * route files and exits without starting Spring or any server.
     *
     * @param args Spring Boot command-line arguments, or {@code check} and its arguments
     */
    public static void main(String[] args) {
        // Dispatched here, before Spring, because the jar has one main class and the check must
        // not start servers or need the gateway's configuration.
        if (args.length > 0 && args[0].equals(RouteCheckCommand.NAME)) {
            System.exit(RouteCheckCommand.run(Arrays.asList(args).subList(1, args.length), System.out, System.err));
        }
        SpringApplication.run(GatewayApplication.class, args);
    }
}
