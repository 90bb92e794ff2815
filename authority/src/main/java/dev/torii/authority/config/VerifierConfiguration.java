package dev.torii.authority.config;

import dev.torii.authority.verify.CredentialKind;
import dev.torii.authority.verify.CredentialVerifier;
import dev.torii.authority.verify.GoogleServiceAccountVerifier;
import dev.torii.authority.verify.IntrospectionVerifier;
import dev.torii.authority.verify.KeyFetchMonitor;
import dev.torii.authority.verify.OidcJwtVerifier;
import io.micrometer.context.ContextExecutorService;
import io.micrometer.context.ContextSnapshotFactory;
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
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Chooses the credential verifiers from configuration: one for user access tokens
 * (introspection or JWT), one for Google service accounts. Kept apart from {@link
 * AuthorityConfiguration} so authorizer-dummy can run the same Authority with its own verifier.
 */
@Configuration(proxyBeanMethods = false)
public class VerifierConfiguration {

    private static final Logger log = LoggerFactory.getLogger(VerifierConfiguration.class);

    /**
     * Runs the blocking parts of verification (such as waiting for a JWKS) off the gRPC and Netty
     * threads, bounded so a slow identity provider cannot exhaust the process. Each task runs
     * with the thread-local context of the thread that submitted it (the current observation,
     * so the spans of a verification have the exchange's span as parent).
     */
    @Bean(destroyMethod = "shutdownNow")
    ExecutorService verificationExecutor() {
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(4, 32, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(1000),
                r -> daemon(r, "credential-verify-" + count.incrementAndGet()), new ThreadPoolExecutor.AbortPolicy());
        ContextSnapshotFactory snapshots = ContextSnapshotFactory.builder().build();
        return ContextExecutorService.wrap(pool, snapshots::captureAll);
    }

    @Bean
    Map<CredentialKind, CredentialVerifier> credentialVerifiers(AuthorityProperties properties, Clock clock,
            ExecutorService verificationExecutor, ObjectProvider<WebClient.Builder> webClients,
            KeyFetchMonitor keyFetchMonitor) {
        Map<CredentialKind, CredentialVerifier> verifiers = new EnumMap<>(CredentialKind.class);
        // Spring Boot's builder carries the observation registry: HTTP metrics, and spans with tracing on.
        WebClient.Builder webClient = webClients.getIfAvailable(WebClient::builder);
        switch (properties.users().verifier()) {
            case "introspection" -> verifiers.put(CredentialKind.ACCESS_TOKEN,
                    new IntrospectionVerifier(properties.users().introspection(), clock, verificationExecutor,
                            webClient));
            case "jwt" -> verifiers.put(CredentialKind.ACCESS_TOKEN,
                    new OidcJwtVerifier(properties.users().jwt(), clock, verificationExecutor, webClient,
                            properties.keyEndpoints(), keyFetchMonitor));
            default -> { }
        }
        if (properties.google().enabled()) {
            verifiers.put(CredentialKind.GOOGLE_SERVICE_ACCOUNT,
                    new GoogleServiceAccountVerifier(properties.google(), clock, verificationExecutor, webClient,
                            properties.keyEndpoints(), keyFetchMonitor));
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
