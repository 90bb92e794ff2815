package dev.torii.authority.config;

import dev.torii.authority.verify.CredentialKind;
import dev.torii.authority.verify.CredentialVerifier;
import dev.torii.authority.verify.GoogleServiceAccountVerifier;
import dev.torii.authority.verify.IntrospectionVerifier;
import dev.torii.authority.verify.OidcJwtVerifier;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Chooses the credential verifiers from configuration: one for user access tokens
 * (introspection or JWT), one for Google service accounts. Kept apart from {@link
 * AuthorityConfiguration} so authorizer-dummy can run the same Authority with its own verifier.
 */
@Configuration(proxyBeanMethods = false)
public class VerifierConfiguration {

    private static final Logger log = LoggerFactory.getLogger(VerifierConfiguration.class);

    /**
     * Runs the blocking parts of verification (such as a JWKS download) off the gRPC and Netty
     * threads, bounded so a slow identity provider cannot exhaust the process.
     */
    @Bean(destroyMethod = "shutdownNow")
    ExecutorService verificationExecutor() {
        AtomicInteger count = new AtomicInteger();
        return new ThreadPoolExecutor(4, 32, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(1000),
                r -> daemon(r, "credential-verify-" + count.incrementAndGet()), new ThreadPoolExecutor.AbortPolicy());
    }

    @Bean
    Map<CredentialKind, CredentialVerifier> credentialVerifiers(AuthorityProperties properties, Clock clock,
            ExecutorService verificationExecutor) {
        Map<CredentialKind, CredentialVerifier> verifiers = new EnumMap<>(CredentialKind.class);
        switch (properties.users().verifier()) {
            case "introspection" -> verifiers.put(CredentialKind.ACCESS_TOKEN,
                    new IntrospectionVerifier(properties.users().introspection(), clock, verificationExecutor));
            case "jwt" -> verifiers.put(CredentialKind.ACCESS_TOKEN,
                    new OidcJwtVerifier(properties.users().jwt(), clock, verificationExecutor));
            default -> { }
        }
        if (properties.google().enabled()) {
            verifiers.put(CredentialKind.GOOGLE_SERVICE_ACCOUNT,
                    new GoogleServiceAccountVerifier(properties.google(), clock, verificationExecutor));
        }
        log.info("accepting {}", verifiers.isEmpty() ? "no credentials (configure torii.authority.users or .google)"
                : verifiers.entrySet().stream().map(e -> e.getKey() + " via " + e.getValue().name()).toList());
        return verifiers;
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }
}
