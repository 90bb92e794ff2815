package dev.torii.authorizer.dummy;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Stops authorizer-dummy from starting where it could do harm: a local, dev or test profile must
 * be active (or {@code torii.dummy.allow-outside-dev=true}), and a prod or production profile is
 * refused no matter what. Runs before any bean exists, once profiles are known, and only for
 * {@link AuthorizerDummyApplication}.
 */
public final class DevProfileGuard implements EnvironmentPostProcessor, Ordered {

    static final List<String> DEV_PROFILES = List.of("local", "dev", "test");
    static final List<String> PRODUCTION_PROFILES = List.of("prod", "production");

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        // spring.factories reaches every application with this jar on its classpath (such as a
        // test that runs the dummy next to the gateway); guard only the dummy itself.
        if (!application.getAllSources().contains(AuthorizerDummyApplication.class)) {
            return;
        }
        List<String> active = Arrays.stream(environment.getActiveProfiles()).map(p -> p.toLowerCase(Locale.ROOT)).toList();
        if (active.stream().anyMatch(PRODUCTION_PROFILES::contains)) {
            throw new IllegalStateException("authorizer-dummy refuses to start with profile(s) " + active
                    + ": it accepts made-up credentials and must never run in production");
        }
        boolean dev = active.stream().anyMatch(DEV_PROFILES::contains);
        boolean allowed = environment.getProperty("torii.dummy.allow-outside-dev", Boolean.class, false);
        if (!dev && !allowed) {
            throw new IllegalStateException("authorizer-dummy refuses to start: active profiles are " + active
                    + " (expected: one of " + DEV_PROFILES + ", for example --spring.profiles.active=local,"
                    + " or torii.dummy.allow-outside-dev=true for a shared test cluster)");
        }
    }

    @Override
    public int getOrder() {
        return ConfigDataEnvironmentPostProcessor.ORDER + 1;
    }
}
